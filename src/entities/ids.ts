// Id, scope and flag normalization: the conversions that run before the member schema judges the result.
//
// The normalize* functions are total: they convert what they recognise and hand anything else
// back unchanged, so the schema (member-schema.ts) is the single place that decides what is
// valid and why. canonicalId and isUnusualId serve the hot path of validate-member.ts, which
// must reach the same verdicts (the tests compare the two paths).

import type { Scope } from './member.js';

/**
 * A CometChat id (guid, uid, owner): strings are lowercased (CometChat lowercases ids), integer
 * numbers become their decimal text. Integers beyond 2^53 are returned unchanged (and rejected
 * by the schema): JSON.parse has already rounded them, so their text would be a different id.
 */
export function normalizeId(value: unknown): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return value;
}

/** The member key CometChat uses for a membership: `<guid>_member_<uid>`. */
export function memberIdOf(guid: string, uid: string): string {
  return guid + '_member_' + uid;
}

/** True when `text` is exactly `<guid>_member_<uid>` (compared in place, no concatenation). */
export function isMemberIdOf(text: string, guid: string, uid: string): boolean {
  const g = guid.length;
  // endsWith with an end position instead of startsWith: TurboFan inlines startsWith as a
  // char-by-char loop, measured ~1.5x slower here than the endsWith builtin (Node 20).
  return text.length === g + 8 + uid.length && text.endsWith(uid) && text.endsWith('_member_', g + 8) && text.endsWith(guid, g);
}

/**
 * A member scope, case-insensitive, with common synonyms (owner/administrator → admin,
 * mod → moderator, member/user → participant). Unknown values come back unchanged.
 */
export function normalizeScope(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return scopeOf(value) ?? scopeOf(value.toLowerCase()) ?? value;
}

// A switch rather than a lookup object: looking a fresh (lowercased) string up as a property
// key makes V8 search its string table, measured slower than comparing a few constants.
function scopeOf(text: string): Scope | undefined {
  switch (text) {
    case 'participant': case 'member': case 'user':
      return 'participant';
    case 'admin': case 'owner': case 'administrator':
      return 'admin';
    case 'moderator': case 'mod':
      return 'moderator';
    default:
      return undefined;
  }
}

/** A group type, case-insensitive; other values come back unchanged. */
export function normalizeGroupType(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === 'public' || value === 'private' || value === 'password') return value;
  const lower = value.toLowerCase();
  return lower === 'public' || lower === 'private' || lower === 'password' ? lower : value;
}

/** A boolean flag: booleans, "true"/"false" (any case) and the numbers 0/1; else unchanged. */
export function normalizeFlag(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  if (value === 1) return true;
  if (value === 0) return false;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return value;
}

/**
 * Hot path of normalizeId followed by the id pattern: the canonical id when `value` is a string
 * of 1-100 ASCII letters, digits, `_` or `-` (lowercased only when it has capitals) or a safe
 * integer; undefined for anything else (see isUnusualId).
 */
export function canonicalId(value: unknown): string | undefined {
  if (typeof value !== 'string') return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
  const n = value.length;
  if (n === 0 || n > 100) return undefined;
  let upper = false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45) continue;
    if (c >= 65 && c <= 90) upper = true;
    else return undefined;
  }
  return upper ? value.toLowerCase() : value;
}

/**
 * True for a string with a non-ASCII character: toLowerCase can map some of those into the id
 * alphabet (the Kelvin sign becomes "k"), so only the exact path may judge such an id.
 */
export function isUnusualId(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 127) return true;
  return false;
}
