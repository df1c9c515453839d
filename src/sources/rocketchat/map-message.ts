// Messages phase of a workspace migration: one `rocketchat_message` document → one CometChat
// message (SPEC §2.5), or a skip by rule, or an invalid record. Pure: tables in, outcome out.
//
// | Rocket.Chat                         | CometChat message                                        |
// |-------------------------------------|----------------------------------------------------------|
// | `_id`, `ts`, `u._id`, `msg`         | muid (as is), sentAt, sender (toCometChatId), data.text  |
// | room c / p / direct of 3+ users     | receiverType group, receiver = the room's guid           |
// | direct room of 2 users              | receiverType user, receiver = the other user's uid       |
// | `tmid`, `editedAt`, `reactions`     | data.metadata parentMuid, editedAt, reactions            |
// | `files[]` / `file` (no thumbnails)  | type image/audio/video/file, data.attachments (--file-url) |
//
// Skipped by rule, checked in this order: `hidden` (`_hidden`: edit-history copies), `deleted`
// (`t: rm`), `e2e` (`t: e2e`, or an `e2e` state), `livechat` (`t: livechat…/omnichannel…`, or a
// livechat room), `system` (any other `t`: joins, leaves, renames…), `room-skipped` (voip and
// encrypted rooms), `user-skipped` (sender or receiver is an app or other-type user), `self-dm`
// (a direct room with oneself: whether CometChat takes a message to its own sender is unknown),
// `direct-without-receiver` (a direct message whose sender is not one of the room's two users, e.g.
// rewritten to rocket.cat by Rocket.Chat's "Unlink" erasure), `file-without-url`, `file-missing`
// (with a dump's files: none of the message's files was written, and it has no text). Retention
// is the messages kind's own rule.

import type { MappedRecord } from '../mapped-record.js';
import { toCometChatId } from './cometchat-id.js';
import { idText, textOf } from './extended-json.js';
import { ROOM_DIRECT_BY_USERNAME, type RocketChatTables, type RoomView } from './lookup-tables.js';
import { rawDate } from './map-subscription.js';
import { messageBody, messageMetadata } from './message-content.js';
import type { WorkspaceOptions } from './workspace-records.js';
import { classifyRoom, ROOM_RULES, userState, type Invalid } from './workspace-rules.js';

export const MESSAGE_RULES = {
  hidden: 'hidden',
  deleted: 'deleted',
  e2e: 'e2e',
  livechat: 'livechat',
  system: 'system',
  roomSkipped: 'room-skipped',
  userSkipped: 'user-skipped',
  selfDm: 'self-dm',
  noReceiver: 'direct-without-receiver',
  fileWithoutUrl: 'file-without-url',
  fileMissing: 'file-missing',
} as const;

/** Where a message goes, in source ids: what the pre-pass needs to find missing users. */
export interface MessageRoute {
  doc: Record<string, unknown>;
  muid: string;
  rid: string;
  room: RoomView;
  senderId: string;
  /** The sender's username as the message has it (a placeholder user keeps it). */
  senderName: string | undefined;
  /** A direct message's other user; undefined for a group message. */
  receiverId: string | undefined;
}

type Outcome = Exclude<MappedRecord, { kind: 'record' }>;
const skip = (rule: string): Outcome => ({ kind: 'skip', rule });

/** The rules that need no user: the message's kind, its room, and who it goes to. */
export function routeMessage(value: unknown, tables: RocketChatTables): Outcome | MessageRoute {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'NOT_AN_OBJECT', message: 'the message is not a JSON object' };
  }
  const doc = value as Record<string, unknown>;
  if (doc['_hidden'] === true) return skip(MESSAGE_RULES.hidden);
  const t = doc['t'];
  if (t === 'rm') return skip(MESSAGE_RULES.deleted);
  if (t === 'e2e' || typeof doc['e2e'] === 'string') return skip(MESSAGE_RULES.e2e);
  if (typeof t === 'string' && /^(livechat|omnichannel)/.test(t)) return skip(MESSAGE_RULES.livechat);
  if (t !== undefined && t !== null && t !== '') return skip(MESSAGE_RULES.system);

  const rid = idText(doc['rid']);
  if (rid === undefined) return { kind: 'invalid', reason: 'MISSING_RECEIVER', message: 'the message has no rid (room id)' };
  const room = tables.room(rid);
  if (!room) return { kind: 'invalid', reason: 'ROOM_NOT_FOUND', message: `room ${JSON.stringify(rid)} of the message is not in the rooms export` };
  const roomClass = classifyRoom(room, tables);
  if (roomClass.kind === 'skip') return skip(roomClass.rule === ROOM_RULES.livechat ? MESSAGE_RULES.livechat : MESSAGE_RULES.roomSkipped);
  if (roomClass.kind === 'invalid') return roomClass;

  const muid = idText(doc['_id']);
  if (muid === undefined) return { kind: 'invalid', reason: 'MISSING_MUID', message: 'the message has no _id (its muid)' };
  const u = doc['u'];
  const sender = typeof u === 'object' && u !== null ? (u as Record<string, unknown>) : undefined;
  const senderId = sender && idText(sender['_id']);
  if (senderId === undefined) return { kind: 'invalid', reason: 'MISSING_SENDER', message: 'the message has no u._id (its sender)' };

  let receiverId: string | undefined;
  if (roomClass.kind === 'direct') {
    const other = directPartner(room, senderId, tables);
    if (typeof other !== 'string') return skip(other.rule);
    receiverId = other;
  }
  return { doc, muid, rid, room, senderId, senderName: sender && textOf(sender['username']), receiverId };
}

/** The other user of a direct room (as a source id), or the rule that skips the message. */
function directPartner(room: RoomView, senderId: string, tables: RocketChatTables): string | { rule: string } {
  const listed = room.direct ?? [];
  const ids = room.extra & ROOM_DIRECT_BY_USERNAME ? listed.map((name) => tables.users.idOfUsername(name)) : listed;
  if (!ids.includes(senderId)) return { rule: MESSAGE_RULES.noReceiver };
  const others = ids.filter((id) => id !== senderId);
  if (others.length === 0) return { rule: MESSAGE_RULES.selfDm };
  // A username that names no known user leaves the partner unknown.
  const other = others[0];
  return other === undefined ? { rule: MESSAGE_RULES.noReceiver } : other;
}

/** The whole mapping: route, the users' states (placeholders stand in for missing users), content. */
export function mapMessage(value: unknown, tables: RocketChatTables, options: WorkspaceOptions): MappedRecord {
  const route = routeMessage(value, tables);
  if (!('muid' in route)) return route;
  const senderProblem = userProblem(route.senderId, tables, 'sender');
  if (senderProblem) return senderProblem;
  if (route.receiverId !== undefined) {
    const receiverProblem = userProblem(route.receiverId, tables, 'direct-message receiver');
    if (receiverProblem) return receiverProblem;
  }
  const body = messageBody(route.doc, route.rid, options.fileUrl, options.fileAvailable);
  if (body.kind === 'skip') return body;

  const data: Record<string, unknown> = {};
  if (body.text !== undefined) data['text'] = body.text;
  if (body.attachments !== undefined) data['attachments'] = body.attachments;
  const metadata = messageMetadata(route.doc, tables);
  if (metadata !== undefined) data['metadata'] = metadata;
  const record: Record<string, unknown> = {
    muid: route.muid,
    sender: toCometChatId(route.senderId),
    receiverType: route.receiverId === undefined ? 'group' : 'user',
    receiver: toCometChatId(route.receiverId ?? route.rid),
    type: body.type,
    data,
  };
  const sentAt = rawDate(route.doc['ts']);
  if (sentAt !== undefined) record['sentAt'] = sentAt;
  return { kind: 'record', record };
}

function userProblem(id: string, tables: RocketChatTables, role: string): Outcome | undefined {
  const state = userState(id, tables);
  switch (state.kind) {
    case 'user':
    case 'placeholder':
      return undefined;
    case 'skip':
      return skip(MESSAGE_RULES.userSkipped);
    case 'missing':
      return { kind: 'invalid', reason: 'MESSAGE_USER_NOT_FOUND', message: `the ${role} ${JSON.stringify(id)} is not in the users export, and no placeholder user was made for it (the messages were not scanned before the users phase)` };
    default:
      return state satisfies Invalid;
  }
}
