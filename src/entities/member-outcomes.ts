// What a validation ends in: the context it runs in, its result type, and the failures both
// paths (check-member.ts, the hot one; validate-member.ts, the exact one) report alike.

import type { Member } from './member.js';
import type { ReasonCode } from './reasons.js';
import { isMemberIdOf, memberIdOf } from './ids.js';
import { charCount, isPlainRecord, metadataText, reasonForIssue, type SchemaIssue } from './member-schema.js';
import { MAX_UNIX_SECONDS, MIN_UNIX_SECONDS, parseUnixSeconds } from './timestamps.js';

export interface ValidateContext {
  /** The map key in the {"<memberId>": {...}} format, raw (not lowercased). */
  key?: string;
  /** "Now" in UNIX seconds: joinedAt after it is rejected. */
  nowSeconds: number;
}

export type Validated =
  | { ok: true; member: Member; json: string }
  | { ok: false; reason: ReasonCode; message: string };


/**
 * `<guid>_member_<uid>`, reusing the record's memberId or the map key when one already spells it:
 * those strings are flat, while a fresh concatenation is a rope that costs a copy the first time
 * it is compared (measured ~8% of validateMember).
 */
export function pickMemberId(rawId: unknown, key: string | undefined, guid: string, uid: string): string {
  if (typeof rawId === 'string' && isMemberIdOf(rawId, guid, uid)) return rawId;
  if (typeof key === 'string' && isMemberIdOf(key, guid, uid)) return key;
  return memberIdOf(guid, uid);
}


export function memberIdMismatch(what: string, value: unknown, memberId: string): Validated {
  return fail('INVALID_MEMBER_ID', `${what} ${describeValue(value)} does not match <guid>_member_<uid> = "${memberId}"`);
}

export function groupGuidDiffers(groupGuid: string, guid: string): Validated {
  return fail('INVALID_GROUP_DETAILS', `groupDetails.guid "${groupGuid}" differs from the member guid "${guid}"`);
}

export function userUidDiffers(userUid: string, uid: string): Validated {
  return fail('INVALID_USER_DETAILS', `userDetails.uid "${userUid}" differs from the member uid "${uid}"`);
}

export function joinedInFuture(joinedAt: string, nowSeconds: number): Validated {
  return fail('JOINED_IN_FUTURE', `joinedAt ${joinedAt} is after now (${Math.floor(nowSeconds)})`);
}

export function joinedBeforeGroup(joinedAt: string, createdAt: string): Validated {
  return fail('JOINED_BEFORE_GROUP_CREATED', `joinedAt ${joinedAt} is before groupDetails.createdAt ${createdAt}`);
}

/**
 * Reason and message for the first schema issue, given the value at its path in the draft
 * (converted) and in the raw record; values are shown as the record wrote them.
 */
export function explainIssue(issue: SchemaIssue, draftValue: unknown, rawValue: unknown): [ReasonCode, string] {
  const path = issue.path;
  const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : '.' + String(p))).join('');
  const reason = reasonForIssue(issue, draftValue);
  const value = rawValue ?? draftValue;
  const params = issue.params;
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

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
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

export function fail(reason: ReasonCode, message: string): Validated {
  return { ok: false, reason, message };
}
