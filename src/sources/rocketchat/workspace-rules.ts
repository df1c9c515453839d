// What a workspace migration does with each room and each user id (SPEC §2.5), decided once here
// and read by every phase, so a room skipped in the groups phase is skipped for its members and
// messages too, and a user skipped or colliding in the users phase is never referenced later.

import type { ReasonCode } from '../../entities/reasons.js';
import { toCometChatId } from './cometchat-id.js';
import {
  ROOM_COLLIDED,
  ROOM_ENCRYPTED,
  ROOM_TYPE,
  USER_APP,
  USER_COLLIDED,
  USER_OTHER_TYPE,
  type RocketChatTables,
  type RoomView,
} from './lookup-tables.js';

/** Skip rules of rooms (groups phase; members take them as they are). */
export const ROOM_RULES = {
  direct: 'direct-room',
  livechat: 'livechat-room',
  voip: 'voip-room',
  encrypted: 'encrypted-room',
} as const;

/** Skip rules of users (users phase). */
export const USER_RULES = { app: 'app-user', otherType: 'other-user-type' } as const;

export interface Invalid {
  kind: 'invalid';
  reason: ReasonCode;
  message: string;
}

export type RoomClass =
  /** c, p, or a direct room of 3 or more users: a CometChat group. */
  | { kind: 'group' }
  /** A direct room of 1 or 2 users: its messages go to a user, there is no group. */
  | { kind: 'direct' }
  | { kind: 'skip'; rule: string }
  | Invalid;

export function classifyRoom(room: RoomView, tables: RocketChatTables): RoomClass {
  switch (room.type) {
    case ROOM_TYPE.l: return { kind: 'skip', rule: ROOM_RULES.livechat };
    case ROOM_TYPE.v: return { kind: 'skip', rule: ROOM_RULES.voip };
    case ROOM_TYPE.c:
    case ROOM_TYPE.p:
    case ROOM_TYPE.d:
      break;
    default: {
      const what = room.type === ROOM_TYPE.unknown ? 'no type (t)' : 'a type (t) other than c, p, d, l, v';
      return { kind: 'invalid', reason: 'UNSUPPORTED_ROOM_TYPE', message: `room ${JSON.stringify(room.id)} has ${what}` };
    }
  }
  // Encrypted content cannot be read; mmetl and Zulip skip such rooms too.
  if (room.extra & ROOM_ENCRYPTED) return { kind: 'skip', rule: ROOM_RULES.encrypted };
  if (room.type === ROOM_TYPE.d && room.userCount <= 2) return { kind: 'direct' };
  if (room.extra & ROOM_COLLIDED) return roomCollision(room.id, tables.rooms.collidesWith(room.id) ?? '');
  return { kind: 'group' };
}

export function roomCollision(id: string, winner: string): Invalid {
  return {
    kind: 'invalid',
    reason: 'ID_COLLISION',
    message: `room ${JSON.stringify(id)} maps to the CometChat guid ${JSON.stringify(toCometChatId(id))}, which room ${JSON.stringify(winner)} (earlier in the rooms export) already has`,
  };
}

export type UserState =
  | { kind: 'user' }
  /** Not in the users export: a placeholder user stands in (found by the pre-pass over the messages). */
  | { kind: 'placeholder' }
  | { kind: 'skip'; rule: string }
  | Invalid
  | { kind: 'missing' };

/** What the users phase made of a user id. */
export function userState(id: string, tables: RocketChatTables): UserState {
  const flags = tables.users.flagsOf(id);
  if (flags < 0) {
    if (tables.users.placeholder(id) === undefined) return { kind: 'missing' };
    const winner = tables.users.collidesWith(id);
    return winner === undefined ? { kind: 'placeholder' } : userCollision(id, winner, true);
  }
  if (flags & USER_APP) return { kind: 'skip', rule: USER_RULES.app };
  if (flags & USER_OTHER_TYPE) return { kind: 'skip', rule: USER_RULES.otherType };
  if (flags & USER_COLLIDED) return userCollision(id, tables.users.collidesWith(id) ?? '', false);
  return { kind: 'user' };
}

/** `placeholder`: the losing id is a sender missing from the users export. */
export function userCollision(id: string, winner: string, placeholder: boolean): Invalid {
  const who = placeholder ? `the deleted user ${JSON.stringify(id)} (a message sender missing from the users export)` : `user ${JSON.stringify(id)}`;
  const where = placeholder ? 'a user of the export or an earlier deleted user' : 'earlier in the users export';
  return {
    kind: 'invalid',
    reason: 'ID_COLLISION',
    message: `${who} maps to the CometChat uid ${JSON.stringify(toCometChatId(id))}, which ${JSON.stringify(winner)} (${where}) already has`,
  };
}

/** A user id a group may name as its owner: one imported in the users phase. */
export function ownerId(id: string | undefined, tables: RocketChatTables): string | undefined {
  if (id === undefined) return undefined;
  const s = userState(id, tables);
  return s.kind === 'user' || s.kind === 'placeholder' ? toCometChatId(id) : undefined;
}
