// The message kind (SPEC §1b), declared once: what CometChat's /data_import/messages takes. The
// muid is kept exactly as given (it is the idempotency key, unique per app); sender and receiver
// are ids like any other. Threads, reactions and edits have no field: sources keep them in
// data.metadata.

import type { z } from 'zod';
import { id, jsonObject, list, mapOf, object, oneOf, printable, tags, text, timestamp } from '../fields.js';
import { defineKind, fail, type Values } from '../kind.js';
import { LIMITS } from '../limits.js';
import { groupShape } from '../groups/shape.js';
import { userShape } from '../users/shape.js';
import { tenDigitValue } from '../timestamps.js';
import { fitsBytes, hasText } from '../values.js';

/** Send Message limits, which the import applies to every message (CometChat documents both). */
export const MESSAGE_LIMITS = { dataBytes: 10 * 1024, messageBytes: 64 * 1024, muidChars: 100, attachments: 25 } as const;

export const MEDIA_TYPES = ['image', 'audio', 'video', 'file'] as const;
export const MESSAGE_TYPES = ['text', ...MEDIA_TYPES] as const;

const optional = { optional: true };

/** One attachment: a file at a public URL (size, when known, as a string of bytes). */
const attachment = object({
  name: text(LIMITS.urlChars),
  mimeType: text(LIMITS.nameChars),
  extension: text(LIMITS.nameChars),
  url: text(LIMITS.urlChars),
  size: text(LIMITS.nameChars, optional),
});

const schema = object(
  {
    muid: printable(MESSAGE_LIMITS.muidChars, { missing: 'MISSING_MUID', invalid: 'INVALID_MUID' }),
    sender: id({ missing: 'MISSING_SENDER', invalid: 'INVALID_SENDER' }),
    receiverType: oneOf(['user', 'group'], { missing: 'INVALID_RECEIVER_TYPE', invalid: 'INVALID_RECEIVER_TYPE' }),
    receiver: id({ missing: 'MISSING_RECEIVER', invalid: 'INVALID_RECEIVER' }),
    category: oneOf(['message', 'custom'], { default: 'message', invalid: 'INVALID_CATEGORY' }),
    // Any word for custom messages; the five message types are checked across fields below.
    type: text(LIMITS.nameChars, { default: 'text', invalid: 'INVALID_MESSAGE_TYPE' }),
    data: object(dataShape(), { optional: true, invalid: 'INVALID_MESSAGE_DATA', maxBytes: MESSAGE_LIMITS.dataBytes }),
    tags: tags(LIMITS.tags, LIMITS.tagChars, { optional: true, invalid: 'INVALID_FIELD' }),
    sentAt: timestamp({ missing: 'MISSING_SENT_AT' }),
    deliveredAt: timestamp(optional),
    readAt: timestamp(optional),
    senderUserDetails: object(userShape(), { optional: true, invalid: 'INVALID_SENDER_DETAILS' }),
    receiverUserDetails: object(userShape(), { optional: true, invalid: 'INVALID_RECEIVER_DETAILS' }),
    receiverGroupDetails: object(groupShape(), { optional: true, invalid: 'INVALID_RECEIVER_DETAILS' }),
    receiverGroupOwnerDetails: object(userShape(), { optional: true, invalid: 'INVALID_RECEIVER_DETAILS' }),
    mentionedUserDetails: mapOf(object(userShape()), 'uid', { optional: true, invalid: 'INVALID_MENTIONS' }),
  },
  {
    // Details name their id only to repeat the sender's or receiver's: absent, they take it.
    inherit: { senderUserDetails: { uid: 'sender' }, receiverUserDetails: { uid: 'receiver' }, receiverGroupDetails: { guid: 'receiver' } },
  },
);

function dataShape(): Record<string, z.ZodType> {
  return {
    text: text(undefined, optional),
    attachments: list(attachment, { min: 1, max: MESSAGE_LIMITS.attachments }, { optional: true, invalid: 'INVALID_ATTACHMENT' }),
    customData: jsonObject(MESSAGE_LIMITS.dataBytes, optional),
    metadata: jsonObject(MESSAGE_LIMITS.dataBytes, optional),
  };
}

const DAY_SECONDS = 86_400;

type Details = Values | undefined;
const dataOf = (m: Values): Values => (m['data'] as Values | undefined) ?? {};

export const messages = defineKind({
  name: 'messages',
  entity: 'message',
  schema,
  key: { field: 'muid', derive: (m) => m['muid'] as string, plain: false, match: 'exact', describe: 'the muid', mismatch: 'INVALID_KEY' },
  cross: [
    (m) => {
      const category = m['category'];
      const type = m['type'] as string;
      if (category === 'message' && !(MESSAGE_TYPES as readonly string[]).includes(type)) {
        return fail('INVALID_MESSAGE_TYPE', `type "${type}" is not ${MESSAGE_TYPES.join(', ')} (any type needs category custom)`, 'type');
      }
      const d = dataOf(m);
      if (category === 'custom') return d['customData'] === undefined ? fail('MISSING_CUSTOM_DATA', 'a custom message needs data.customData', 'data.customData') : undefined;
      if (type === 'text') {
        const t = d['text'] as string | undefined;
        return t === undefined || !hasText(t) ? fail('EMPTY_MESSAGE_TEXT', `a text message needs visible data.text${t === undefined ? '' : `, got ${JSON.stringify(t.slice(0, 20))}`}`, 'data.text') : undefined;
      }
      return d['attachments'] === undefined ? fail('MISSING_ATTACHMENTS', `a message of type ${type} needs data.attachments`, 'data.attachments') : undefined;
    },
    (m) => {
      const s = m['senderUserDetails'] as Details;
      return s !== undefined && s['uid'] !== m['sender'] ? fail('INVALID_SENDER_DETAILS', `senderUserDetails.uid "${s['uid'] as string}" differs from the sender "${m['sender'] as string}"`, 'senderUserDetails.uid') : undefined;
    },
    (m) => {
      const toUser = m['receiverType'] === 'user';
      const user = m['receiverUserDetails'] as Details;
      const group = m['receiverGroupDetails'] as Details;
      if (toUser && (group !== undefined || m['receiverGroupOwnerDetails'] !== undefined)) return fail('INVALID_RECEIVER_DETAILS', 'a message to a user carries no receiverGroupDetails or receiverGroupOwnerDetails', 'receiverGroupDetails');
      if (!toUser && user !== undefined) return fail('INVALID_RECEIVER_DETAILS', 'a message to a group carries no receiverUserDetails', 'receiverUserDetails');
      const details = toUser ? user : group;
      const idField = toUser ? 'receiverUserDetails.uid' : 'receiverGroupDetails.guid';
      const own = details?.[toUser ? 'uid' : 'guid'];
      return details !== undefined && own !== m['receiver'] ? fail('INVALID_RECEIVER_DETAILS', `${idField} "${own as string}" differs from the receiver "${m['receiver'] as string}"`, idField) : undefined;
    },
    // The owner details describe the group's owner, when the group details name one.
    (m) => {
      const owner = (m['receiverGroupDetails'] as Details)?.['owner'];
      const details = m['receiverGroupOwnerDetails'] as Details;
      return owner !== undefined && details !== undefined && details['uid'] !== owner
        ? fail('INVALID_RECEIVER_DETAILS', `receiverGroupOwnerDetails.uid "${details['uid'] as string}" differs from the group owner "${owner as string}"`, 'receiverGroupOwnerDetails.uid')
        : undefined;
    },
    (m, ctx) => {
      const sentAt = m['sentAt'] as string;
      return tenDigitValue(sentAt) > ctx.nowSeconds ? fail('SENT_IN_FUTURE', `sentAt ${sentAt} is after now (${Math.floor(ctx.nowSeconds)})`, 'sentAt') : undefined;
    },
  ],
  // CometChat keeps 6 months of history by default and refuses older messages: not sent, counted.
  skip: [
    (m, ctx) => {
      const days = ctx.retentionDays ?? 0;
      return days > 0 && tenDigitValue(m['sentAt'] as string) < ctx.nowSeconds - days * DAY_SECONDS ? 'retention' : undefined;
    },
  ],
  text: [
    (json) => (fitsBytes(json, MESSAGE_LIMITS.messageBytes) ? undefined : fail('LIMIT_EXCEEDED', `the message has ${Buffer.byteLength(json)} bytes of JSON, over CometChat's limit of ${MESSAGE_LIMITS.messageBytes}`)),
  ],
  signature: ['muid', 'sender', 'receiver'],
  order: 'sentAt',
});
