// The one rule that turns a Rocket.Chat id (user, room) into a CometChat uid/guid, used by every
// phase of a workspace migration (SPEC §2.5), so a message's sender is the user imported in phase 1.
//
// The rule:
//   1. Lowercase the id (String.prototype.toLowerCase). If the result is 1-100 characters of
//      a-z 0-9 _ -, that is the CometChat id. Every Meteor id (17 characters of 0-9 A-Z a-z) and
//      every ObjectId (24 hex digits) takes this path: `GENERAL` → `general`.
//   2. Otherwise (another character, e.g. `rocket.cat`, or more than 100 characters): every code
//      point of the lowercased id outside a-z 0-9 _ - becomes `_`, the result is cut to its first
//      87 characters, and `-` plus the first 12 hex digits of the SHA-256 of the ORIGINAL id's
//      UTF-8 bytes is appended: `rocket.cat` → `rocket_cat-` + sha256("rocket.cat")[0..12].
//
// Why SHA-256: it is in every runtime and every language, so an operator's app can compute the
// same uids when it logs users in (CometChat users must sign in with the uids they were imported
// with), and it never changes between Node versions. Hashing the original id (case kept) gives
// two ids that differ only where characters were replaced (`a.b`, `a b`, `A.b`) different results.
//
// Why a changed id cannot take an unchanged one's place by accident: Rocket.Chat generates ids
// without `-` or `_` (Meteor's alphabet, ObjectId hex), and every rule-2 result contains `-`
// followed by 12 hex digits of its own hash; an unchanged id could equal it only by spelling out
// another id's hash. Ids chosen by hand could still meet (`ABC` and `abc` always do): the tables
// detect every such meeting and report the later id as ID_COLLISION, never merging two sources.

import { createHash } from 'node:crypto';

/** CometChat's id alphabet and length (the same rule as entities/fields.ts ID_PATTERN). */
const VALID = /^[a-z0-9_-]{1,100}$/;
const OUTSIDE = /[^a-z0-9_-]/gu;
export const ID_HASH_CHARS = 12;
const MAX_ID_CHARS = 100;
const BASE_CHARS = MAX_ID_CHARS - 1 - ID_HASH_CHARS;

/** The CometChat id for a (non-empty) Rocket.Chat id; pure and deterministic. */
export function toCometChatId(id: string): string {
  const lower = id.toLowerCase();
  if (VALID.test(lower)) return lower;
  // Code points, not UTF-16 units: one replaced character is one `_`.
  const base = Array.from(lower.replace(OUTSIDE, '_')).slice(0, BASE_CHARS).join('');
  return `${base}-${idHash(id)}`;
}

/** True when the id is taken as it is (lowercased): the common case, no hash computed. */
export function isPlainId(id: string): boolean {
  return VALID.test(id.toLowerCase());
}

function idHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex').slice(0, ID_HASH_CHARS);
}
