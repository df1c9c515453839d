// One message of a /data_import/messages request, as CometChat would take it: the declaration's
// rules in wire form, the muid imported once (ERR_IMPORT_MUID_ALREADY_EXISTS), history older
// than the app keeps refused, senders and receivers that must exist unless the message brings
// their details, and the documented reply: the stored message with its new numeric id.

import { KINDS } from '../entities/kinds.js';
import type { Values } from '../entities/kind.js';
import { isPlainRecord } from '../entities/values.js';
import { EntityFailure, judge, type EntityContext, type EntityOutcome } from './cometchat-entities.js';

const DAY_SECONDS = 86_400;

/** CometChat's codes for the Send Message rules an import row must meet (research §1.5). */
function messageCode(_field: string, reason: string): string {
  switch (reason) {
    case 'EMPTY_MESSAGE_TEXT':
      return 'ERR_EMPTY_MESSAGE_TEXT';
    case 'INVALID_MESSAGE_TYPE':
      return 'ERR_INVALID_MESSAGE_TYPE';
    case 'INVALID_CATEGORY':
      return 'ERR_INVALID_MESSAGE_CATEGORY';
    case 'MISSING_ATTACHMENTS':
    case 'INVALID_ATTACHMENT':
      return 'ERR_INVALID_MEDIA_MESSAGE';
    case 'MISSING_CUSTOM_DATA':
      return 'ERR_EMPTY_CUSTOM_DATA';
    default:
      return 'ERR_BAD_REQUEST';
  }
}

export function importMessage(key: string, value: unknown, ctx: EntityContext): EntityOutcome {
  const { store } = ctx;
  if (store.has('messages', key)) {
    ctx.onDuplicate();
    return new EntityFailure('ERR_IMPORT_MUID_ALREADY_EXISTS', `A message with muid ${key} already exists.`);
  }
  const judged = judge(KINDS.messages, key, value, ctx.nowSec, messageCode);
  if (judged instanceof EntityFailure) return judged;
  const m = judged.values;
  const raw = value as Record<string, unknown>;
  const sentAt = Number(m['sentAt']);
  const days = ctx.messageRetentionDays;
  // The vendor's migration recipe quotes this refusal; CometChat keeps 180 days unless extended.
  if (days > 0 && sentAt < ctx.nowSec - days * DAY_SECONDS) return new EntityFailure('ERR_BAD_REQUEST', `Messages older than ${days} days cannot be imported.`);
  const sender = m['sender'] as string;
  const receiver = m['receiver'] as string;
  const toUser = m['receiverType'] === 'user';
  const senderDetails = m['senderUserDetails'] as Values | undefined;
  const receiverDetails = (toUser ? m['receiverUserDetails'] : m['receiverGroupDetails']) as Values | undefined;
  if (ctx.requireKnownGroupsAndUsers) {
    if (senderDetails === undefined && !store.users.has(sender)) return new EntityFailure('ERR_UID_NOT_FOUND', `The user with uid ${sender} does not exist.`);
    if (receiverDetails === undefined && (toUser ? !store.users.has(receiver) : !store.groups.has(receiver))) {
      return toUser ? new EntityFailure('ERR_UID_NOT_FOUND', `The user with uid ${receiver} does not exist.`) : new EntityFailure('ERR_GUID_NOT_FOUND', `The group with guid ${receiver} does not exist.`);
    }
    if (senderDetails !== undefined) store.addUser(sender);
    if (receiverDetails !== undefined) {
      if (toUser) store.addUser(receiver);
      else store.addGroup(receiver, receiverDetails['createdAt'] === undefined ? 0 : Number(receiverDetails['createdAt']));
    }
  }
  const id = store.nextMessageId();
  const text = JSON.stringify(messageReply(id, m, raw, ctx.nowSec));
  if (ctx.storeFullRecords) store.accept('messages', key, JSON.stringify(value));
  else store.acceptMessageId(key, Number(id));
  return text;
}

/** The reply's data for a message, in the documented order (research §1.2). */
function messageReply(id: string, m: Values, raw: Record<string, unknown>, nowSec: number): Record<string, unknown> {
  const sender = m['sender'] as string;
  const receiver = m['receiver'] as string;
  const toUser = m['receiverType'] === 'user';
  // The documented 1:1 example names the conversation "<receiver>_user_<sender>" with the ids in sorted order.
  const conversationId = toUser ? [sender, receiver].sort().join('_user_') : `group_${receiver}`;
  const given = isPlainRecord(raw['data']) ? raw['data'] : {};
  const receiverEntity = toUser
    ? { ...userEntity(receiver, rawDetails(raw, 'receiverUserDetails'), nowSec), conversationId }
    : groupEntity(receiver, rawDetails(raw, 'receiverGroupDetails'), nowSec);
  const reply: Record<string, unknown> = {
    id,
    muid: m['muid'],
    conversationId,
    sender,
    receiverType: m['receiverType'],
    receiver,
    category: m['category'],
    type: m['type'],
    data: {
      ...given,
      entities: {
        sender: { entity: userEntity(sender, rawDetails(raw, 'senderUserDetails'), nowSec), entityType: 'user' },
        receiver: { entity: receiverEntity, entityType: toUser ? 'user' : 'group' },
      },
    },
    sentAt: Number(m['sentAt']),
  };
  for (const field of ['deliveredAt', 'readAt'] as const) if (m[field] !== undefined) reply[field] = Number(m[field]);
  reply['updatedAt'] = Number(m['sentAt']);
  if (m['tags'] !== undefined) reply['tags'] = JSON.parse(m['tags'] as string) as unknown;
  return reply;
}

function rawDetails(raw: Record<string, unknown>, field: string): Record<string, unknown> {
  const d = raw[field];
  return isPlainRecord(d) ? d : {};
}

/** A user as the reply's entities show it (what the message brought; a known user without details shows its uid). */
function userEntity(uid: string, d: Record<string, unknown>, nowSec: number): Record<string, unknown> {
  const entity: Record<string, unknown> = { uid };
  for (const field of ['name', 'avatar', 'link', 'metadata'] as const) if (d[field] != null) entity[field] = d[field];
  entity['status'] = 'offline';
  entity['role'] = typeof d['role'] === 'string' ? d['role'] : 'default';
  entity['createdAt'] = d['createdAt'] == null ? nowSec : Number(d['createdAt']);
  entity['updatedAt'] = nowSec;
  return entity;
}

function groupEntity(guid: string, d: Record<string, unknown>, nowSec: number): Record<string, unknown> {
  const entity: Record<string, unknown> = { guid };
  for (const field of ['name', 'type', 'icon', 'owner', 'metadata'] as const) if (d[field] != null) entity[field] = d[field];
  entity['conversationId'] = `group_${guid}`;
  entity['createdAt'] = d['createdAt'] == null ? nowSec : Number(d['createdAt']);
  entity['updatedAt'] = nowSec;
  return entity;
}
