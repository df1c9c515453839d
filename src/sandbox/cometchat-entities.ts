// One entity of an import request: judge it as CometChat would, store it, and build its reply.
// The field rules are the kind's own declaration (src/entities), held to CometChat's wire form
// (entities/wire.ts: a server does not read ISO dates or synonyms as chatmigrate's reader does);
// what only a server knows stays here: what exists already, and what was imported before.

import type { Kind } from '../entities/kind.js';
import { KINDS } from '../entities/kinds.js';
import { validateRecord } from '../entities/validate.js';
import type { Values } from '../entities/kind.js';
import { wireDifference } from '../entities/wire.js';
import { isPlainRecord } from '../entities/values.js';
import type { CometChatStore } from './cometchat-store.js';

/** A per-entity failure as CometChat reports it inside a 200 reply. */
export class EntityFailure {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export interface EntityContext {
  store: CometChatStore;
  /** The server clock in UNIX seconds, for "joinedAt must not be in the future". */
  nowSec: number;
  /** Members need their group and user to exist unless they bring groupDetails / userDetails. */
  requireKnownGroupsAndUsers: boolean;
  /** Keep the whole entity's JSON (true) or only its reply data (cheapest, for long benchmarks). */
  storeFullRecords: boolean;
  /** Messages sent more than this many days before the server clock are refused (0 = kept forever). */
  messageRetentionDays: number;
  onDuplicate(): void;
}

export type EntityOutcome = string | EntityFailure;

export const badRequest = (message: string) => new EntityFailure('ERR_BAD_REQUEST', message);
const invalidJoinedAt = (message: string) => new EntityFailure('ERR_IMPORT_INVALID_JOINEDAT', message);

/** The kind's rules in CometChat's form: the entity's values, or the failure CometChat would answer. */
export function judge(kind: Kind, key: string, value: unknown, nowSec: number, codeFor: (field: string, reason: string) => string): { values: Values } | EntityFailure {
  if (!isPlainRecord(value)) return badRequest(`The ${kind.entity} must be a JSON object.`);
  const checked = validateRecord(kind, value, { key, nowSeconds: nowSec });
  if (checked.ok === false) return new EntityFailure(codeFor(checked.field ?? '', checked.reason), `${checked.message}.`);
  if (checked.ok !== true) return badRequest(`The ${kind.entity} was refused by the rule ${checked.rule}.`);
  const off = wireDifference(kind, value, key, checked.key, checked.values);
  if (off) return new EntityFailure(codeFor(off.field, ''), `${off.field} must be ${off.expected} (as CometChat writes it).`);
  return { values: checked.values };
}

const memberCode = (field: string, reason: string): string =>
  field === 'joinedAt' || reason === 'JOINED_IN_FUTURE' || reason === 'JOINED_BEFORE_GROUP_CREATED' ? 'ERR_IMPORT_INVALID_JOINEDAT' : 'ERR_BAD_REQUEST';
const anyField = () => 'ERR_BAD_REQUEST';

export function importMember(key: string, value: unknown, ctx: EntityContext): EntityOutcome {
  const { store } = ctx;
  if (store.has('members', key)) {
    ctx.onDuplicate();
    return new EntityFailure('ERR_ALREADY_JOINED', `The user is already a member of the group (${key}).`);
  }
  const judged = judge(KINDS.members, key, value, ctx.nowSec, memberCode);
  if (judged instanceof EntityFailure) return judged;
  const m = judged.values;
  const guid = m['guid'] as string;
  const uid = m['uid'] as string;
  const groupDetails = m['groupDetails'] as Values | undefined;
  const userDetails = m['userDetails'] as Values | undefined;
  if (groupDetails === undefined && ctx.requireKnownGroupsAndUsers && !store.groups.has(guid)) {
    return new EntityFailure('ERR_GUID_NOT_FOUND', `The group with guid ${guid} does not exist.`);
  }
  if (userDetails === undefined && ctx.requireKnownGroupsAndUsers && !store.users.has(uid)) {
    return new EntityFailure('ERR_UID_NOT_FOUND', `The user with uid ${uid} does not exist.`);
  }
  // A group imported earlier counts too: the server knows when it was created.
  const createdAt = groupDetails?.['createdAt'] === undefined ? (store.groups.get(guid) ?? 0) : Number(groupDetails['createdAt']);
  const joinedAt = m['joinedAt'] === undefined ? ctx.nowSec : Number(m['joinedAt']);
  // Equality is fine: a group's initial members join the second it is created.
  if (joinedAt < createdAt) return invalidJoinedAt('joinedAt must not be earlier than the group createdAt.');
  if (groupDetails !== undefined) store.addGroup(guid, createdAt);
  // Users are only looked up to enforce existence; lenient mode skips the biggest set it would keep.
  if (userDetails !== undefined && ctx.requireKnownGroupsAndUsers) store.addUser(uid);
  const scope = m['scope'] as string;
  // Ids match [a-z0-9_-] and scope is one of three words: nothing here needs JSON escaping.
  const reply = `{"guid":"${guid}","uid":"${uid}","scope":"${scope}","joinedAt":${joinedAt}}`;
  store.acceptMember(key, ctx.storeFullRecords ? JSON.stringify(value) : undefined, scope, joinedAt, uid.length);
  return reply;
}

export function importUser(key: string, value: unknown, ctx: EntityContext): EntityOutcome {
  const { store } = ctx;
  if (store.users.has(key)) {
    if (store.has('users', key)) ctx.onDuplicate();
    return new EntityFailure('ERR_UID_ALREADY_EXISTS', `A user with uid ${key} already exists.`);
  }
  const judged = judge(KINDS.users, key, value, ctx.nowSec, anyField);
  if (judged instanceof EntityFailure) return judged;
  const u = judged.values;
  const reply: Record<string, unknown> = { uid: key, name: u['name'] };
  for (const field of ['avatar', 'link', 'metadata'] as const) if (u[field] !== undefined) reply[field] = field === 'metadata' ? JSON.parse(u[field] as string) : u[field];
  reply['status'] = 'offline';
  reply['role'] = u['role'] ?? 'default';
  if (u['tags'] !== undefined) reply['tags'] = JSON.parse(u['tags'] as string);
  if (u['lastActiveAt'] !== undefined) reply['lastActiveAt'] = Number(u['lastActiveAt']);
  if (u['deactivatedAt'] !== undefined) reply['deactivatedAt'] = Number(u['deactivatedAt']);
  reply['createdAt'] = u['createdAt'] === undefined ? ctx.nowSec : Number(u['createdAt']);
  const text = JSON.stringify(reply);
  store.addUser(key);
  store.accept('users', key, ctx.storeFullRecords ? JSON.stringify(value) : text);
  return text;
}

export function importGroup(key: string, value: unknown, ctx: EntityContext): EntityOutcome {
  const { store } = ctx;
  if (store.groups.has(key)) {
    if (store.has('groups', key)) ctx.onDuplicate();
    return new EntityFailure('ERR_GUID_ALREADY_EXISTS', `A group with guid ${key} already exists.`);
  }
  const judged = judge(KINDS.groups, key, value, ctx.nowSec, anyField);
  if (judged instanceof EntityFailure) return judged;
  const g = judged.values;
  const createdAt = g['createdAt'] === undefined ? ctx.nowSec : Number(g['createdAt']);
  const reply: Record<string, unknown> = { guid: key, name: g['name'], type: g['type'], conversationId: `group_${key}`, createdAt };
  if (g['owner'] !== undefined) reply['owner'] = g['owner'];
  const text = JSON.stringify(reply);
  const owner = g['groupOwnerDetails'] as Values | undefined;
  if (owner !== undefined) store.addUser(owner['uid'] as string);
  // Without a createdAt the real service would stamp "now" and then refuse every historical
  // joinedAt; the sandbox treats the creation time as unknown instead.
  store.addGroup(key, g['createdAt'] === undefined ? 0 : createdAt);
  store.accept('groups', key, ctx.storeFullRecords ? JSON.stringify(value) : text);
  return text;
}

export { isPlainRecord as isPlainObject };
