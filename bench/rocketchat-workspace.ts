// A seeded synthetic Rocket.Chat workspace (users, rooms, subscriptions; messages in
// rocketchat-messages.ts) with every case a workspace migration meets planted on purpose, and
// what each phase must make of it (counts per rule and reason, and the identities delivered),
// worked out from what was planted, not by running the mappers.

import { toCometChatId } from '../src/sources/rocketchat/cometchat-id.js';
import { createPrng } from './generate-records.js';

export const DAY = 86_400;

/** A date of a document: written in a mongoexport date form by the writer (its `dates` option). */
export class MongoDate {
  constructor(readonly seconds: number) {}
}
const d = (seconds: number): MongoDate => new MongoDate(seconds);
const METEOR = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
const FIRST = ['Maria', 'James', 'Aiko', 'Liam', 'Olivia', 'Noah', 'Fatima', 'Lucas', 'Chen', 'Emma', 'Mateo', 'Priya', 'Sofia', 'Ahmed', 'Hannah', 'Ivan', 'Zoe', 'Kwame'];
const LAST = ['Gonzalez', 'Smith', 'Tanaka', 'Okafor', 'Muller', 'Rossi', 'Kowalski', 'Nguyen', 'Haddad', 'Silva', 'Patel', 'Dubois'];
const ROOM_WORDS = ['product', 'weekend', 'support', 'design', 'release', 'backend', 'marketing', 'research', 'sales', 'travel'];

export interface WorkspaceShape {
  seed: number;
  /** Ordinary users (besides rocket.cat and the planted special ones). */
  users: number;
  publicRooms: number;
  privateRooms: number;
  directRooms: number;
  groupDirectRooms: number;
  /** Users that sent messages but are not in the users export. */
  deletedUsers: number;
  /** Plant a user and a room whose ids differ from earlier ones only in case (ID_COLLISION). */
  collisions: boolean;
  /** "Now", UNIX seconds: every date is before it. */
  now: number;
}

/** What one phase must report, and (when collected) the keys it must deliver. */
export interface PhaseExpectation {
  read: number;
  valid: number;
  skippedBy: Record<string, number>;
  invalidBy: Record<string, number>;
}

export interface GenUser {
  id: string;
  username: string;
  doc: Record<string, unknown>;
  /** users phase outcome: imported, or the rule / reason. */
  fate: 'user' | 'app-user' | 'other-user-type' | 'ID_COLLISION';
}

export interface GenRoom {
  id: string;
  t: 'c' | 'p' | 'd' | 'l' | 'v';
  doc: Record<string, unknown>;
  /** Source ids of the users subscribed (direct rooms: their uids). */
  members: string[];
  createdAt: number;
  fate: 'group' | 'direct' | 'self' | 'direct-room' | 'livechat-room' | 'voip-room' | 'encrypted-room' | 'ID_COLLISION';
  /** A direct room given by usernames only (an old export). */
  legacy?: boolean;
}

export interface Workspace {
  shape: WorkspaceShape;
  users: GenUser[];
  rooms: GenRoom[];
  subscriptions: Array<Record<string, unknown>>;
  /** Users the messages use: importable senders, and the deleted ones. */
  pool: GenUser[];
  deleted: Array<{ id: string; username: string }>;
  specials: { app: GenUser; other: GenUser; collided: GenUser | undefined; rocketCat: GenUser };
  expected: { groups: PhaseExpectation; members: PhaseExpectation; usersFromExport: PhaseExpectation };
  keys: { users: Set<string>; groups: Set<string>; members: Set<string> };
  rand: () => number;
}

export function emptyExpectation(): PhaseExpectation {
  return { read: 0, valid: 0, skippedBy: {}, invalidBy: {} };
}

export function count(e: PhaseExpectation, outcome: string, kind: 'valid' | 'skip' | 'invalid'): void {
  e.read++;
  if (kind === 'valid') e.valid++;
  else if (kind === 'skip') e.skippedBy[outcome] = (e.skippedBy[outcome] ?? 0) + 1;
  else e.invalidBy[outcome] = (e.invalidBy[outcome] ?? 0) + 1;
}

/** Users, rooms and subscriptions of a workspace, and what the first three phases make of them. */
export function createWorkspace(shape: WorkspaceShape): Workspace {
  if (!(shape.users >= 12)) throw new RangeError(`a generated workspace needs at least 12 users, got ${shape.users}`);
  const rand = createPrng(shape.seed);
  const pick = <T>(list: readonly T[]): T => list[rand() % list.length]!;
  const meteorId = (): string => {
    let id = '';
    for (let i = 0; i < 17; i++) id += METEOR[rand() % METEOR.length];
    return id;
  };
  const epoch = shape.now - 700 * DAY;

  const users: GenUser[] = [];
  const addUser = (id: string, username: string, fields: Record<string, unknown>, fate: GenUser['fate']): GenUser => {
    const u: GenUser = { id, username, doc: { _id: id, username, ...fields }, fate };
    users.push(u);
    return u;
  };
  const rocketCat = addUser('rocket.cat', 'rocket.cat', { name: 'Rocket.Cat', type: 'bot', active: true, roles: ['bot'], createdAt: d(epoch) }, 'user');
  for (let i = 0; i < shape.users; i++) {
    // The first id starts upper-case, so its lower-cased copy can be planted as a collision.
    let id = meteorId();
    if (i === 0) id = 'Q' + id.slice(1);
    const first = pick(FIRST);
    const username = `${first.toLowerCase()}.${i}`;
    const fields: Record<string, unknown> = {
      type: i % 11 === 3 ? 'bot' : 'user',
      active: i % 7 !== 4,
      roles: i % 13 === 5 ? ['user', 'bot'] : i % 9 === 0 ? ['admin', 'user'] : ['user'],
      createdAt: d(epoch + i * 60),
      emails: [{ address: `${username}@example.com`, verified: true }],
      services: { password: { bcrypt: `$2b$10$GENERATED-SECRET-${i}` }, resume: { loginTokens: [{ hashedToken: `GENERATED-TOKEN-${i}` }] } },
    };
    if (i % 17 !== 9) fields['name'] = `${first} ${pick(LAST)}`;
    if (i % 5 === 0) fields['avatarUrl'] = `https://cdn.example.com/avatars/${i}.png`;
    else if (i % 5 === 1) fields['avatarUrl'] = `/avatar/${username}`;
    if (i % 3 === 0) fields['lastLogin'] = d(shape.now - (i % 30) * DAY - 3600);
    if (i % 7 === 4) fields['_updatedAt'] = d(shape.now - 20 * DAY);
    addUser(id, username, fields, 'user');
  }
  addUser('john.doe', 'jdoe', { name: 'John Doe (custom id)', type: 'user', active: true, roles: ['user'], createdAt: d(epoch) }, 'user');
  addUser(meteorId(), 'long.name', { name: 'L'.repeat(60) + 'ong name that Rocket.Chat allowed but CometChat cuts at 100 characters', type: 'user', active: true, createdAt: d(epoch) }, 'user');
  const app = addUser(meteorId(), 'poll.app', { name: 'Poll App', type: 'app', active: true, roles: ['app'], createdAt: d(epoch) }, 'app-user');
  const other = addUser(meteorId(), 'guest-visitor', { name: 'Visitor', type: 'unknown', active: true, createdAt: d(epoch) }, 'other-user-type');
  const collided = shape.collisions ? addUser(users[1]!.id.toLowerCase(), 'lower.twin', { name: 'Lower-case twin', type: 'user', active: true, createdAt: d(epoch) }, 'ID_COLLISION') : undefined;
  const pool = users.filter((u) => u.fate === 'user');
  const deleted = Array.from({ length: shape.deletedUsers }, (_, k) => ({ id: meteorId(), username: `gone.${k}` }));

  // Rooms.
  const rooms: GenRoom[] = [];
  let roomClock = epoch + 30 * DAY;
  const addRoom = (id: string, t: GenRoom['t'], fields: Record<string, unknown>, members: string[], fate: GenRoom['fate']): GenRoom => {
    const createdAt = (roomClock += 3600);
    const r: GenRoom = { id, t, doc: { _id: id, t, ts: d(createdAt), ...fields }, members, createdAt, fate };
    rooms.push(r);
    return r;
  };
  const someMembers = (n: number, first: GenUser): string[] => {
    const set = new Set([first.id]);
    while (set.size < Math.min(n, pool.length)) set.add(pick(pool).id);
    return [...set];
  };
  addRoom('GENERAL', 'c', { name: 'general', default: true }, [...pool.map((u) => u.id), app.id, other.id, ...(collided ? [collided.id] : [])], 'group');
  for (let k = 0; k < shape.publicRooms; k++) {
    const owner = pick(pool);
    const fields: Record<string, unknown> = { name: `${pick(ROOM_WORDS)}-${k}`, u: { _id: owner.id, username: owner.username } };
    if (k === 0) Object.assign(fields, { joinCodeRequired: true, joinCode: 'open-sesame' });
    if (k === 1) Object.assign(fields, { archived: true, ro: true });
    if (k === 2) Object.assign(fields, { teamMain: true, teamId: '65a1b2c3d4e5f60718293a4b', fname: 'Engineering Team' });
    addRoom(meteorId(), 'c', fields, someMembers(3 + (rand() % 6), owner), 'group');
  }
  for (let k = 0; k < shape.privateRooms; k++) {
    const owner = pick(pool);
    addRoom(meteorId(), 'p', { name: `private-${pick(ROOM_WORDS)}-${k}`, fname: `Private ${k}`, u: { _id: owner.id, username: owner.username } }, someMembers(2 + (rand() % 4), owner), 'group');
  }
  const parent = rooms[rooms.length - 1]!;
  const discussant = pool[0]!;
  addRoom(meteorId(), 'p', { prid: parent.id, name: meteorId(), fname: 'A discussion', u: { _id: discussant.id, username: discussant.username } }, someMembers(3, discussant), 'group');
  const encOwner = pick(pool);
  addRoom(meteorId(), 'p', { name: 'secret-e2e', encrypted: true, u: { _id: encOwner.id, username: encOwner.username } }, someMembers(3, encOwner), 'encrypted-room');
  addRoom(meteorId(), 'l', { fname: 'Website visitor', v: { _id: other.id, username: other.username, token: 'visitor-token' }, servedBy: { _id: pool[1]!.id } }, [pool[1]!.id], 'livechat-room');
  addRoom(meteorId(), 'v', { name: 'call-1' }, [pool[2]!.id], 'voip-room');
  const direct = (a: GenUser | { id: string; username: string }, b: GenUser | { id: string; username: string }, legacy = false): GenRoom => {
    const [x, y] = a.id < b.id ? [a, b] : [b, a];
    const fields: Record<string, unknown> = { usernames: [x.username, y.username], usersCount: 2 };
    if (!legacy) fields['uids'] = [x.id, y.id];
    const r = addRoom(x.id + y.id, 'd', fields, [x.id, y.id], 'direct');
    if (legacy) r.legacy = true;
    return r;
  };
  // Pairs from the 11th user on: the ones before are the self, legacy and deleted-partner rooms'.
  const directs = Math.min(shape.directRooms, Math.floor((pool.length - 10) / 2));
  for (let k = 0; k < directs; k++) direct(pool[10 + 2 * k]!, pool[11 + 2 * k]!);
  const self = pool[3 % pool.length]!;
  addRoom(self.id + self.id, 'd', { uids: [self.id], usernames: [self.username], usersCount: 1 }, [self.id], 'self');
  direct(pool[4 % pool.length]!, pool[5 % pool.length]!, true);
  if (deleted.length > 0) direct(pool[6 % pool.length]!, deleted[deleted.length - 1]!);
  for (let k = 0; k < shape.groupDirectRooms; k++) {
    const ids = someMembers(3 + (k % 2), pool[(k * 3) % pool.length]!);
    const names = ids.map((id) => users.find((u) => u.id === id)!.username);
    addRoom(meteorId(), 'd', { uids: ids, usernames: names, usersCount: ids.length }, ids, 'group');
  }
  if (shape.collisions) addRoom('general', 'c', { name: 'general-twin' }, [pool[0]!.id], 'ID_COLLISION');

  // Subscriptions, and what the groups and members phases make of the rooms and them.
  const expected = { groups: emptyExpectation(), members: emptyExpectation(), usersFromExport: emptyExpectation() };
  const keys = { users: new Set<string>(), groups: new Set<string>(), members: new Set<string>() };
  const subscriptions: Array<Record<string, unknown>> = [];
  const byId = new Map(users.map((u) => [u.id, u]));
  for (const room of rooms) {
    const guid = toCometChatId(room.id);
    const roomOutcome = room.fate === 'group' ? 'group' : room.fate === 'direct' || room.fate === 'self' ? 'direct-room' : room.fate;
    if (roomOutcome === 'group') {
      count(expected.groups, '', 'valid');
      keys.groups.add(guid);
    } else count(expected.groups, roomOutcome, roomOutcome === 'ID_COLLISION' ? 'invalid' : 'skip');
    const creator = (room.doc['u'] as { _id?: string } | undefined)?._id;
    room.members.forEach((uid, k) => {
      const user = byId.get(uid);
      if (user === undefined) return; // a deleted user has no subscription left
      const sub: Record<string, unknown> = { _id: meteorId(), rid: room.id, t: room.t, u: { _id: uid, username: user.username }, ts: d(room.createdAt + 60 * (k + 1)), open: true };
      if (uid === creator) sub['roles'] = ['owner'];
      else if (k === 1) sub['roles'] = ['moderator'];
      subscriptions.push(sub);
      if (roomOutcome !== 'group') count(expected.members, roomOutcome, roomOutcome === 'ID_COLLISION' ? 'invalid' : 'skip');
      else if (user.fate === 'user') {
        count(expected.members, '', 'valid');
        keys.members.add(`${guid}_member_${toCometChatId(uid)}`);
      } else if (user.fate === 'ID_COLLISION') count(expected.members, 'ID_COLLISION', 'invalid');
      else count(expected.members, 'user-skipped', 'skip');
    });
  }
  // A subscription whose room was not exported.
  subscriptions.push({ _id: meteorId(), rid: 'NotExported01', t: 'c', u: { _id: pool[0]!.id, username: pool[0]!.username }, ts: d(epoch + 40 * DAY) });
  count(expected.members, 'ROOM_NOT_FOUND', 'invalid');

  for (const u of users) {
    if (u.fate === 'user') {
      count(expected.usersFromExport, '', 'valid');
      keys.users.add(toCometChatId(u.id));
    } else count(expected.usersFromExport, u.fate, u.fate === 'ID_COLLISION' ? 'invalid' : 'skip');
  }
  return { shape, users, rooms, subscriptions, pool, deleted, specials: { app, other, collided, rocketCat }, expected, keys, rand };
}
