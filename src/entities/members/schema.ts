// The group-member kind (SPEC §1), declared once: what CometChat's /data_import/members takes.
// Fields in the order problems are reported (ids first, then the member's own fields, then the
// nested details); canonical JSON in CometChat's documented example order.

import { flag, object, oneOf, id, timestamp } from '../fields.js';
import { defineKind, fail, type Values } from '../kind.js';
import { groupShape } from '../groups/shape.js';
import { userShape } from '../users/shape.js';
import { tenDigitValue } from '../timestamps.js';

/** True when `text` is exactly `<guid>_member_<uid>`, compared in place (no concatenation). */
function isMemberIdOf(text: string, guid: string, uid: string): boolean {
  const g = guid.length;
  return text.length === g + 8 + uid.length && text.startsWith(guid) && text.startsWith('_member_', g) && text.endsWith(uid);
}

export const SCOPES = ['admin', 'moderator', 'participant'] as const;

/** Other words exports use for a scope (lowercase), in the order the message lists them. */
const SCOPE_SYNONYMS = { owner: 'admin', administrator: 'admin', mod: 'moderator', member: 'participant', user: 'participant' } as const;

const schema = object(
  {
    guid: id({ missing: 'MISSING_GUID', invalid: 'INVALID_GUID' }),
    uid: id({ missing: 'MISSING_UID', invalid: 'INVALID_UID' }),
    scope: oneOf(SCOPES, {
      default: 'participant',
      invalid: 'INVALID_SCOPE',
      synonyms: SCOPE_SYNONYMS,
      message: (_field, shown) => `scope ${shown} is not admin, moderator or participant (or ${Object.keys(SCOPE_SYNONYMS).join(', ')})`,
    }),
    isBanned: flag({ optional: true, invalid: 'INVALID_IS_BANNED' }),
    joinedAt: timestamp({ optional: true }),
    groupDetails: object(groupShape(), { optional: true, invalid: 'INVALID_GROUP_DETAILS' }),
    userDetails: object(userShape(), { optional: true, invalid: 'INVALID_USER_DETAILS' }),
  },
  {
    // Details name their own guid / uid only to repeat the member's: absent, they take it.
    inherit: { groupDetails: { guid: 'guid' }, userDetails: { uid: 'uid' } },
    output: ['memberId', 'uid', 'guid', 'joinedAt', 'scope', 'isBanned', 'groupDetails', 'userDetails'],
  },
);

type Details = Values | undefined;

export const members = defineKind({
  name: 'members',
  entity: 'member',
  schema,
  key: {
    field: 'memberId',
    derive: (m) => `${m['guid'] as string}_member_${m['uid'] as string}`,
    spells: (text, m) => isMemberIdOf(text, m['guid'] as string, m['uid'] as string),
    plain: true,
    match: 'lowercase',
    describe: '<guid>_member_<uid>',
    mismatch: 'INVALID_MEMBER_ID',
  },
  cross: [
    (m) => {
      const g = m['groupDetails'] as Details;
      return g !== undefined && g['guid'] !== m['guid']
        ? fail('INVALID_GROUP_DETAILS', `groupDetails.guid "${g['guid'] as string}" differs from the member guid "${m['guid'] as string}"`, 'groupDetails.guid')
        : undefined;
    },
    (m) => {
      const u = m['userDetails'] as Details;
      return u !== undefined && u['uid'] !== m['uid']
        ? fail('INVALID_USER_DETAILS', `userDetails.uid "${u['uid'] as string}" differs from the member uid "${m['uid'] as string}"`, 'userDetails.uid')
        : undefined;
    },
    // CometChat answers both with ERR_IMPORT_INVALID_JOINEDAT; judged here before any quota is spent.
    (m, ctx) => {
      const joinedAt = m['joinedAt'] as string | undefined;
      return joinedAt !== undefined && tenDigitValue(joinedAt) > ctx.nowSeconds
        ? fail('JOINED_IN_FUTURE', `joinedAt ${joinedAt} is after now (${Math.floor(ctx.nowSeconds)})`, 'joinedAt')
        : undefined;
    },
    (m) => {
      const joinedAt = m['joinedAt'] as string | undefined;
      const createdAt = (m['groupDetails'] as Details)?.['createdAt'] as string | undefined;
      // Equal-length digit strings compare like the numbers they spell.
      return joinedAt !== undefined && createdAt !== undefined && joinedAt < createdAt
        ? fail('JOINED_BEFORE_GROUP_CREATED', `joinedAt ${joinedAt} is before groupDetails.createdAt ${createdAt}`, 'joinedAt')
        : undefined;
    },
  ],
  signature: ['guid', 'uid'],
});
