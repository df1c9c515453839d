// The users of a Rocket.Chat export, reduced to what the mappings read (a few texts, three dates,
// flag bits) in a packed table; found by id, by username (reactions name users by username), and
// checked once for CometChat id collisions (cometchat-id.ts). Placeholder users (senders missing
// from the export) live beside them, in the same id and username space.

import { createPackedTable } from './packed-table.js';
import { createRefIndex, type RefIndex } from './ref-index.js';
import { toCometChatId } from './cometchat-id.js';
import { dateSeconds, idText, textOf } from './extended-json.js';

/** User flag bits. */
export const USER_BOT = 1;
export const USER_INACTIVE = 2;
/** `type: "app"` (Rocket.Chat Apps' own users). */
export const USER_APP = 4;
/** A `type` other than user, bot and app (e.g. "unknown"); kept as text. */
export const USER_OTHER_TYPE = 8;
/** Its CometChat id was taken by an earlier user. */
export const USER_COLLIDED = 16;

// Text fields (0 is the _id), number fields. Roles and an unusual type share one field (rarely
// present, and each field costs every entry 4 bytes): "type\troles" with roles joined by "\n".
const U_NAME = 1, U_AVATAR = 2, U_USERNAME = 3, U_EXTRAS = 4;
const U_CREATED = 0, U_LAST_LOGIN = 1, U_UPDATED = 2;
const P_USERNAME = 1;
/** Refs above this bit are placeholders (entry = ref minus the bit). */
const PLACEHOLDER = 0x40000000;

export interface UserView {
  id: string;
  /** For display: `name ?? username ?? _id` (the first that is a non-empty string). */
  name: string | undefined;
  /** The document's own `name`, when it has one. */
  ownName: string | undefined;
  username: string | undefined;
  avatar: string | undefined;
  /** Roles other than the default `["user"]` alone (absent when that is all). */
  roles: string[] | undefined;
  /** A `type` that is not user, bot or app. */
  otherType: string | undefined;
  createdAt: number;
  lastLogin: number;
  /** Last change of the document: the best available time of a deactivation. */
  updatedAt: number;
  flags: number;
}

export interface PlaceholderView {
  id: string;
  username: string | undefined;
}

export interface LoadStats {
  documents: number;
  /** Documents without a usable _id, or not objects. */
  ignored: number;
  /** Documents whose _id was already loaded (the first one is kept). */
  duplicates: number;
  /** Documents whose CometChat id an earlier document already has (ID_COLLISION). */
  collisions: number;
}

export interface UserTable {
  add(doc: unknown): void;
  find(id: string): UserView | undefined;
  /** Only the flags of a user (no strings made), or -1 when the id is not a user. */
  flagsOf(id: string): number;
  /** Adds a placeholder for an id that is not a user; false when it is one, or already a placeholder. Call once every user is added. */
  addPlaceholder(id: string, username: string | undefined): boolean;
  placeholder(id: string): PlaceholderView | undefined;
  /** The user or placeholder holding `username` (the first one), as its source id. */
  idOfUsername(username: string): string | undefined;
  /** For an id (user or placeholder) whose CometChat id an earlier one holds: that earlier id. */
  collidesWith(id: string): string | undefined;
  /** Every user in export order (duplicates left out). */
  users(): Generator<UserView>;
  placeholders(): Generator<PlaceholderView>;
  readonly size: number;
  readonly placeholderCount: number;
  readonly stats: LoadStats;
  readonly bytes: number;
  /** Releases growth slack and the collision index (no more users or placeholders after it). */
  seal(): void;
}

export function createUserTable(): UserTable {
  const table = createPackedTable(4, 3, 4096);
  const holders = createPackedTable(1, 0, 64);
  const stats: LoadStats = { documents: 0, ignored: 0, duplicates: 0, collisions: 0 };
  const textOfRef = (ref: number, field: number): string | undefined => (ref & PLACEHOLDER ? holders.text(ref & ~PLACEHOLDER, field === U_USERNAME ? P_USERNAME : 0) : table.text(ref, field));
  const usernames = createRefIndex((ref) => textOfRef(ref, U_USERNAME));
  let cometIds: RefIndex | undefined = createRefIndex((ref) => toCometChatId(textOfRef(ref, 0)!));
  /** Loser ref → winner ref: collisions are rare, a Map is small. */
  const collided = new Map<number, number>();
  const texts: Array<string | undefined> = [undefined, undefined, undefined, undefined];
  const nums = [0, 0, 0];

  function claim(ref: number, id: string): boolean {
    if (!cometIds) throw new Error('the user table is sealed');
    const holder = cometIds.add(ref, toCometChatId(id));
    if (holder < 0) return true;
    collided.set(ref, holder);
    stats.collisions++;
    return false;
  }

  function view(e: number): UserView {
    const ownName = table.text(e, U_NAME);
    const username = table.text(e, U_USERNAME);
    const id = table.text(e, 0)!;
    const extras = table.text(e, U_EXTRAS);
    const tab = extras === undefined ? -1 : extras.indexOf('\t');
    const roles = extras === undefined ? '' : extras.slice(tab + 1);
    return {
      id,
      name: ownName ?? username ?? id,
      ownName,
      username,
      avatar: table.text(e, U_AVATAR),
      roles: roles === '' ? undefined : roles.split('\n'),
      otherType: tab > 0 ? extras!.slice(0, tab) : undefined,
      createdAt: table.number(e, U_CREATED),
      lastLogin: table.number(e, U_LAST_LOGIN),
      updatedAt: table.number(e, U_UPDATED),
      flags: table.flags(e),
    };
  }

  function refOf(id: string): number {
    const e = table.find(id);
    if (e >= 0) return e;
    const p = holders.find(id);
    return p >= 0 ? p | PLACEHOLDER : -1;
  }

  return {
    stats,
    get size() {
      return table.size;
    },
    get placeholderCount() {
      return holders.size;
    },
    get bytes() {
      return table.bytes + holders.bytes + usernames.bytes + (cometIds?.bytes ?? 0);
    },
    add(doc) {
      stats.documents++;
      const u = asObject(doc);
      const id = u && idText(u['_id']);
      if (!u || id === undefined) return void stats.ignored++;
      texts[0] = textOf(u['name']);
      texts[1] = httpUrl(u['avatarUrl']);
      texts[2] = textOf(u['username']);
      const roles = Array.isArray(u['roles']) ? u['roles'].filter((r): r is string => typeof r === 'string' && r !== '') : [];
      const ownRoles = roles.length === 0 || (roles.length === 1 && roles[0] === 'user') ? '' : roles.join('\n');
      const type = u['type'];
      const otherType = typeof type === 'string' && type !== '' && type !== 'user' && type !== 'bot' && type !== 'app' ? type.replace(/\t/g, ' ') : '';
      texts[3] = ownRoles === '' && otherType === '' ? undefined : `${otherType}\t${ownRoles}`;
      nums[0] = dateSeconds(u['createdAt']);
      nums[1] = dateSeconds(u['lastLogin']);
      nums[2] = dateSeconds(u['_updatedAt']);
      let flags = 0;
      if (type === 'bot' || roles.includes('bot')) flags |= USER_BOT;
      if (u['active'] === false) flags |= USER_INACTIVE;
      if (type === 'app') flags |= USER_APP;
      if (otherType !== '') flags |= USER_OTHER_TYPE;
      const e = table.size;
      if (!table.add(id, texts, nums, flags)) return void stats.duplicates++;
      // The flag is known only after the entry exists; entries are not rewritten, so a loser is
      // marked in the Map alone and flagsOf() consults it.
      claim(e, id);
      if (texts[2] !== undefined) usernames.add(e, texts[2]);
    },
    find(id) {
      const e = table.find(id);
      if (e < 0) return undefined;
      const v = view(e);
      if (collided.has(e)) v.flags |= USER_COLLIDED;
      return v;
    },
    flagsOf(id) {
      const e = table.find(id);
      if (e < 0) return -1;
      return collided.has(e) ? table.flags(e) | USER_COLLIDED : table.flags(e);
    },
    addPlaceholder(id, username) {
      if (table.find(id) >= 0) return false;
      const p = holders.size;
      if (!holders.add(id, [username], [], 0)) return false;
      claim(p | PLACEHOLDER, id);
      if (username !== undefined) usernames.add(p | PLACEHOLDER, username);
      return true;
    },
    placeholder(id) {
      const p = holders.find(id);
      return p < 0 ? undefined : { id, username: holders.text(p, P_USERNAME) };
    },
    idOfUsername(username) {
      const ref = usernames.find(username);
      return ref < 0 ? undefined : textOfRef(ref, 0);
    },
    collidesWith(id) {
      if (collided.size === 0) return undefined;
      const ref = refOf(id);
      const winner = ref < 0 ? undefined : collided.get(ref);
      return winner === undefined ? undefined : textOfRef(winner, 0);
    },
    *users() {
      for (let e = 0; e < table.size; e++) {
        const v = view(e);
        if (collided.has(e)) v.flags |= USER_COLLIDED;
        yield v;
      }
    },
    *placeholders() {
      for (let p = 0; p < holders.size; p++) yield { id: holders.text(p, 0)!, username: holders.text(p, P_USERNAME) };
    },
    seal() {
      table.seal();
      holders.seal();
      usernames.seal();
      cometIds = undefined;
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
