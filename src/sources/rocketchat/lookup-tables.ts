// The rooms and users a subscription is joined with, reduced at load time to the few fields the
// mapping needs (SPEC §2.4) and kept in packed tables: memory grows with rooms + users, never
// with subscriptions, and nothing else of the documents is kept (a user's `services` is cut out
// of the bytes before parsing: see strip-services.ts).

import { createPackedTable, type PackedTable } from './packed-table.js';
import { dateSeconds, idText, isTrue, textOf } from './extended-json.js';

/** Room types (IRoom.t) as stored in a room's flag bits 0-2. */
export const ROOM_TYPE = { unknown: 0, c: 1, p: 2, d: 3, l: 4, v: 5, other: 6 } as const;
export type RoomTypeCode = (typeof ROOM_TYPE)[keyof typeof ROOM_TYPE];
const TYPE_MASK = 7;
/** Room flag bits above the type. */
export const ROOM_ARCHIVED = 8;
export const ROOM_DISCUSSION = 16;
export const ROOM_TEAM_MAIN = 32;
export const ROOM_READ_ONLY = 64;
/** User flag bits. */
export const USER_BOT = 1;
export const USER_INACTIVE = 2;

// Field numbers inside the tables (text 0 is the _id).
const R_NAME = 1, R_OWNER = 2, R_JOIN_CODE = 3;
const R_CREATED = 0;
const U_NAME = 1, U_AVATAR = 2;
const U_CREATED = 0, U_LAST_LOGIN = 1, U_UPDATED = 2;

export interface RoomView {
  id: string;
  type: RoomTypeCode;
  name: string | undefined;
  owner: string | undefined;
  /** Only for rooms that require it (joinCodeRequired with a non-empty joinCode). */
  joinCode: string | undefined;
  createdAt: number;
  flags: number;
}

export interface UserView {
  id: string;
  name: string | undefined;
  avatar: string | undefined;
  createdAt: number;
  lastLogin: number;
  /** Last change of the document: the best available time of a deactivation. */
  updatedAt: number;
  flags: number;
}

export interface LoadStats {
  documents: number;
  /** Documents without a usable _id, or not objects. */
  ignored: number;
  /** Documents whose _id was already loaded (the first one is kept). */
  duplicates: number;
}

export interface RocketChatTables {
  addRoom(doc: unknown): void;
  addUser(doc: unknown): void;
  room(id: string): RoomView | undefined;
  user(id: string): UserView | undefined;
  /** The underlying tables (for their sizes). */
  readonly rooms: PackedTable;
  readonly users: PackedTable;
  readonly roomStats: LoadStats;
  readonly userStats: LoadStats;
  seal(): void;
}

export function roomTypeCode(t: unknown): RoomTypeCode {
  switch (t) {
    case 'c': return ROOM_TYPE.c;
    case 'p': return ROOM_TYPE.p;
    case 'd': return ROOM_TYPE.d;
    case 'l': return ROOM_TYPE.l;
    case 'v': return ROOM_TYPE.v;
    default: return t === undefined || t === null ? ROOM_TYPE.unknown : ROOM_TYPE.other;
  }
}

export function createRocketChatTables(): RocketChatTables {
  const rooms = createPackedTable(3, 1);
  const users = createPackedTable(2, 3, 4096);
  const roomStats: LoadStats = { documents: 0, ignored: 0, duplicates: 0 };
  const userStats: LoadStats = { documents: 0, ignored: 0, duplicates: 0 };
  const texts: Array<string | undefined> = [undefined, undefined, undefined];
  const nums = [0, 0, 0];

  return {
    rooms,
    users,
    roomStats,
    userStats,
    addRoom(doc) {
      roomStats.documents++;
      const r = asObject(doc);
      const id = r && idText(r['_id']);
      if (!r || id === undefined) return void roomStats.ignored++;
      const creator = asObject(r['u']);
      const joinCode = isTrue(r['joinCodeRequired']) ? textOf(r['joinCode']) : undefined;
      texts[0] = textOf(r['fname']) ?? textOf(r['name']);
      texts[1] = creator ? idText(creator['_id']) : undefined;
      texts[2] = joinCode;
      nums[0] = dateSeconds(r['ts']);
      let flags: number = roomTypeCode(r['t']);
      if (isTrue(r['archived'])) flags |= ROOM_ARCHIVED;
      if (idText(r['prid']) !== undefined) flags |= ROOM_DISCUSSION;
      if (isTrue(r['teamMain'])) flags |= ROOM_TEAM_MAIN;
      if (isTrue(r['ro'])) flags |= ROOM_READ_ONLY;
      if (!rooms.add(id, texts, nums, flags)) roomStats.duplicates++;
    },
    addUser(doc) {
      userStats.documents++;
      const u = asObject(doc);
      const id = u && idText(u['_id']);
      if (!u || id === undefined) return void userStats.ignored++;
      // CometChat needs a name: the id stands in for a user that has neither (seen in hand-made dumps).
      texts[0] = textOf(u['name']) ?? textOf(u['username']) ?? id;
      texts[1] = httpUrl(u['avatarUrl']);
      texts[2] = undefined;
      nums[0] = dateSeconds(u['createdAt']);
      nums[1] = dateSeconds(u['lastLogin']);
      nums[2] = dateSeconds(u['_updatedAt']);
      let flags = 0;
      const roles = u['roles'];
      if (u['type'] === 'bot' || (Array.isArray(roles) && roles.includes('bot'))) flags |= USER_BOT;
      if (u['active'] === false) flags |= USER_INACTIVE;
      if (!users.add(id, texts, nums, flags)) userStats.duplicates++;
    },
    room(id) {
      const e = rooms.find(id);
      if (e < 0) return undefined;
      const flags = rooms.flags(e);
      return {
        id,
        type: (flags & TYPE_MASK) as RoomTypeCode,
        name: rooms.text(e, R_NAME),
        owner: rooms.text(e, R_OWNER),
        joinCode: rooms.text(e, R_JOIN_CODE),
        createdAt: rooms.number(e, R_CREATED),
        flags,
      };
    },
    user(id) {
      const e = users.find(id);
      if (e < 0) return undefined;
      return {
        id,
        name: users.text(e, U_NAME),
        avatar: users.text(e, U_AVATAR),
        createdAt: users.number(e, U_CREATED),
        lastLogin: users.number(e, U_LAST_LOGIN),
        updatedAt: users.number(e, U_UPDATED),
        flags: users.flags(e),
      };
    },
    seal() {
      rooms.seal();
      users.seal();
    },
  };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Only absolute http(s) URLs make a CometChat avatar; Rocket.Chat's own avatars are served by path. */
function httpUrl(value: unknown): string | undefined {
  const t = textOf(value);
  return t !== undefined && /^https?:\/\//i.test(t) ? t : undefined;
}
