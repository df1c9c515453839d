// Maps one Rocket.Chat subscription (a membership), joined with its room and user, to a CometChat
// member exactly as SPEC §2.4 says; the record core then validates and normalizes it like any
// other member (lowercased ids, id alphabet, timestamps). Pure: tables in, outcome out.
//
// | Rocket.Chat                              | CometChat member                                   |
// |------------------------------------------|----------------------------------------------------|
// | room `_id` / user `_id`                  | guid / uid                                         |
// | subscription `roles` owner / moderator   | scope admin / moderator (else participant; leader) |
// | subscription `ts`                        | joinedAt                                           |
// | room `fname ?? name`, `u._id`, `ts`      | groupDetails.name, owner (if a valid id), createdAt |
// | room `t` p / c+joinCodeRequired / c      | type private / password (password = joinCode) / public |
// | room archived, prid, teamMain, ro        | groupDetails.tags archived, discussion, team, read-only |
// | user `name ?? username ?? _id`, `avatarUrl` | userDetails.name, avatar (absolute http(s) only) |
// | user `createdAt`, `lastLogin`            | userDetails.createdAt, lastActiveAt                |
// | user `active: false`                     | userDetails.deactivatedAt (workspace-records.ts deactivatedAt) |
// | user `type: 'bot'` or role `bot`         | userDetails.tags ["bot"]                           |
//
// Rooms of type d (direct), l (livechat) and v (voip) are skipped by rule, also when the room is
// missing from the rooms export (the subscription's own `t` says so).

import type { MappedRecord } from '../mapped-record.js';
import { idText, numberValue } from './extended-json.js';
import { asId } from '../../entities/fields.js';
import {
  ROOM_TYPE,
  roomTags,
  roomTypeCode,
  USER_BOT,
  USER_INACTIVE,
  type RocketChatTables,
  type RoomView,
} from './lookup-tables.js';
import { deactivatedAt } from './workspace-records.js';

export { deactivatedAt } from './workspace-records.js';

/** Skip rules (report.skippedBy) by room type. */
export const SKIP_RULES: Partial<Record<number, string>> = {
  [ROOM_TYPE.d]: 'direct-room',
  [ROOM_TYPE.l]: 'livechat-room',
  [ROOM_TYPE.v]: 'voip-room',
};

const BOT_TAGS = ['bot'];

export function mapSubscription(value: unknown, tables: RocketChatTables, nowSeconds: number): MappedRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'NOT_AN_OBJECT', message: 'the subscription is not a JSON object' };
  }
  const sub = value as Record<string, unknown>;
  const rid = idText(sub['rid']);
  const room = rid === undefined ? undefined : tables.room(rid);
  const type = room ? room.type : roomTypeCode(sub['t']);
  const rule = SKIP_RULES[type];
  if (rule !== undefined) return { kind: 'skip', rule };
  if (rid === undefined) return { kind: 'invalid', reason: 'MISSING_GUID', message: 'the subscription has no rid (room id)' };
  if (!room) return { kind: 'invalid', reason: 'ROOM_NOT_FOUND', message: `room ${JSON.stringify(rid)} is not in the rooms export` };
  if (type !== ROOM_TYPE.c && type !== ROOM_TYPE.p) {
    const what = type === ROOM_TYPE.unknown ? 'no type (t)' : 'a type (t) other than c, p, d, l, v';
    return { kind: 'invalid', reason: 'UNSUPPORTED_ROOM_TYPE', message: `room ${JSON.stringify(rid)} has ${what}` };
  }
  const u = sub['u'];
  const uid = typeof u === 'object' && u !== null ? idText((u as Record<string, unknown>)['_id']) : undefined;
  if (uid === undefined) return { kind: 'invalid', reason: 'MISSING_UID', message: 'the subscription has no u._id (user id)' };
  const user = tables.user(uid);
  if (!user) return { kind: 'invalid', reason: 'USER_NOT_FOUND', message: `user ${JSON.stringify(uid)} is not in the users export` };

  const member: Record<string, unknown> = { guid: rid, uid, scope: scopeOf(sub['roles']) };
  const joinedAt = rawDate(sub['ts']);
  if (joinedAt !== undefined) member['joinedAt'] = joinedAt;
  member['groupDetails'] = groupDetails(room);
  const userDetails: Record<string, unknown> = { uid, name: user.name };
  if (user.avatar !== undefined) userDetails['avatar'] = user.avatar;
  if (user.createdAt > 0) userDetails['createdAt'] = user.createdAt;
  if (user.lastLogin > 0) userDetails['lastActiveAt'] = user.lastLogin;
  if (user.flags & USER_BOT) userDetails['tags'] = BOT_TAGS;
  if (user.flags & USER_INACTIVE) userDetails['deactivatedAt'] = deactivatedAt(user, nowSeconds);
  member['userDetails'] = userDetails;
  return { kind: 'record', record: member };
}

/**
 * A date as the record core should judge it: the raw value (the core reads every mongoexport date
 * form), with a bare number wrapper ({"$numberLong": ms}, as users' dates may come) unwrapped.
 */
export function rawDate(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' && !('$date' in value) ? (numberValue(value) ?? value) : value;
}

/** owner wins over moderator; leader and anything else are participants. */
export function scopeOf(roles: unknown): 'admin' | 'moderator' | 'participant' {
  if (!Array.isArray(roles)) return 'participant';
  if (roles.includes('owner')) return 'admin';
  if (roles.includes('moderator')) return 'moderator';
  return 'participant';
}

function groupDetails(room: RoomView): Record<string, unknown> {
  const g: Record<string, unknown> = { guid: room.id, name: room.name };
  if (room.type === ROOM_TYPE.p) g['type'] = 'private';
  else if (room.joinCode !== undefined) {
    g['type'] = 'password';
    g['password'] = room.joinCode;
  } else g['type'] = 'public';
  // The owner is optional: a creator whose id CometChat cannot take (rocket.cat) is left out
  // rather than costing the room every membership.
  if (room.owner !== undefined && asId(room.owner) !== undefined) g['owner'] = room.owner;
  if (room.createdAt > 0) g['createdAt'] = room.createdAt;
  const tags = roomTags(room.flags);
  if (tags) g['tags'] = tags;
  return g;
}

