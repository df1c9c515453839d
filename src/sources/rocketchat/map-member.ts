// Members phase of a workspace migration: one subscription → one CometChat member, as SPEC §2.4
// maps it (scope from roles, joinedAt from ts), with the workspace's id rule for guid and uid, the
// rooms' and users' decisions of workspace-rules.ts, and group DMs (3+ users) as members of their
// private group. The details it carries are the very records the users and groups phases import.

import type { MappedRecord } from '../mapped-record.js';
import { toCometChatId } from './cometchat-id.js';
import { idText } from './extended-json.js';
import { roomTypeCode, ROOM_TYPE, type RocketChatTables } from './lookup-tables.js';
import { rawDate, scopeOf } from './map-subscription.js';
import { groupRecord, placeholderRecord, userRecord, type WorkspaceOptions } from './workspace-records.js';
import { classifyRoom, ROOM_RULES, userState } from './workspace-rules.js';

/** Members' own skip rules besides the rooms' (ROOM_RULES). */
export const MEMBER_RULES = { userSkipped: 'user-skipped' } as const;

const TYPE_RULES: Partial<Record<number, string>> = {
  [ROOM_TYPE.d]: ROOM_RULES.direct,
  [ROOM_TYPE.l]: ROOM_RULES.livechat,
  [ROOM_TYPE.v]: ROOM_RULES.voip,
};

export function mapMember(value: unknown, tables: RocketChatTables, options: WorkspaceOptions): MappedRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'NOT_AN_OBJECT', message: 'the subscription is not a JSON object' };
  }
  const sub = value as Record<string, unknown>;
  const rid = idText(sub['rid']);
  const room = rid === undefined ? undefined : tables.room(rid);
  if (!room) {
    // A room missing from the export: the subscription's own copy of its type still says
    // whether it would have been skipped (a direct room's size is unknown: skipped as direct).
    const rule = TYPE_RULES[roomTypeCode(sub['t'])];
    if (rule !== undefined) return { kind: 'skip', rule };
    if (rid === undefined) return { kind: 'invalid', reason: 'MISSING_GUID', message: 'the subscription has no rid (room id)' };
    return { kind: 'invalid', reason: 'ROOM_NOT_FOUND', message: `room ${JSON.stringify(rid)} is not in the rooms export` };
  }
  const roomClass = classifyRoom(room, tables);
  if (roomClass.kind === 'direct') return { kind: 'skip', rule: ROOM_RULES.direct };
  if (roomClass.kind !== 'group') return roomClass;

  const u = sub['u'];
  const uid = typeof u === 'object' && u !== null ? idText((u as Record<string, unknown>)['_id']) : undefined;
  if (uid === undefined) return { kind: 'invalid', reason: 'MISSING_UID', message: 'the subscription has no u._id (user id)' };
  const state = userState(uid, tables);
  let userDetails: Record<string, unknown>;
  switch (state.kind) {
    case 'user':
      userDetails = userRecord(tables.user(uid)!, options);
      break;
    case 'placeholder':
      userDetails = placeholderRecord(tables.users.placeholder(uid)!, options);
      break;
    case 'skip':
      return { kind: 'skip', rule: MEMBER_RULES.userSkipped };
    case 'missing':
      return { kind: 'invalid', reason: 'USER_NOT_FOUND', message: `user ${JSON.stringify(uid)} is not in the users export` };
    default:
      return state;
  }

  const member: Record<string, unknown> = { guid: toCometChatId(room.id), uid: userDetails['uid'], scope: scopeOf(sub['roles']) };
  const joinedAt = rawDate(sub['ts']);
  if (joinedAt !== undefined) member['joinedAt'] = joinedAt;
  member['groupDetails'] = groupRecord(room, tables);
  member['userDetails'] = userDetails;
  return { kind: 'record', record: member };
}
