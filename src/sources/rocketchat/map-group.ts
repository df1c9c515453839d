// Groups phase of a workspace migration: one `rocketchat_room` document → one CometChat group
// (c, p, and direct rooms of 3+ users as private groups), or a skip by the room rules of
// workspace-rules.ts (direct-room, livechat-room, voip-room, encrypted-room). The room is mapped
// from the tables, as the members phase maps its groupDetails: both say the same.

import type { MappedRecord } from '../mapped-record.js';
import { idText } from './extended-json.js';
import type { RocketChatTables } from './lookup-tables.js';
import { groupRecord } from './workspace-records.js';
import { classifyRoom, ROOM_RULES } from './workspace-rules.js';

export function mapGroup(value: unknown, tables: RocketChatTables): MappedRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'NOT_AN_OBJECT', message: 'the room is not a JSON object' };
  }
  const id = idText((value as Record<string, unknown>)['_id']);
  if (id === undefined) return { kind: 'invalid', reason: 'MISSING_GUID', message: 'the room has no _id' };
  const room = tables.room(id);
  if (!room) return { kind: 'invalid', reason: 'ROOM_NOT_FOUND', message: `room ${JSON.stringify(id)} is not in the rooms export the tables were loaded from` };
  const roomClass = classifyRoom(room, tables);
  if (roomClass.kind === 'direct') return { kind: 'skip', rule: ROOM_RULES.direct };
  if (roomClass.kind !== 'group') return roomClass;
  return { kind: 'record', record: groupRecord(room, tables) };
}
