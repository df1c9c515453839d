// One entity of an import request: check it like CometChat does, store it, and build its reply.
// Each function returns the JSON text of the reply's `data` object on success, or an
// EntityFailure (see cometchat-store.ts for how accepted records are kept).

import type { CometChatStore } from './cometchat-store.js';
import {
  EntityFailure,
  badRequest,
  checkGroupFields,
  checkId,
  checkUserFields,
  isPlainObject,
  parseUnixSeconds,
} from './cometchat-rules.js';

export interface EntityContext {
  store: CometChatStore;
  /** The server clock in UNIX seconds, for "joinedAt must not be in the future". */
  nowSec: number;
  /** Members need their group and user to exist unless they bring groupDetails / userDetails. */
  requireKnownGroupsAndUsers: boolean;
  /** Keep the whole entity's JSON (true) or only its reply data (cheapest, for long benchmarks). */
  storeFullRecords: boolean;
  onDuplicate(): void;
}

export type EntityOutcome = string | EntityFailure;

const SCOPES = new Set(['admin', 'moderator', 'participant']);

export function importMember(key: string, value: unknown, ctx: EntityContext): EntityOutcome {
  if (!isPlainObject(value)) return badRequest('The member must be a JSON object.');
  const { store } = ctx;
  if (store.has('members', key)) {
    ctx.onDuplicate();
    return new EntityFailure('ERR_ALREADY_JOINED', `The user is already a member of the group (${key}).`);
  }
  const guid = value['guid'];
  const uid = value['uid'];
  const fieldFailure = checkId(guid, 'guid') ?? checkId(uid, 'uid');
  if (fieldFailure) return fieldFailure;
  const g = guid as string;
  const u = uid as string;
  const memberId = value['memberId'];
  if (memberId === undefined) return badRequest('memberId is required.');
  if (memberId !== key) return badRequest('memberId must be the same as the key that wraps the member.');
  // key === guid + '_member_' + uid, compared in place (no string built per entity).
  if (key.length !== g.length + 8 + u.length || !key.startsWith(g) || !key.startsWith('_member_', g.length) || !key.endsWith(u)) {
    return badRequest('memberId must be <guid>_member_<uid>.');
  }

  const scope = value['scope'] ?? 'participant';
  if (typeof scope !== 'string' || !SCOPES.has(scope)) return badRequest('scope must be one of admin, moderator, participant.');
  const isBanned = value['isBanned'];
  if (isBanned !== undefined && typeof isBanned !== 'boolean') return badRequest('isBanned must be a boolean.');

  const gd = value['groupDetails'];
  let createdAtSec = 0;
  if (gd !== undefined) {
    if (!isPlainObject(gd)) return badRequest('groupDetails must be a JSON object.');
    const failure = checkGroupFields(gd, 'groupDetails.');
    if (failure) return failure;
    if (gd['guid'] !== g) return badRequest('groupDetails.guid must be the same as the member guid.');
    if (gd['createdAt'] !== undefined) createdAtSec = parseUnixSeconds(gd['createdAt']);
  } else if (ctx.requireKnownGroupsAndUsers && !store.groups.has(g)) {
    return new EntityFailure('ERR_GUID_NOT_FOUND', `The group with guid ${g} does not exist.`);
  }
  if (createdAtSec === 0) createdAtSec = store.groups.get(g) ?? 0;

  const ud = value['userDetails'];
  if (ud !== undefined) {
    if (!isPlainObject(ud)) return badRequest('userDetails must be a JSON object.');
    const failure = checkUserFields(ud, 'userDetails.');
    if (failure) return failure;
    if (ud['uid'] !== u) return badRequest('userDetails.uid must be the same as the member uid.');
  } else if (ctx.requireKnownGroupsAndUsers && !store.users.has(u)) {
    return new EntityFailure('ERR_UID_NOT_FOUND', `The user with uid ${u} does not exist.`);
  }

  let joinedAt = ctx.nowSec;
  if (value['joinedAt'] !== undefined) {
    joinedAt = parseUnixSeconds(value['joinedAt']);
    if (Number.isNaN(joinedAt)) return invalidJoinedAt('joinedAt must be a 10-digit UNIX timestamp.');
    if (joinedAt > ctx.nowSec) return invalidJoinedAt('joinedAt must not be later than the current time.');
    // Equality is fine: a group's initial members join the second it is created.
    if (joinedAt < createdAtSec) return invalidJoinedAt('joinedAt must not be earlier than the group createdAt.');
  }

  if (gd !== undefined) store.addGroup(g, createdAtSec);
  // Users are only looked up to enforce existence; lenient mode skips the biggest set it would keep.
  if (ud !== undefined && ctx.requireKnownGroupsAndUsers) store.addUser(u);
  // Ids match [a-z0-9_-] and scope is one of three words: nothing here needs JSON escaping.
  const reply = `{"guid":"${g}","uid":"${u}","scope":"${scope}","joinedAt":${joinedAt}}`;
  store.acceptMember(key, ctx.storeFullRecords ? JSON.stringify(value) : undefined, scope, joinedAt, u.length);
  return reply;
}

function invalidJoinedAt(message: string): EntityFailure {
  return new EntityFailure('ERR_IMPORT_INVALID_JOINEDAT', message);
}

export function importUser(key: string, value: unknown, ctx: EntityContext): EntityOutcome {
  if (!isPlainObject(value)) return badRequest('The user must be a JSON object.');
  const { store } = ctx;
  if (store.users.has(key)) {
    if (store.has('users', key)) ctx.onDuplicate();
    return new EntityFailure('ERR_UID_ALREADY_EXISTS', `A user with uid ${key} already exists.`);
  }
  const failure = checkUserFields(value, '');
  if (failure) return failure;
  if (value['uid'] !== key) return badRequest('uid must be the same as the key that wraps the user.');

  const reply: Record<string, unknown> = { uid: key, name: value['name'] };
  if (value['avatar'] !== undefined) reply['avatar'] = value['avatar'];
  if (value['link'] !== undefined) reply['link'] = value['link'];
  if (value['metadata'] !== undefined) reply['metadata'] = value['metadata'];
  reply['status'] = 'offline';
  reply['role'] = value['role'] ?? 'default';
  if (value['tags'] !== undefined) reply['tags'] = value['tags'];
  if (value['lastActiveAt'] !== undefined) reply['lastActiveAt'] = parseUnixSeconds(value['lastActiveAt']);
  if (value['deactivatedAt'] !== undefined) reply['deactivatedAt'] = parseUnixSeconds(value['deactivatedAt']);
  reply['createdAt'] = value['createdAt'] === undefined ? ctx.nowSec : parseUnixSeconds(value['createdAt']);

  const text = JSON.stringify(reply);
  store.addUser(key);
  store.accept('users', key, ctx.storeFullRecords ? JSON.stringify(value) : text);
  return text;
}

export function importGroup(key: string, value: unknown, ctx: EntityContext): EntityOutcome {
  if (!isPlainObject(value)) return badRequest('The group must be a JSON object.');
  const { store } = ctx;
  if (store.groups.has(key)) {
    if (store.has('groups', key)) ctx.onDuplicate();
    return new EntityFailure('ERR_GUID_ALREADY_EXISTS', `A group with guid ${key} already exists.`);
  }
  const failure = checkGroupFields(value, '');
  if (failure) return failure;
  if (value['guid'] !== key) return badRequest('guid must be the same as the key that wraps the group.');
  const owner = value['groupOwnerDetails'];
  if (owner !== undefined) {
    if (!isPlainObject(owner)) return badRequest('groupOwnerDetails must be a JSON object.');
    const ownerFailure = checkUserFields(owner, 'groupOwnerDetails.');
    if (ownerFailure) return ownerFailure;
  }

  const createdAt = value['createdAt'] === undefined ? ctx.nowSec : parseUnixSeconds(value['createdAt']);
  const reply: Record<string, unknown> = {
    guid: key,
    name: value['name'],
    type: value['type'],
    conversationId: `group_${key}`,
    createdAt,
  };
  if (value['owner'] !== undefined) reply['owner'] = value['owner'];

  const text = JSON.stringify(reply);
  if (owner !== undefined) store.addUser((owner as Record<string, unknown>)['uid'] as string);
  // Without a createdAt the real service would stamp "now" and then refuse every historical
  // joinedAt; the sandbox treats the creation time as unknown instead.
  store.addGroup(key, value['createdAt'] === undefined ? 0 : createdAt);
  store.accept('groups', key, ctx.storeFullRecords ? JSON.stringify(value) : text);
  return text;
}
