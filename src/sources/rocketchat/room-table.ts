// The rooms of a Rocket.Chat export, reduced to what the mappings read (name, creator, join code,
// a direct room's users, a discussion's parent, creation time, flag bits) in a packed table, and
// checked once for CometChat id collisions (cometchat-id.ts), like the users.

import { createPackedTable } from './packed-table.js';
import { createRefIndex, type RefIndex } from './ref-index.js';
import { toCometChatId } from './cometchat-id.js';
import { dateSeconds, idText, isTrue, textOf } from './extended-json.js';
import type { LoadStats } from './user-table.js';

/** Room types (IRoom.t) as stored in a room's flag bits 0-2. */
export const ROOM_TYPE = { unknown: 0, c: 1, p: 2, d: 3, l: 4, v: 5, other: 6 } as const;
export type RoomTypeCode = (typeof ROOM_TYPE)[keyof typeof ROOM_TYPE];
const TYPE_MASK = 7;
/** Room flag bits above the type. */
export const ROOM_ARCHIVED = 8;
export const ROOM_DISCUSSION = 16;
export const ROOM_TEAM_MAIN = 32;
export const ROOM_READ_ONLY = 64;
/** Not stored: asked for by roomTags for a direct room of 3+ users imported as a private group. */
const GROUP_DM = 128;
/** Bits of the `extra` number. */
export const ROOM_ENCRYPTED = 1;
export const ROOM_COLLIDED = 2;
/** A direct room's users are given by username (old exports without `uids`). */
export const ROOM_DIRECT_BY_USERNAME = 4;

const R_NAME = 1, R_OWNER = 2, R_JOIN_CODE = 3, R_DIRECT = 4, R_PARENT = 5;
const R_CREATED = 0, R_USER_COUNT = 1, R_EXTRA = 2;

export interface RoomView {
  id: string;
  type: RoomTypeCode;
  /** `fname ?? name`; for a direct room without either, its usernames joined by ", ". */
  name: string | undefined;
  owner: string | undefined;
  /** Only for rooms that require it (joinCodeRequired with a non-empty joinCode). */
  joinCode: string | undefined;
  /** A direct room of at most 2 users: their ids (or usernames, see ROOM_DIRECT_BY_USERNAME). */
  direct: string[] | undefined;
  /** A direct room's number of users (`uids`, else `usernames`); 0 for other rooms. */
  userCount: number;
  /** A discussion's parent room (`prid`). */
  parent: string | undefined;
  createdAt: number;
  flags: number;
  extra: number;
}

export interface RoomTable {
  add(doc: unknown): void;
  find(id: string): RoomView | undefined;
  /** For a room whose CometChat id an earlier room holds: that earlier room's id. */
  collidesWith(id: string): string | undefined;
  readonly size: number;
  readonly stats: LoadStats;
  readonly bytes: number;
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

export function createRoomTable(): RoomTable {
  const table = createPackedTable(5, 3);
  const stats: LoadStats = { documents: 0, ignored: 0, duplicates: 0, collisions: 0 };
  let cometIds: RefIndex | undefined = createRefIndex((e) => toCometChatId(table.text(e, 0)!));
  const collided = new Map<number, number>();
  const texts: Array<string | undefined> = [undefined, undefined, undefined, undefined, undefined];
  const nums = [0, 0, 0];

  return {
    stats,
    get size() {
      return table.size;
    },
    get bytes() {
      return table.bytes + (cometIds?.bytes ?? 0);
    },
    add(doc) {
      stats.documents++;
      const r = asObject(doc);
      const id = r && idText(r['_id']);
      if (!r || id === undefined) return void stats.ignored++;
      const type = roomTypeCode(r['t']);
      const creator = asObject(r['u']);
      const usernames = textList(r['usernames']);
      const uids = Array.isArray(r['uids']) ? r['uids'].map(idText).filter((u): u is string => u !== undefined) : undefined;
      let extra = isTrue(r['encrypted']) ? ROOM_ENCRYPTED : 0;
      let direct: string[] | undefined;
      let userCount = 0;
      if (type === ROOM_TYPE.d) {
        const byUsername = (uids === undefined || uids.length === 0) && usernames !== undefined;
        const list = byUsername ? usernames : (uids ?? []);
        userCount = new Set(list).size;
        if (userCount <= 2) direct = list;
        if (byUsername) extra |= ROOM_DIRECT_BY_USERNAME;
      }
      texts[0] = textOf(r['fname']) ?? textOf(r['name']) ?? (type === ROOM_TYPE.d && usernames ? usernames.join(', ') : undefined);
      texts[1] = creator ? idText(creator['_id']) : undefined;
      texts[2] = isTrue(r['joinCodeRequired']) ? textOf(r['joinCode']) : undefined;
      texts[3] = direct !== undefined && direct.length > 0 ? direct.join('\n') : undefined;
      texts[4] = idText(r['prid']);
      nums[0] = dateSeconds(r['ts']);
      nums[1] = userCount;
      nums[2] = extra;
      let flags: number = type;
      if (isTrue(r['archived'])) flags |= ROOM_ARCHIVED;
      if (texts[4] !== undefined) flags |= ROOM_DISCUSSION;
      if (isTrue(r['teamMain'])) flags |= ROOM_TEAM_MAIN;
      if (isTrue(r['ro'])) flags |= ROOM_READ_ONLY;
      const e = table.size;
      if (!table.add(id, texts, nums, flags)) return void stats.duplicates++;
      if (!cometIds) throw new Error('the room table is sealed');
      const holder = cometIds.add(e, toCometChatId(id));
      if (holder >= 0) {
        collided.set(e, holder);
        stats.collisions++;
      }
    },
    find(id) {
      const e = table.find(id);
      if (e < 0) return undefined;
      const flags = table.flags(e);
      const direct = table.text(e, R_DIRECT);
      let extra = table.number(e, R_EXTRA);
      if (collided.has(e)) extra |= ROOM_COLLIDED;
      return {
        id,
        type: (flags & TYPE_MASK) as RoomTypeCode,
        name: table.text(e, R_NAME),
        owner: table.text(e, R_OWNER),
        joinCode: table.text(e, R_JOIN_CODE),
        // A stored empty list (a direct room without users) has no text: read it back as [].
        direct: direct !== undefined ? direct.split('\n') : (flags & TYPE_MASK) === ROOM_TYPE.d && table.number(e, R_USER_COUNT) === 0 ? [] : undefined,
        userCount: table.number(e, R_USER_COUNT),
        parent: table.text(e, R_PARENT),
        createdAt: table.number(e, R_CREATED),
        flags,
        extra,
      };
    },
    collidesWith(id) {
      if (collided.size === 0) return undefined;
      const e = table.find(id);
      const winner = e < 0 ? undefined : collided.get(e);
      return winner === undefined ? undefined : table.text(winner, 0);
    },
    seal() {
      table.seal();
      cometIds = undefined;
    },
  };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function textList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((v): v is string => typeof v === 'string' && v !== '');
  return list.length === 0 ? undefined : list;
}

// Shared arrays per flag combination: the validator copies tags into the JSON text, never mutates them.
const TAG_CACHE = new Map<number, string[]>();

/** A room's CometChat tags from its flags (archived, discussion, team, read-only; group-dm if asked). */
export function roomTags(flags: number, groupDm = false): string[] | undefined {
  const bits = (flags & (ROOM_ARCHIVED | ROOM_DISCUSSION | ROOM_TEAM_MAIN | ROOM_READ_ONLY)) | (groupDm ? GROUP_DM : 0);
  if (bits === 0) return undefined;
  let tags = TAG_CACHE.get(bits);
  if (tags === undefined) {
    tags = [];
    if (bits & GROUP_DM) tags.push('group-dm');
    if (bits & ROOM_ARCHIVED) tags.push('archived');
    if (bits & ROOM_DISCUSSION) tags.push('discussion');
    if (bits & ROOM_TEAM_MAIN) tags.push('team');
    if (bits & ROOM_READ_ONLY) tags.push('read-only');
    TAG_CACHE.set(bits, tags);
  }
  return tags;
}
