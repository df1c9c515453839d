// Entry point of the record core: one raw record in, a normalized member + canonical JSON or a
// reason code out. Never throws: bad data is an outcome.
//
// Steps: (1) convert raw values (ids, scope, flags, timestamps) into a draft built in canonical
// key order; (2) judge the draft with the hot-path mirror of memberSchema, and only when it fails
// ask zod which rule failed (zod is the reference; the mirror is ~5x cheaper, see
// member-schema.ts); (3) cross-field rules (memberId/map key, details ids, joinedAt bounds);
// (4) canonical JSON.
//
// Unknown fields are dropped: only the fields of SPEC §1 are copied into the member, so an
// export's extra columns (or anything secret in them) never reach the target. `null` counts as
// absent for optional fields (exports write null for "no value"). Metadata objects and tag
// arrays are shared with the raw record, not copied.

import type { GroupDetails, Member, UserDetails } from './member.js';
import type { ReasonCode } from './reasons.js';
import { canonicalId, isMemberIdOf, memberIdOf, normalizeFlag, normalizeGroupType, normalizeId, normalizeScope } from './ids.js';
import {
  charCount,
  fitsBytes,
  fitsChars,
  isPlainRecord,
  LIMITS,
  isValidMemberDraft,
  memberSchema,
  detailsMetadataText,
  metadataText,
  reasonForIssue,
  type MemberDraft,
} from './member-schema.js';
import { plainLength, serializeMember, serializeValidMember } from './serialize-member.js';
import { MAX_UNIX_SECONDS, MIN_UNIX_SECONDS, parseUnixSeconds, toTimestampText } from './timestamps.js';
import type { z } from 'zod';

export interface ValidateContext {
  /** The map key in the {"<memberId>": {...}} format, raw (not lowercased). */
  key?: string;
  /** "Now" in UNIX seconds: joinedAt after it is rejected. */
  nowSeconds: number;
}

export type Validated =
  | { ok: true; member: Member; json: string }
  | { ok: false; reason: ReasonCode; message: string };

export function validateMember(raw: unknown, ctx: ValidateContext): Validated {
  try {
    return validate(raw, ctx);
  } catch (err) {
    // Only records built in code can get here (throwing getters, proxies): JSON data cannot.
    const detail = err instanceof Error ? err.message : typeof err;
    return fail('NOT_AN_OBJECT', `the record could not be read as a JSON object (${detail.slice(0, 200)})`);
  }
}

function validate(raw: unknown, ctx: ValidateContext): Validated {
  if (!isPlainRecord(raw)) return fail('NOT_AN_OBJECT', `the record is ${describeValue(raw)}, not a JSON object`);
  const common = validateCommon(raw, ctx);
  if (common !== undefined) return common;
  const draft = buildMemberDraft(raw, ctx.key);
  const groupMeta = detailsMetadataText(draft.groupDetails);
  const userMeta = detailsMetadataText(draft.userDetails);
  let trusted = true;
  if (!isValidMemberDraft(draft, groupMeta, userMeta)) {
    const result = memberSchema.safeParse(draft);
    if (!result.success) return fail(...explainIssue(result.error.issues[0] as z.core.$ZodIssue, draft, raw));
    // zod (the reference) accepted what the mirror rejected: a mirror bug the tests should have
    // caught. The record goes on, serialized without trusting any field to be escape-free.
    trusted = false;
  }
  const member = draft as Member;
  const crossProblem = checkCrossFields(member, raw, ctx);
  if (crossProblem !== undefined) return crossProblem;
  const json = trusted ? serializeValidMember(member, groupMeta, userMeta) : serializeMember(member);
  return { ok: true, member, json };
}

/**
 * Step 1: converted values in canonical key order; values that do not convert are kept as they
 * are for the schema to judge. Exported for the tests that hold the mirror against zod.
 */
export function buildMemberDraft(raw: Record<string, unknown>, key?: string): MemberDraft {
  const guid = normalizeId(raw.guid);
  const uid = normalizeId(raw.uid);
  const memberId = typeof guid === 'string' && typeof uid === 'string' ? pickMemberId(raw.memberId, key, guid, uid) : '';
  // Assigned field by field so the object's key order is the canonical order (see serialize-member.ts).
  const draft = { memberId, uid, guid } as MemberDraft;
  const joinedAt = raw.joinedAt;
  if (joinedAt != null) draft.joinedAt = toTimestampText(joinedAt) ?? joinedAt;
  draft.scope = raw.scope == null ? 'participant' : normalizeScope(raw.scope);
  if (raw.isBanned != null) draft.isBanned = normalizeFlag(raw.isBanned);
  if (raw.groupDetails != null) draft.groupDetails = buildGroupDraft(raw.groupDetails, guid);
  if (raw.userDetails != null) draft.userDetails = buildUserDraft(raw.userDetails, uid);
  return draft;
}

/**
 * `<guid>_member_<uid>`, reusing the record's memberId or the map key when one already spells it:
 * those strings are flat, while a fresh concatenation is a rope that costs a copy the first time
 * it is compared (measured ~8% of validateMember).
 */
function pickMemberId(rawId: unknown, key: string | undefined, guid: string, uid: string): string {
  if (typeof rawId === 'string' && isMemberIdOf(rawId, guid, uid)) return rawId;
  if (typeof key === 'string' && isMemberIdOf(key, guid, uid)) return key;
  return memberIdOf(guid, uid);
}

function buildGroupDraft(value: unknown, guid: unknown): unknown {
  if (!isPlainRecord(value)) return value;
  const g: Record<string, unknown> = {
    guid: value.guid == null ? guid : normalizeId(value.guid),
    name: value.name,
    type: normalizeGroupType(value.type),
  };
  if (value.owner != null) g.owner = normalizeId(value.owner);
  if (value.createdAt != null) g.createdAt = timestampOrRaw(value.createdAt);
  if (value.icon != null) g.icon = value.icon;
  if (value.password != null) g.password = value.password;
  if (value.metadata != null) g.metadata = value.metadata;
  if (value.tags != null) g.tags = value.tags;
  return g;
}

function buildUserDraft(value: unknown, uid: unknown): unknown {
  if (!isPlainRecord(value)) return value;
  const u: Record<string, unknown> = { uid: value.uid == null ? uid : normalizeId(value.uid), name: value.name };
  if (value.avatar != null) u.avatar = value.avatar;
  if (value.link != null) u.link = value.link;
  if (value.role != null) u.role = value.role;
  if (value.createdAt != null) u.createdAt = timestampOrRaw(value.createdAt);
  if (value.lastActiveAt != null) u.lastActiveAt = timestampOrRaw(value.lastActiveAt);
  if (value.metadata != null) u.metadata = value.metadata;
  if (value.tags != null) u.tags = value.tags;
  if (value.deactivatedAt != null) u.deactivatedAt = timestampOrRaw(value.deactivatedAt);
  return u;
}

function timestampOrRaw(value: unknown): unknown {
  return toTimestampText(value) ?? value;
}

/** Rules that relate fields to each other or to the context; the member is structurally valid. */
function checkCrossFields(m: Member, raw: Record<string, unknown>, ctx: ValidateContext): Validated | undefined {
  const rawId = raw.memberId;
  if (rawId != null && rawId !== m.memberId && !(typeof rawId === 'string' && rawId.toLowerCase() === m.memberId)) {
    return fail('INVALID_MEMBER_ID', `memberId ${describeValue(rawId)} does not match <guid>_member_<uid> = "${m.memberId}"`);
  }
  const key = ctx.key;
  if (key !== undefined && key !== m.memberId && !(typeof key === 'string' && key.toLowerCase() === m.memberId)) {
    return fail('INVALID_MEMBER_ID', `map key ${describeValue(key)} does not match <guid>_member_<uid> = "${m.memberId}"`);
  }
  const g = m.groupDetails;
  if (g !== undefined && g.guid !== m.guid) {
    return fail('INVALID_GROUP_DETAILS', `groupDetails.guid "${g.guid}" differs from the member guid "${m.guid}"`);
  }
  const u = m.userDetails;
  if (u !== undefined && u.uid !== m.uid) {
    return fail('INVALID_USER_DETAILS', `userDetails.uid "${u.uid}" differs from the member uid "${m.uid}"`);
  }
  if (m.joinedAt !== undefined) {
    if (Number(m.joinedAt) > ctx.nowSeconds) {
      return fail('JOINED_IN_FUTURE', `joinedAt ${m.joinedAt} is after now (${Math.floor(ctx.nowSeconds)})`);
    }
    // Equal-length digit strings compare like the numbers they spell.
    if (g?.createdAt !== undefined && m.joinedAt < g.createdAt) {
      return fail('JOINED_BEFORE_GROUP_CREATED', `joinedAt ${m.joinedAt} is before groupDetails.createdAt ${g.createdAt}`);
    }
  }
  return undefined;
}

/** Reason and message for the first zod issue; values are shown as the record wrote them. */
function explainIssue(issue: z.core.$ZodIssue, draft: MemberDraft, raw: Record<string, unknown>): [ReasonCode, string] {
  const path = issue.path;
  const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : '.' + String(p))).join('');
  const draftValue = valueAt(draft, path);
  const reason = reasonForIssue(issue, draftValue);
  const value = valueAt(raw, path) ?? draftValue;
  const params = (issue as { params?: { limit?: number; unit?: string; unserializable?: boolean } }).params;
  if (reason === 'LIMIT_EXCEEDED') {
    return [reason, `${field} has ${measure(value, params?.unit)} ${params?.unit ?? ''}, over CometChat's limit of ${params?.limit ?? '?'}`];
  }
  if (value == null) return [reason, `${field} is missing${value === null ? ' (null)' : ''}`];
  const leaf = path.length > 1 ? path[path.length - 1] : path[0];
  const shown = describeValue(value);
  switch (reason) {
    case 'INVALID_TIMESTAMP': {
      const seconds = parseUnixSeconds(value);
      if (seconds === undefined) {
        return [reason, `${field} ${shown} is not a timestamp (seconds, milliseconds, ISO-8601 or {"$date": ...})`];
      }
      const asSeconds = shown === String(seconds) ? '' : ` (${seconds} s)`;
      return [reason, `${field} ${shown}${asSeconds} is outside the 10-digit seconds range ${MIN_UNIX_SECONDS}..${MAX_UNIX_SECONDS} (2001-09-09..2286-11-20)`];
    }
    case 'INVALID_SCOPE':
      return [reason, `scope ${shown} is not admin, moderator or participant (or owner, administrator, mod, member, user)`];
    case 'INVALID_IS_BANNED':
      return [reason, `isBanned ${shown} is not a boolean (true/false, "true"/"false" or 0/1)`];
    default:
      break;
  }
  if (path.length === 1 && (reason === 'INVALID_GROUP_DETAILS' || reason === 'INVALID_USER_DETAILS')) {
    return [reason, `${field} must be an object, got ${shown}`];
  }
  switch (leaf) {
    case 'guid': case 'uid': case 'owner': case 'memberId':
      return [reason, idMessage(field, value, shown)];
    case 'name':
      return [reason, `${field} must be a non-empty string, got ${shown}`];
    case 'type':
      return [reason, `${field} ${shown} is not public, private or password`];
    case 'password':
      return [reason, `${field} must be a string`]; // never echo a password
    case 'metadata':
      return [reason, params?.unserializable ? `${field} cannot be serialized as JSON` : `${field} must be a JSON object, got ${shown}`];
    case 'tags':
      return [reason, `${field} must be an array of strings, got ${shown}`];
    default:
      return [reason, `${field} must be a string, got ${shown}`];
  }
}

function idMessage(field: string, value: unknown, shown: string): string {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return `${field} ${shown} is not a safe integer (JSON numbers above 2^53 lose digits): write the id as a string`;
  }
  if (typeof value !== 'string') return `${field} must be a string or an integer, got ${shown}`;
  return `${field} ${shown} must be 1-100 characters of a-z 0-9 _ - (ids are lowercased)`;
}

function measure(value: unknown, unit: string | undefined): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'string') return charCount(value);
  const text = metadataText(value);
  return unit === 'bytes of JSON' && text !== undefined ? Buffer.byteLength(text, 'utf8') : 0;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A short, safe rendering of any value for messages (long strings and objects are cut). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 60) + '…')} (${value.length} characters)` : JSON.stringify(value);
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value !== 'object') return typeof value;
  if (!isPlainRecord(value)) return `a ${String((value as { constructor?: { name?: unknown } }).constructor?.name ?? 'non-plain')} object`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return 'an object';
  return text.length > 60 ? `an object ${text.slice(0, 60)}…` : `an object ${text}`;
}

function fail(reason: ReasonCode, message: string): Validated {
  return { ok: false, reason, message };
}

const SCOPE_TEXT = { admin: 'admin', moderator: 'moderator', participant: 'participant' } as const;

function validateCommon(raw: Record<string, unknown>, ctx: ValidateContext): Validated | undefined {
  const guid = canonicalId(raw.guid);
  if (guid === undefined) return undefined;
  const uid = canonicalId(raw.uid);
  if (uid === undefined) return undefined;
  const rawId = raw.memberId;
  const key = ctx.key;
  let memberId: string;
  if (typeof rawId === 'string' && isMemberIdOf(rawId, guid, uid)) memberId = rawId;
  else if (typeof key === 'string' && isMemberIdOf(key, guid, uid)) memberId = key;
  else memberId = memberIdOf(guid, uid);
  if (rawId != null && rawId !== memberId && (typeof rawId !== 'string' || rawId.toLowerCase() !== memberId)) return undefined;
  if (key !== undefined && key !== memberId && (typeof key !== 'string' || key.toLowerCase() !== memberId)) return undefined;

  const rawJoined = raw.joinedAt;
  let joinedAt: string | undefined;
  if (rawJoined != null) {
    joinedAt = toTimestampText(rawJoined);
    if (joinedAt === undefined || Number(joinedAt) > ctx.nowSeconds) return undefined;
  }
  const rawScope = raw.scope;
  let scope: string;
  if (rawScope == null) scope = 'participant';
  else if (rawScope === 'participant' || rawScope === 'admin' || rawScope === 'moderator') scope = rawScope;
  else {
    const s = normalizeScope(rawScope);
    if (s !== 'participant' && s !== 'admin' && s !== 'moderator') return undefined;
    scope = s;
  }
  const rawBanned = raw.isBanned;
  let isBanned: boolean | undefined;
  if (rawBanned != null) {
    const b = normalizeFlag(rawBanned);
    if (typeof b !== 'boolean') return undefined;
    isBanned = b;
  }
  const member = { memberId, uid, guid } as Member;
  if (joinedAt !== undefined) member.joinedAt = joinedAt;
  member.scope = scope as Member['scope'];
  if (isBanned !== undefined) member.isBanned = isBanned;
  let json = '{"memberId":"' + memberId + '","uid":"' + uid + '","guid":"' + guid + '"' +
    (joinedAt === undefined ? '' : ',"joinedAt":"' + joinedAt + '"') +
    ',"scope":"' + scope + '"' +
    (isBanned === undefined ? '' : isBanned ? ',"isBanned":true' : ',"isBanned":false');
  const rawGroup = raw.groupDetails;
  if (rawGroup != null) {
    if (!isPlainRecord(rawGroup)) return undefined;
    const gj = commonGroup(rawGroup, guid, member, joinedAt);
    if (gj === undefined) return undefined;
    json += ',"groupDetails":' + gj;
  }
  const rawUser = raw.userDetails;
  if (rawUser != null) {
    if (!isPlainRecord(rawUser)) return undefined;
    const uj = commonUser(rawUser, uid, member);
    if (uj === undefined) return undefined;
    json += ',"userDetails":' + uj;
  }
  return { ok: true, member, json: json + '}' };
}

/** A JSON string literal of `value` if it is a string of at most `limit` characters. */
function textJson(value: unknown, limit: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const n = plainLength(value);
  if (n >= 0) return n <= limit ? '"' + value + '"' : undefined;
  return fitsChars(value, limit) ? JSON.stringify(value) : undefined;
}

function nameJson(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const first = value.charCodeAt(0);
  if (!((first > 32 && first < 127) || NON_SPACE_TEXT.test(value))) return undefined;
  return textJson(value, LIMITS.nameChars);
}

const NON_SPACE_TEXT = /\S/;

function tagsJson(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length > LIMITS.tags) return undefined;
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    const t = textJson(value[i], LIMITS.tagChars);
    if (t === undefined) return undefined;
    out += i === 0 ? t : ',' + t;
  }
  return out + ']';
}

function metaJson(value: unknown): string | undefined {
  const text = metadataText(value);
  return text !== undefined && fitsBytes(text, LIMITS.metadataBytes) ? text : undefined;
}

function commonGroup(v: Record<string, unknown>, guid: string, member: Member, joinedAt: string | undefined): string | undefined {
  const rawGuid = v.guid;
  if (rawGuid != null && rawGuid !== guid && canonicalId(rawGuid) !== guid) return undefined;
  const name = v.name;
  const nameText = nameJson(name);
  if (nameText === undefined) return undefined;
  const type = normalizeGroupType(v.type);
  if (type !== 'public' && type !== 'private' && type !== 'password') return undefined;
  const g = { guid, name, type } as GroupDetails;
  let json = '{"guid":"' + guid + '","name":' + nameText + ',"type":"' + type + '"';
  const owner = v.owner;
  if (owner != null) {
    const o = canonicalId(owner);
    if (o === undefined) return undefined;
    g.owner = o;
    json += ',"owner":"' + o + '"';
  }
  const createdAt = v.createdAt;
  if (createdAt != null) {
    const c = toTimestampText(createdAt);
    if (c === undefined || (joinedAt !== undefined && joinedAt < c)) return undefined;
    g.createdAt = c;
    json += ',"createdAt":"' + c + '"';
  }
  const icon = v.icon;
  if (icon != null) {
    const t = textJson(icon, LIMITS.urlChars);
    if (t === undefined) return undefined;
    g.icon = icon as string;
    json += ',"icon":' + t;
  }
  const password = v.password;
  if (password != null) {
    const t = textJson(password, LIMITS.passwordChars);
    if (t === undefined) return undefined;
    g.password = password as string;
    json += ',"password":' + t;
  }
  const metadata = v.metadata;
  if (metadata != null) {
    const t = metaJson(metadata);
    if (t === undefined) return undefined;
    g.metadata = metadata as Record<string, unknown>;
    json += ',"metadata":' + t;
  }
  const tags = v.tags;
  if (tags != null) {
    const t = tagsJson(tags);
    if (t === undefined) return undefined;
    g.tags = tags as string[];
    json += ',"tags":' + t;
  }
  member.groupDetails = g;
  return json + '}';
}

function commonUser(v: Record<string, unknown>, uid: string, member: Member): string | undefined {
  const rawUid = v.uid;
  if (rawUid != null && rawUid !== uid && canonicalId(rawUid) !== uid) return undefined;
  const name = v.name;
  const nameText = nameJson(name);
  if (nameText === undefined) return undefined;
  const u = { uid, name } as UserDetails;
  let json = '{"uid":"' + uid + '","name":' + nameText;
  const avatar = v.avatar;
  if (avatar != null) {
    const t = textJson(avatar, LIMITS.urlChars);
    if (t === undefined) return undefined;
    u.avatar = avatar as string;
    json += ',"avatar":' + t;
  }
  const link = v.link;
  if (link != null) {
    const t = textJson(link, LIMITS.urlChars);
    if (t === undefined) return undefined;
    u.link = link as string;
    json += ',"link":' + t;
  }
  const role = v.role;
  if (role != null) {
    const t = textJson(role, Infinity);
    if (t === undefined) return undefined;
    u.role = role as string;
    json += ',"role":' + t;
  }
  const createdAt = v.createdAt;
  if (createdAt != null) {
    const c = toTimestampText(createdAt);
    if (c === undefined) return undefined;
    u.createdAt = c;
    json += ',"createdAt":"' + c + '"';
  }
  const lastActiveAt = v.lastActiveAt;
  if (lastActiveAt != null) {
    const c = toTimestampText(lastActiveAt);
    if (c === undefined) return undefined;
    u.lastActiveAt = c;
    json += ',"lastActiveAt":"' + c + '"';
  }
  const metadata = v.metadata;
  if (metadata != null) {
    const t = metaJson(metadata);
    if (t === undefined) return undefined;
    u.metadata = metadata as Record<string, unknown>;
    json += ',"metadata":' + t;
  }
  const tags = v.tags;
  if (tags != null) {
    const t = tagsJson(tags);
    if (t === undefined) return undefined;
    u.tags = tags as string[];
    json += ',"tags":' + t;
  }
  const deactivatedAt = v.deactivatedAt;
  if (deactivatedAt != null) {
    const c = toTimestampText(deactivatedAt);
    if (c === undefined) return undefined;
    u.deactivatedAt = c;
    json += ',"deactivatedAt":"' + c + '"';
  }
  member.userDetails = u;
  return json + '}';
}
