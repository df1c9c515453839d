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
// The JSON readers it uses are in scan-json.ts (how they are written for V8 is explained there).

import { normalizeGroupType, normalizeScope } from './ids.js';
import { hasText, LIMITS } from './member-schema.js';
import { pickMemberId } from './member-outcomes.js';
import { groupPart, memberText, userPart } from './serialize-member.js';
import { MAX_UNIX_SECONDS, MIN_UNIX_SECONDS } from './timestamps.js';
import {
  afterColon, booleanEnd, firstKey, idEnd, idText, keyEnd, keyIs, nextKey, plainStringEnd, skipSpace, timestampEnd, timestampOut, UPPER,
} from './scan-json.js';

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

/**
 * The canonical JSON of the member in `text` when the fast path can vouch for it (see above), and
 * then its memberId via scannedMemberId(); undefined when the usual path must decide.
 */
export function scanMember(s: string, key: string | undefined, nowSeconds: number): string | undefined {
  let i = firstKey(s, skipSpace(s, 0));
  if (i < 0) return undefined;
  let memberIdRaw: string | undefined;
  let guid: string | undefined;
  let uid: string | undefined;
  let scope = 'participant';
  let isBanned: boolean | undefined;
  let joinedAt: string | undefined;
  let hasGroup = false;
  let hasUser = false;
  let seen = 0;
  for (;;) {
    const end = keyEnd(s, i);
    if (end < 0) return undefined;
    const start = i + 1;
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
        hasGroup = true;
        break;
      default:
        i = userEnd(s, i);
        hasUser = true;
        break;
    }
    if (i < 0) return undefined;
    i = nextKey(s, i);
    if (i === -1) return undefined;
    if (i < 0) break;
  }
  if (skipSpace(s, ~i) !== s.length || guid === undefined || uid === undefined) return undefined;
  // The details' ids default to the member's and must equal them; their text is written with the member's.
  let groupText = '';
  if (hasGroup) {
    if (gGuid !== undefined && gGuid !== guid) return undefined;
    groupText = groupPart(guid, gName, gType, gOwner, gCreatedAt, gIcon, gPassword, undefined, undefined);
  }
  let userText = '';
  if (hasUser) {
    if (uUid !== undefined && uUid !== uid) return undefined;
    userText = userPart(uid, uName, uAvatar, uLink, uRole, uCreatedAt, uLastActiveAt, undefined, undefined, uDeactivatedAt);
  }
  const memberId = pickMemberId(memberIdRaw, key, guid, uid);
  if (memberIdRaw !== undefined && memberIdRaw !== memberId && memberIdRaw.toLowerCase() !== memberId) return undefined;
  if (key !== undefined && key !== memberId && key.toLowerCase() !== memberId) return undefined;
  if (joinedAt !== undefined) {
    if (!notAfterNow(joinedAt, nowSeconds)) return undefined;
    if (hasGroup && gCreatedAt !== undefined && joinedAt < gCreatedAt) return undefined;
  }
  memberIdOut = memberId;
  return memberText(memberId, uid, guid, joinedAt, scope, isBanned, groupText, userText);
}

// What groupEnd and userEnd read (one write per field; scanMember writes the parts, once it
// knows the member's guid and uid, which may come after the details).
let gGuid: string | undefined;
let gName = '';
let gType = '';
let gOwner: string | undefined;
let gCreatedAt: string | undefined;
let gIcon: string | undefined;
let gPassword: string | undefined;
let uUid: string | undefined;
let uName = '';
let uAvatar: string | undefined;
let uLink: string | undefined;
let uRole: string | undefined;
let uCreatedAt: string | undefined;
let uLastActiveAt: string | undefined;
let uDeactivatedAt: string | undefined;

// groupDetails keys.
const G_GUID = 1;
const G_NAME = 2;
const G_TYPE = 4;
const G_OWNER = 8;
const G_CREATED_AT = 16;
const G_ICON = 32;
const G_PASSWORD = 64;

/** groupDetails at i (name and type required): the position after it, or -1; its fields in g*. */
function groupEnd(s: string, i: number): number {
  i = firstKey(s, i);
  if (i < 0) return -1;
  let guid: string | undefined;
  let name: string | undefined;
  let type = '';
  let owner: string | undefined;
  let createdAt: string | undefined;
  let icon: string | undefined;
  let password: string | undefined;
  let seen = 0;
  for (;;) {
    const end = keyEnd(s, i);
    if (end < 0) return -1;
    const start = i + 1;
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
      } else if (text.length > (bit === G_ICON ? LIMITS.urlChars : LIMITS.passwordChars)) return -1;
      else if (bit === G_ICON) icon = text;
      else password = text;
    }
    i = nextKey(s, i);
    if (i === -1) return -1;
    if (i < 0) break;
  }
  if (name === undefined || type === '') return -1;
  gGuid = guid;
  gName = name;
  gType = type;
  gOwner = owner;
  gCreatedAt = createdAt;
  gIcon = icon;
  gPassword = password;
  return ~i;
}

// userDetails keys.
const U_UID = 1;
const U_NAME = 2;
const U_AVATAR = 4;
const U_LINK = 8;
const U_ROLE = 16;
const U_CREATED_AT = 32;
const U_LAST_ACTIVE_AT = 64;
const U_DEACTIVATED_AT = 128;

/** userDetails at i (name required): the position after it, or -1; its fields in u*. */
function userEnd(s: string, i: number): number {
  i = firstKey(s, i);
  if (i < 0) return -1;
  let uid: string | undefined;
  let name: string | undefined;
  let avatar: string | undefined;
  let link: string | undefined;
  let role: string | undefined;
  let createdAt: string | undefined;
  let lastActiveAt: string | undefined;
  let deactivatedAt: string | undefined;
  let seen = 0;
  for (;;) {
    const end = keyEnd(s, i);
    if (end < 0) return -1;
    const start = i + 1;
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
      else if (text.length > LIMITS.urlChars) return -1;
      else if (bit === U_AVATAR) avatar = text;
      else link = text;
    }
    i = nextKey(s, i);
    if (i === -1) return -1;
    if (i < 0) break;
  }
  if (name === undefined) return -1;
  uUid = uid;
  uName = name;
  uAvatar = avatar;
  uLink = link;
  uRole = role;
  uCreatedAt = createdAt;
  uLastActiveAt = lastActiveAt;
  uDeactivatedAt = deactivatedAt;
  return ~i;
}

/** A name: at most 100 characters (surrogates were refused, so units are characters), something visible. */
function isName(text: string): boolean {
  return text.length > 0 && text.length <= LIMITS.nameChars && hasText(text);
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
