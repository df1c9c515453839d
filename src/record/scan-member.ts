// The fastest path of record validation: a member judged and serialized straight from its JSON
// text, without JSON.parse. JSON.parse builds an object graph (~1.3 µs per export record here)
// that validation reads once and throws away; reading the fields of a member from the text in
// one pass, checking them as they are read and splicing the canonical JSON from slices of the
// text costs less and allocates little beyond the slices.
//
// It handles records written the usual way, and only accepts: a record it returns JSON for is
// one that JSON.parse + validateMember would accept with exactly that JSON and memberId. Anything
// else gives undefined and the caller takes the usual path, which decides and explains: invalid
// records (it never reports a failure), any backslash escape, null, fractions or exponents,
// unknown or repeated keys, metadata and tags, non-ASCII ids, control characters and surrogates,
// and anything that is not JSON. test/record-scan.test.ts holds it against that path on
// generated, mutated and re-spaced records.
//
// Written for V8: the read position and the text stay in local variables, helpers take them as
// arguments and return positions (-1: give up). Module-level state read in a loop cost ~2.5x
// (every access is a context load with a hole check), so only results are handed over that way.

import { normalizeGroupType, normalizeScope } from './ids.js';
import { hasText, LIMITS } from './member-schema.js';
import { pickMemberId } from './member-outcomes.js';
import { groupPart, memberText, userPart } from './serialize-member.js';
import { MAX_UNIX_SECONDS, MIN_UNIX_SECONDS, toTimestampText } from './timestamps.js';

let memberIdOut = '';

/** The memberId of the record scanMember last accepted. */
export function scannedMemberId(): string {
  return memberIdOut;
}

// Top-level keys, and bits to notice a repeated one (JSON.parse keeps the last; we give up).
const K_MEMBER_ID = 1;
const K_GUID = 2;
const K_UID = 4;
const K_SCOPE = 8;
const K_IS_BANNED = 16;
const K_JOINED_AT = 32;
const K_GROUP = 64;
const K_USER = 128;

/** Set in an id's returned end when it has capitals (ends are far below 2^29). */
const UPPER = 1 << 29;

/**
 * The canonical JSON of the member in `text` when the fast path can vouch for it (see above), and
 * then its memberId via scannedMemberId(); undefined when the usual path must decide.
 */
export function scanMember(s: string, key: string | undefined, nowSeconds: number): string | undefined {
  let i = skipSpace(s, 0);
  if (s.charCodeAt(i) !== 123) return undefined;
  let memberIdRaw: string | undefined;
  let guid: string | undefined;
  let uid: string | undefined;
  let scope = 'participant';
  let isBanned: boolean | undefined;
  let joinedAt: string | undefined;
  let groupText = '';
  let groupCreatedAt: string | undefined;
  let groupGuid: string | undefined;
  let userText = '';
  let userUid: string | undefined;
  let seen = 0;
  for (i = s.charCodeAt(i + 1) <= 32 ? skipSpace(s, i + 1) : i + 1; ; ) {
    if (s.charCodeAt(i) !== 34) return undefined;
    const start = i + 1;
    const end = keyEnd(s, start);
    if (end < 0) return undefined;
    const length = end - start;
    let bit = 0;
    // Length and first letter pick the candidate; one comparison confirms it.
    const first = s.charCodeAt(start);
    if (length === 4) bit = keyIs(s, start, 'guid') ? K_GUID : 0;
    else if (length === 3) bit = keyIs(s, start, 'uid') ? K_UID : 0;
    else if (length === 8) {
      if (first === 109) bit = keyIs(s, start, 'memberId') ? K_MEMBER_ID : 0;
      else if (first === 106) bit = keyIs(s, start, 'joinedAt') ? K_JOINED_AT : 0;
      else bit = keyIs(s, start, 'isBanned') ? K_IS_BANNED : 0;
    } else if (length === 5) bit = keyIs(s, start, 'scope') ? K_SCOPE : 0;
    else if (length === 12) bit = keyIs(s, start, 'groupDetails') ? K_GROUP : 0;
    else if (length === 11) bit = keyIs(s, start, 'userDetails') ? K_USER : 0;
    if (bit === 0 || (seen & bit) !== 0) return undefined;
    seen |= bit;
    i = afterColon(s, end + 1);
    if (i < 0) return undefined;
    switch (bit) {
      case K_MEMBER_ID: {
        const e = plainStringEnd(s, i);
        if (e < 0) return undefined;
        memberIdRaw = s.slice(i + 1, e);
        i = e + 1;
        break;
      }
      case K_GUID:
      case K_UID: {
        const e = idEnd(s, i);
        if (e < 0) return undefined;
        const id = idText(s, i, e);
        if (bit === K_GUID) guid = id;
        else uid = id;
        i = (e & ~UPPER) + 1;
        break;
      }
      case K_SCOPE: {
        const e = plainStringEnd(s, i);
        if (e < 0) return undefined;
        const raw = s.slice(i + 1, e);
        if (raw === 'participant' || raw === 'admin' || raw === 'moderator') scope = raw;
        else {
          const normalized = normalizeScope(raw);
          if (normalized !== 'participant' && normalized !== 'admin' && normalized !== 'moderator') return undefined;
          scope = normalized;
        }
        i = e + 1;
        break;
      }
      case K_IS_BANNED: {
        const e = booleanEnd(s, i);
        if (e < 0) return undefined;
        isBanned = e - i === 4;
        i = e;
        break;
      }
      case K_JOINED_AT:
        i = timestampEnd(s, i);
        if (i < 0) return undefined;
        joinedAt = timestampOut;
        break;
      case K_GROUP:
        i = groupEnd(s, i);
        if (i < 0) return undefined;
        groupText = partOut;
        groupGuid = guidOut;
        groupCreatedAt = timestampOut;
        break;
      default:
        i = userEnd(s, i);
        if (i < 0) return undefined;
        userText = partOut;
        userUid = guidOut;
        break;
    }
    if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
    const c = s.charCodeAt(i);
    if (c === 125) break;
    if (c !== 44) return undefined;
    i = i + 1;

    if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  }
  if (skipSpace(s, i + 1) !== s.length || guid === undefined || uid === undefined) return undefined;
  // The details' ids default to the member's and must equal them; their text is written with the member's.
  if (groupText !== '') {
    if (groupGuid !== undefined && groupGuid !== guid) return undefined;
    groupText = ',"groupDetails":{"guid":"' + guid + groupText;
  }
  if (userText !== '') {
    if (userUid !== undefined && userUid !== uid) return undefined;
    userText = ',"userDetails":{"uid":"' + uid + userText;
  }
  const memberId = pickMemberId(memberIdRaw, key, guid, uid);
  if (memberIdRaw !== undefined && memberIdRaw !== memberId && memberIdRaw.toLowerCase() !== memberId) return undefined;
  if (key !== undefined && key !== memberId && key.toLowerCase() !== memberId) return undefined;
  if (joinedAt !== undefined) {
    if (!notAfterNow(joinedAt, nowSeconds)) return undefined;
    if (groupCreatedAt !== undefined && joinedAt < groupCreatedAt) return undefined;
  }
  memberIdOut = memberId;
  return memberText(memberId, uid, guid, joinedAt, scope, isBanned, groupText, userText);
}

// Results of the readers below that produce more than a position (one write per field).
let timestampOut: string | undefined;
let partOut = '';
let guidOut: string | undefined;

// groupDetails keys.
const G_GUID = 1;
const G_NAME = 2;
const G_TYPE = 4;
const G_OWNER = 8;
const G_CREATED_AT = 16;
const G_ICON = 32;
const G_PASSWORD = 64;

/**
 * groupDetails at i: the position after it, or -1. partOut: its canonical text from just after
 * the guid's value (`","name":…}`); guidOut: its guid if given; timestampOut: its createdAt.
 */
function groupEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 123) return -1;
  let guid: string | undefined;
  let name: string | undefined;
  let type = '';
  let owner: string | undefined;
  let createdAt: string | undefined;
  let icon: string | undefined;
  let password: string | undefined;
  let seen = 0;
  for (i = s.charCodeAt(i + 1) <= 32 ? skipSpace(s, i + 1) : i + 1; ; ) {
    if (s.charCodeAt(i) !== 34) return -1;
    const start = i + 1;
    const end = keyEnd(s, start);
    if (end < 0) return -1;
    const length = end - start;
    let bit = 0;
    if (length === 4) {
      const first = s.charCodeAt(start);
      if (first === 103) bit = keyIs(s, start, 'guid') ? G_GUID : 0;
      else if (first === 110) bit = keyIs(s, start, 'name') ? G_NAME : 0;
      else if (first === 116) bit = keyIs(s, start, 'type') ? G_TYPE : 0;
      else bit = keyIs(s, start, 'icon') ? G_ICON : 0;
    } else if (length === 5 && keyIs(s, start, 'owner')) bit = G_OWNER;
    else if (length === 9 && keyIs(s, start, 'createdAt')) bit = G_CREATED_AT;
    else if (length === 8 && keyIs(s, start, 'password')) bit = G_PASSWORD;
    if (bit === 0 || (seen & bit) !== 0) return -1;
    seen |= bit;
    i = afterColon(s, end + 1);
    if (i < 0) return -1;
    if (bit === G_GUID || bit === G_OWNER) {
      const e = idEnd(s, i);
      if (e < 0) return -1;
      if (bit === G_GUID) guid = idText(s, i, e);
      else owner = idText(s, i, e);
      i = (e & ~UPPER) + 1;
    } else if (bit === G_CREATED_AT) {
      i = timestampEnd(s, i);
      if (i < 0) return -1;
      createdAt = timestampOut;
    } else {
      const e = plainStringEnd(s, i);
      if (e < 0) return -1;
      const text = s.slice(i + 1, e);
      i = e + 1;
      if (bit === G_NAME) {
        if (!isName(text)) return -1;
        name = text;
      } else if (bit === G_TYPE) {
        const t = text === 'public' || text === 'private' || text === 'password' ? text : normalizeGroupType(text);
        if (t !== 'public' && t !== 'private' && t !== 'password') return -1;
        type = t;
      } else if (bit === G_ICON) {
        if (text.length > LIMITS.urlChars) return -1;
        icon = text;
      } else {
        if (text.length > LIMITS.passwordChars) return -1;
        password = text;
      }
    }
    if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
    const c = s.charCodeAt(i);
    if (c === 125) break;
    if (c !== 44) return -1;
    i = i + 1;

    if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  }
  if (name === undefined || type === '') return -1;
  // groupPart's text without its head, which the member's guid completes.
  const part = groupPart('', name, type, owner, createdAt, icon, password, undefined, undefined);
  partOut = part.slice(GROUP_HEAD.length);
  guidOut = guid;
  timestampOut = createdAt;
  return i + 1;
}

const GROUP_HEAD = ',"groupDetails":{"guid":"';
const USER_HEAD = ',"userDetails":{"uid":"';

// userDetails keys.
const U_UID = 1;
const U_NAME = 2;
const U_AVATAR = 4;
const U_LINK = 8;
const U_ROLE = 16;
const U_CREATED_AT = 32;
const U_LAST_ACTIVE_AT = 64;
const U_DEACTIVATED_AT = 128;

/** userDetails at i: the position after it, or -1; partOut: its text after the uid's value; guidOut: its uid if given. */
function userEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 123) return -1;
  let uid: string | undefined;
  let name: string | undefined;
  let avatar: string | undefined;
  let link: string | undefined;
  let role: string | undefined;
  let createdAt: string | undefined;
  let lastActiveAt: string | undefined;
  let deactivatedAt: string | undefined;
  let seen = 0;
  for (i = s.charCodeAt(i + 1) <= 32 ? skipSpace(s, i + 1) : i + 1; ; ) {
    if (s.charCodeAt(i) !== 34) return -1;
    const start = i + 1;
    const end = keyEnd(s, start);
    if (end < 0) return -1;
    const length = end - start;
    let bit = 0;
    if (length === 3 && keyIs(s, start, 'uid')) bit = U_UID;
    else if (length === 4) {
      const first = s.charCodeAt(start);
      if (first === 110) bit = keyIs(s, start, 'name') ? U_NAME : 0;
      else if (first === 108) bit = keyIs(s, start, 'link') ? U_LINK : 0;
      else bit = keyIs(s, start, 'role') ? U_ROLE : 0;
    } else if (length === 6 && keyIs(s, start, 'avatar')) bit = U_AVATAR;
    else if (length === 9 && keyIs(s, start, 'createdAt')) bit = U_CREATED_AT;
    else if (length === 12 && keyIs(s, start, 'lastActiveAt')) bit = U_LAST_ACTIVE_AT;
    else if (length === 13 && keyIs(s, start, 'deactivatedAt')) bit = U_DEACTIVATED_AT;
    if (bit === 0 || (seen & bit) !== 0) return -1;
    seen |= bit;
    i = afterColon(s, end + 1);
    if (i < 0) return -1;
    if (bit === U_UID) {
      const e = idEnd(s, i);
      if (e < 0) return -1;
      uid = idText(s, i, e);
      i = (e & ~UPPER) + 1;
    } else if (bit >= U_CREATED_AT) {
      i = timestampEnd(s, i);
      if (i < 0) return -1;
      if (bit === U_CREATED_AT) createdAt = timestampOut;
      else if (bit === U_LAST_ACTIVE_AT) lastActiveAt = timestampOut;
      else deactivatedAt = timestampOut;
    } else {
      const e = plainStringEnd(s, i);
      if (e < 0) return -1;
      const text = s.slice(i + 1, e);
      i = e + 1;
      if (bit === U_NAME) {
        if (!isName(text)) return -1;
        name = text;
      } else if (bit === U_ROLE) role = text;
      else {
        if (text.length > LIMITS.urlChars) return -1;
        if (bit === U_AVATAR) avatar = text;
        else link = text;
      }
    }
    if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
    const c = s.charCodeAt(i);
    if (c === 125) break;
    if (c !== 44) return -1;
    i = i + 1;

    if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  }
  if (name === undefined) return -1;
  const part = userPart('', name, avatar, link, role, createdAt, lastActiveAt, undefined, undefined, deactivatedAt);
  partOut = part.slice(USER_HEAD.length);
  guidOut = uid;
  return i + 1;
}

/** A name: at most 100 characters (surrogates were refused, so units are characters), something visible. */
function isName(text: string): boolean {
  return text.length > 0 && text.length <= LIMITS.nameChars && hasText(text);
}

function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** The key starting at `start` (whose length the caller checked) is `name`. */
function keyIs(s: string, start: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) if (s.charCodeAt(start + k) !== name.charCodeAt(k)) return false;
  return true;
}

/** The closing quote of a key without escapes whose text starts at `start`, or -1. */
function keyEnd(s: string, start: number): number {
  for (let i = start; ; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i;
    // A backslash, a control character, or the end of the text (NaN fails `c >= 32`).
    if (c === 92 || !(c >= 32)) return -1;
  }
}

/** After a key's closing quote: the position of its value (past `:` and white space), or -1. */
function afterColon(s: string, i: number): number {
  if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  if (s.charCodeAt(i) !== 58) return -1;
  return s.charCodeAt(i + 1) <= 32 ? skipSpace(s, i + 1) : i + 1;
}

/**
 * The closing quote of a string value at i whose JSON text is its content as it is (no escape,
 * control character or surrogate: JSON.stringify writes it back unchanged), or -1.
 */
function plainStringEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  for (i++; ; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92 || !(c >= 32) || (c >= 0xd800 && c <= 0xdfff)) return -1;
  }
}

/**
 * An id at i: a string of 1-100 ASCII letters, digits, `_` or `-` (canonicalId's rule; numbers
 * are left to the usual path). Its closing quote, with UPPER set when it has capitals, or -1.
 */
function idEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  const start = i + 1;
  let upper = 0;
  for (i = start; ; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45) continue;
    if (c >= 65 && c <= 90) {
      upper = UPPER;
      continue;
    }
    return c !== 34 || i === start || i - start > 100 ? -1 : i | upper;
  }
}

/** The canonical id for idEnd's result: lowercased when it had capitals. */
function idText(s: string, i: number, end: number): string {
  const id = s.slice(i + 1, end & ~UPPER);
  return (end & UPPER) === 0 ? id : id.toLowerCase();
}

/** `true` or `false` at i: the position after it, or -1. */
function booleanEnd(s: string, i: number): number {
  if (s.charCodeAt(i) === 116 && s.charCodeAt(i + 1) === 114 && s.charCodeAt(i + 2) === 117 && s.charCodeAt(i + 3) === 101) return i + 4;
  if (s.charCodeAt(i) === 102 && s.charCodeAt(i + 1) === 97 && s.charCodeAt(i + 2) === 108 && s.charCodeAt(i + 3) === 115 &&
    s.charCodeAt(i + 4) === 101) return i + 5;
  return -1;
}

/**
 * A timestamp at i (number, string or {"$date": string | number}): the position after it, or -1
 * (also when toTimestampText refuses it); timestampOut: its 10-digit text. The conversion is
 * toTimestampText's, on the same value JSON.parse would have produced.
 */
function timestampEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  let value: string | number | { $date: string | number };
  let end: number;
  if (c === 34) {
    const e = plainStringEnd(s, i);
    if (e < 0) return -1;
    value = s.slice(i + 1, e);
    end = e + 1;
  } else if (c === 123) {
    let j = skipSpace(s, i + 1);
    // "$date"
    if (!(s.charCodeAt(j) === 34 && s.charCodeAt(j + 1) === 36 && keyIs(s, j + 2, 'date"'))) return -1;
    j = afterColon(s, j + 7);
    if (j < 0) return -1;
    let date: string | number;
    if (s.charCodeAt(j) === 34) {
      const e = plainStringEnd(s, j);
      if (e < 0) return -1;
      date = s.slice(j + 1, e);
      j = e + 1;
    } else {
      const e = integerEnd(s, j);
      if (e < 0) return -1;
      date = integerValue(s, j, e);
      j = e;
    }
    if (s.charCodeAt(j) <= 32) j = skipSpace(s, j);
    if (s.charCodeAt(j) !== 125) return -1;
    value = { $date: date };
    end = j + 1;
  } else {
    end = integerEnd(s, i);
    if (end < 0) return -1;
    value = integerValue(s, i, end);
  }
  timestampOut = toTimestampText(value);
  return timestampOut === undefined ? -1 : end;
}

/**
 * The end of a JSON number at i that is an integer of at most 15 digits (exact as a double), or
 * -1 for anything else: fractions, exponents, leading zeros, longer numbers.
 */
function integerEnd(s: string, i: number): number {
  if (s.charCodeAt(i) === 45) i++;
  const first = i;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) i++;
    else break;
  }
  const digits = i - first;
  if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(first) === 48)) return -1;
  const next = s.charCodeAt(i);
  return next === 46 || next === 101 || next === 69 ? -1 : i;
}

function integerValue(s: string, i: number, end: number): number {
  const negative = s.charCodeAt(i) === 45;
  let value = 0;
  for (let k = negative ? i + 1 : i; k < end; k++) value = value * 10 + (s.charCodeAt(k) - 48);
  return negative ? -value : value;
}

// "now" as 10-digit text, recomputed only when it changes: equal-length digit strings compare
// like their numbers, so a 10-digit joinedAt is compared without converting it.
let nowFor = NaN;
let nowText = '';

function notAfterNow(tenDigits: string, now: number): boolean {
  if (now !== nowFor) {
    nowFor = now;
    nowText = now >= MIN_UNIX_SECONDS && now <= MAX_UNIX_SECONDS ? String(Math.floor(now)) : '';
  }
  // Outside the 10-digit range (tests, odd clocks) the usual path decides.
  return nowText !== '' && tenDigits <= nowText;
}
