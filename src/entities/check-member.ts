// The hot path of record validation (see validate-member.ts for how it relates to the exact
// path). Each check returns either the checked value or, at a broken rule, the failure
// (via `problem`, with zod's path and params), or undefined for "unusual, ask the exact path".

import type { GroupDetails, Member, Scope, UserDetails } from './member.js';
import {
  canonicalId,
  isUnusualId,
  normalizeFlag,
  normalizeGroupType,
  normalizeId,
  normalizeScope,
} from './ids.js';
import {
  fitsBytes,
  fitsChars,
  hasText,
  isPlainRecord,
  LIMIT_PARAMS,
  LIMITS,
  metadataText,
  UNSERIALIZABLE_PARAMS,
  type IssueParams,
} from './member-schema.js';
import { groupPart, memberText, needsEscape, plainLength, userPart } from './serialize-member.js';
import { MAX_UNIX_SECONDS, MIN_UNIX_SECONDS, toTimestampText } from './timestamps.js';
import {
  fail,
  groupGuidDiffers,
  joinedBeforeGroup,
  joinedInFuture,
  memberIdMismatch,
  pickMemberId,
  userUidDiffers,
  explainIssue,
  type ValidateContext,
  type Validated,
} from './member-outcomes.js';


const GUID: readonly PropertyKey[] = ['guid'];
const UID: readonly PropertyKey[] = ['uid'];
const SCOPE: readonly PropertyKey[] = ['scope'];
const IS_BANNED: readonly PropertyKey[] = ['isBanned'];
const JOINED_AT: readonly PropertyKey[] = ['joinedAt'];
const GROUP: readonly PropertyKey[] = ['groupDetails'];
const USER: readonly PropertyKey[] = ['userDetails'];
const groupPath = (field: string): readonly PropertyKey[] => ['groupDetails', field];
const userPath = (field: string): readonly PropertyKey[] => ['userDetails', field];
const G = {
  guid: groupPath('guid'), name: groupPath('name'), type: groupPath('type'), owner: groupPath('owner'),
  createdAt: groupPath('createdAt'), icon: groupPath('icon'), password: groupPath('password'),
  metadata: groupPath('metadata'), tags: groupPath('tags'),
};
const U = {
  uid: userPath('uid'), name: userPath('name'), avatar: userPath('avatar'), link: userPath('link'), role: userPath('role'),
  createdAt: userPath('createdAt'), lastActiveAt: userPath('lastActiveAt'), metadata: userPath('metadata'),
  tags: userPath('tags'), deactivatedAt: userPath('deactivatedAt'),
};

// The details a check built, handed to checkMember right after the check returns (a second
// return value without allocating a pair).
let builtGroup: GroupDetails | undefined;
let builtUser: UserDetails | undefined;

/** The hot path: the record's outcome, or undefined when the exact path must decide. */
export function checkMember(raw: Record<string, unknown>, ctx: ValidateContext): Validated | undefined {
  // Fields in memberSchema's shape order, so the first problem found is zod's first issue.
  const rawGuid = raw.guid;
  const guid = canonicalId(rawGuid);
  if (guid === undefined) return idProblem(GUID, rawGuid);
  const rawUid = raw.uid;
  const uid = canonicalId(rawUid);
  if (uid === undefined) return idProblem(UID, rawUid);
  // (memberId comes next in the schema: always a string there, it is checked with the cross-field rules.)
  const rawScope = raw.scope;
  let scope: Scope;
  if (rawScope == null || rawScope === 'participant') scope = 'participant';
  else if (rawScope === 'admin' || rawScope === 'moderator') scope = rawScope;
  else {
    const s = normalizeScope(rawScope);
    if (s !== 'admin' && s !== 'moderator' && s !== 'participant') return problem(SCOPE, undefined, s, rawScope);
    scope = s;
  }
  const rawBanned = raw.isBanned;
  let isBanned: boolean | undefined;
  if (rawBanned === true || rawBanned === false) isBanned = rawBanned;
  else if (rawBanned != null) {
    const b = normalizeFlag(rawBanned);
    if (typeof b !== 'boolean') return problem(IS_BANNED, undefined, b, rawBanned);
    isBanned = b;
  }
  const rawJoined = raw.joinedAt;
  let joinedAt: string | undefined;
  if (rawJoined != null) {
    joinedAt = toTimestampText(rawJoined);
    if (joinedAt === undefined) return problem(JOINED_AT, undefined, rawJoined, rawJoined);
  }
  const rawGroup = raw.groupDetails;
  let group: GroupDetails | undefined;
  let groupJson = '';
  if (rawGroup != null) {
    const checked = checkGroup(rawGroup, guid);
    if (typeof checked !== 'string') return checked;
    groupJson = checked;
    group = builtGroup;
  }
  const rawUser = raw.userDetails;
  let user: UserDetails | undefined;
  let userJson = '';
  if (rawUser != null) {
    const checked = checkUser(rawUser, uid);
    if (typeof checked !== 'string') return checked;
    userJson = checked;
    user = builtUser;
  }
  // The cross-field rules, as checkCrossFields applies them, on the values at hand (reading them
  // back from the member would be polymorphic loads).
  const rawId = raw.memberId;
  const key = ctx.key;
  const memberId = pickMemberId(rawId, key, guid, uid);
  if (rawId != null && rawId !== memberId && !(typeof rawId === 'string' && rawId.toLowerCase() === memberId)) {
    return memberIdMismatch('memberId', rawId, memberId);
  }
  if (key !== undefined && key !== memberId && !(typeof key === 'string' && key.toLowerCase() === memberId)) {
    return memberIdMismatch('map key', key, memberId);
  }
  if (group !== undefined && group.guid !== guid) return groupGuidDiffers(group.guid, guid);
  if (user !== undefined && user.uid !== uid) return userUidDiffers(user.uid, uid);
  if (joinedAt !== undefined) {
    if (isAfter(joinedAt, ctx.nowSeconds)) return joinedInFuture(joinedAt, ctx.nowSeconds);
    const createdAt = group?.createdAt;
    if (createdAt !== undefined && joinedAt < createdAt) return joinedBeforeGroup(joinedAt, createdAt);
  }
  const member = createMember(memberId, uid, guid, joinedAt, scope, isBanned, group, user);
  return { ok: true, member, json: memberText(memberId, uid, guid, joinedAt, scope, isBanned, groupJson, userJson) };
}

// "now" as a 10-digit text, to compare joinedAt texts with it as strings (equal-length digit
// strings compare like their numbers); recomputed only when nowSeconds changes.
const SOME_AFTER = 0;
const ALL_AFTER = 1;
const NONE_AFTER = 2;
let nowSeconds = NaN;
let nowKind = NONE_AFTER;
let nowText = '';

/** tenDigitValue(joinedAt) > now, for a 10-digit joinedAt text, without converting it. */
function isAfter(joinedAt: string, now: number): boolean {
  if (now !== nowSeconds) {
    nowSeconds = now;
    // Every 10-digit second is >= MIN_UNIX_SECONDS and <= MAX_UNIX_SECONDS; NaN is never passed.
    nowKind = !(now >= MIN_UNIX_SECONDS) ? (Number.isNaN(now) ? NONE_AFTER : ALL_AFTER) : now > MAX_UNIX_SECONDS ? NONE_AFTER : SOME_AFTER;
    // For a whole joinedAt, joinedAt > now exactly when joinedAt > floor(now).
    nowText = nowKind === SOME_AFTER ? String(Math.floor(now)) : '';
  }
  return nowKind === SOME_AFTER ? joinedAt > nowText : nowKind === ALL_AFTER;
}

/** The member object in canonical key order, built by a literal in the usual case (one allocation). */
function createMember(memberId: string, uid: string, guid: string, joinedAt: string | undefined, scope: Scope,
  isBanned: boolean | undefined, group: GroupDetails | undefined, user: UserDetails | undefined): Member {
  if (joinedAt !== undefined && isBanned === undefined && group !== undefined && user !== undefined) {
    return { memberId, uid, guid, joinedAt, scope, groupDetails: group, userDetails: user };
  }
  const m: Member = joinedAt === undefined ? { memberId, uid, guid, scope } : { memberId, uid, guid, joinedAt, scope };
  if (isBanned !== undefined) m.isBanned = isBanned;
  if (group !== undefined) m.groupDetails = group;
  if (user !== undefined) m.userDetails = user;
  return m;
}

/**
 * The groupDetails of recent records, by raw field values. Exports list a group's members
 * together, so most records repeat one of a few groupDetails field for field; a repeat reuses
 * the checked values and the JSON part instead of checking and serializing them again
 * (measured in the pipeline's setting: -0.27 µs per record). A group is kept from its second
 * sighting among the last few, so exports whose groups do not repeat nearby pay only the scans
 * (keeping every group cost them +0.4 µs per record). Details with metadata or tags are not
 * kept (their objects are new in every record).
 */
interface GroupEntry {
  // The key: the member guid (the default for a missing groupDetails.guid) and the raw fields.
  memberGuid: string;
  rawGuid: unknown;
  rawName: unknown;
  rawType: unknown;
  rawOwner: unknown;
  rawCreatedAt: unknown;
  rawIcon: unknown;
  rawPassword: unknown;
  // The checked values (kept here, not as a GroupDetails handed out: a caller may change those).
  guid: string;
  name: string;
  type: GroupDetails['type'];
  owner: string | undefined;
  createdAt: string | undefined;
  icon: string | undefined;
  password: string | undefined;
  part: string;
}
const GROUP_CACHE_SIZE = 8;
const groupCache: GroupEntry[] = [];
let groupCacheNext = 0;
let lastGroupHit = 0;
/** Raw guids of the last groups checked without a cache hit (the second sighting admits one). */
const RECENT_SIZE = 4;
const recentGuids: unknown[] = new Array<unknown>(RECENT_SIZE).fill(undefined);
let recentNext = 0;

function seenRecently(rawGuid: unknown): boolean {
  for (let i = 0; i < RECENT_SIZE; i++) if (recentGuids[i] === rawGuid) return true;
  recentGuids[recentNext] = rawGuid;
  recentNext = (recentNext + 1) % RECENT_SIZE;
  return false;
}

/** groupDetails: its JSON part (and builtGroup), a failure, or undefined. */
function checkGroup(value: unknown, guid: string): string | Validated | undefined {
  if (!isPlainRecord(value)) return notDetails(GROUP, value);
  const rawGuid = value.guid;
  const name = value.name;
  const rawType = value.type;
  const rawOwner = value.owner;
  const rawCreated = value.createdAt;
  const icon = value.icon;
  const password = value.password;
  const metadata = value.metadata;
  const tags = value.tags;
  const cacheable = metadata == null && tags == null;
  if (cacheable) {
    // The last entry that matched first (runs of one group), then the others.
    for (let n = 0, i = lastGroupHit; n < groupCache.length; n++, i = (i + 1) % groupCache.length) {
      const e = groupCache[i] as GroupEntry;
      if (e.rawGuid === rawGuid && e.rawName === name && e.rawCreatedAt === rawCreated && e.memberGuid === guid &&
        e.rawType === rawType && e.rawOwner === rawOwner && e.rawPassword === password && e.rawIcon === icon) {
        lastGroupHit = i;
        builtGroup = createGroup(e.guid, e.name, e.type, e.owner, e.createdAt, e.icon, e.password, undefined, undefined);
        return e.part;
      }
    }
  }
  let gGuid = guid;
  if (rawGuid != null && rawGuid !== guid) {
    // A different but valid guid is a cross-field problem, reported after all schema checks.
    const id = canonicalId(rawGuid);
    if (id === undefined) return idProblem(G.guid, rawGuid);
    gGuid = id;
  }
  const nameText = checkedText(name, LIMITS.nameChars, true);
  if (nameText === undefined) return textProblem(G.name, name, LIMIT_PARAMS.name, true);
  let type: GroupDetails['type'];
  if (rawType === 'public' || rawType === 'private' || rawType === 'password') type = rawType;
  else {
    const t = normalizeGroupType(rawType);
    if (t !== 'public' && t !== 'private' && t !== 'password') return problem(G.type, undefined, t, rawType);
    type = t;
  }
  let owner: string | undefined;
  if (rawOwner != null) {
    owner = canonicalId(rawOwner);
    if (owner === undefined) return idProblem(G.owner, rawOwner);
  }
  let createdAt: string | undefined;
  if (rawCreated != null) {
    createdAt = toTimestampText(rawCreated);
    if (createdAt === undefined) return problem(G.createdAt, undefined, rawCreated, rawCreated);
  }
  let iconText: string | undefined;
  if (icon != null) {
    iconText = checkedText(icon, LIMITS.urlChars, false);
    if (iconText === undefined) return textProblem(G.icon, icon, LIMIT_PARAMS.url, false);
  }
  let passwordText: string | undefined;
  if (password != null) {
    passwordText = checkedText(password, LIMITS.passwordChars, false);
    if (passwordText === undefined) return textProblem(G.password, password, LIMIT_PARAMS.password, false);
  }
  let metadataJson: string | undefined;
  if (metadata != null) {
    const checked = checkedMetadata(metadata, G.metadata);
    if (typeof checked !== 'string') return checked;
    metadataJson = checked;
  }
  let tagsJson: string | undefined;
  if (tags != null) {
    const checked = checkedTags(tags, G.tags);
    if (typeof checked !== 'string') return checked;
    tagsJson = checked;
  }
  const iconValue = iconText === undefined ? undefined : (icon as string);
  const passwordValue = passwordText === undefined ? undefined : (password as string);
  const g = createGroup(gGuid, name as string, type, owner, createdAt, iconValue, passwordValue,
    metadataJson === undefined ? undefined : (metadata as Record<string, unknown>), tagsJson === undefined ? undefined : (tags as string[]));
  const part = groupPart(gGuid, nameText, type, owner, createdAt, iconText, passwordText, metadataJson, tagsJson);
  if (cacheable && seenRecently(rawGuid ?? guid)) {
    groupCache[groupCacheNext] = {
      memberGuid: guid, rawGuid, rawName: name, rawType, rawOwner, rawCreatedAt: rawCreated, rawIcon: icon, rawPassword: password,
      guid: gGuid, name: name as string, type, owner, createdAt, icon: iconValue, password: passwordValue, part: flat(part),
    };
    groupCacheNext = (groupCacheNext + 1) % GROUP_CACHE_SIZE;
  }
  builtGroup = g;
  return part;
}

/** A GroupDetails in canonical key order, made by one literal in the usual case. */
function createGroup(guid: string, name: string, type: GroupDetails['type'], owner: string | undefined, createdAt: string | undefined,
  icon: string | undefined, password: string | undefined, metadata: Record<string, unknown> | undefined, tags: string[] | undefined): GroupDetails {
  let g: GroupDetails;
  if (owner !== undefined && createdAt !== undefined) g = { guid, name, type, owner, createdAt };
  else {
    g = { guid, name, type };
    if (owner !== undefined) g.owner = owner;
    if (createdAt !== undefined) g.createdAt = createdAt;
  }
  if (icon !== undefined) g.icon = icon;
  if (password !== undefined) g.password = password;
  if (metadata !== undefined) g.metadata = metadata;
  if (tags !== undefined) g.tags = tags;
  return g;
}

/**
 * `text` flattened once: a `+` chain is a tree of cons strings until something reads it, and a
 * kept group part is joined into many members' texts. (The member texts themselves are left as
 * trees: flattening each cost ~0.3 µs per record in the pipeline's setting, more than the GC
 * saved when thousands of texts are kept alive; their readers flatten or copy them anyway.)
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** userDetails: its JSON part (and builtUser), a failure, or undefined. */
function checkUser(value: unknown, uid: string): string | Validated | undefined {
  if (!isPlainRecord(value)) return notDetails(USER, value);
  const rawUid = value.uid;
  let uUid = uid;
  if (rawUid != null && rawUid !== uid) {
    const id = canonicalId(rawUid);
    if (id === undefined) return idProblem(U.uid, rawUid);
    uUid = id;
  }
  const name = value.name;
  const nameText = checkedText(name, LIMITS.nameChars, true);
  if (nameText === undefined) return textProblem(U.name, name, LIMIT_PARAMS.name, true);
  const avatar = value.avatar;
  let avatarText: string | undefined;
  if (avatar != null) {
    avatarText = checkedText(avatar, LIMITS.urlChars, false);
    if (avatarText === undefined) return textProblem(U.avatar, avatar, LIMIT_PARAMS.url, false);
  }
  const link = value.link;
  let linkText: string | undefined;
  if (link != null) {
    linkText = checkedText(link, LIMITS.urlChars, false);
    if (linkText === undefined) return textProblem(U.link, link, LIMIT_PARAMS.url, false);
  }
  const role = value.role;
  let roleText: string | undefined;
  if (role != null) {
    if (typeof role !== 'string') return problem(U.role, undefined, role, role);
    roleText = escapedText(role);
  }
  const createdAt = userTimestamp(value.createdAt, U.createdAt);
  if (typeof createdAt === 'object') return createdAt;
  const lastActiveAt = userTimestamp(value.lastActiveAt, U.lastActiveAt);
  if (typeof lastActiveAt === 'object') return lastActiveAt;
  const metadata = value.metadata;
  let metadataJson: string | undefined;
  if (metadata != null) {
    const checked = checkedMetadata(metadata, U.metadata);
    if (typeof checked !== 'string') return checked;
    metadataJson = checked;
  }
  const tags = value.tags;
  let tagsJson: string | undefined;
  if (tags != null) {
    const checked = checkedTags(tags, U.tags);
    if (typeof checked !== 'string') return checked;
    tagsJson = checked;
  }
  const deactivatedAt = userTimestamp(value.deactivatedAt, U.deactivatedAt);
  if (typeof deactivatedAt === 'object') return deactivatedAt;
  const u: UserDetails = avatarText !== undefined ? { uid: uUid, name: name as string, avatar: avatar as string } : { uid: uUid, name: name as string };
  if (linkText !== undefined) u.link = link as string;
  if (roleText !== undefined) u.role = role as string;
  if (createdAt !== undefined) u.createdAt = createdAt;
  if (lastActiveAt !== undefined) u.lastActiveAt = lastActiveAt;
  if (metadataJson !== undefined) u.metadata = metadata as Record<string, unknown>;
  if (tagsJson !== undefined) u.tags = tags as string[];
  if (deactivatedAt !== undefined) u.deactivatedAt = deactivatedAt;
  builtUser = u;
  return userPart(uUid, nameText, avatarText, linkText, roleText, createdAt, lastActiveAt, metadataJson, tagsJson, deactivatedAt);
}

/** An optional timestamp of userDetails: its text, undefined when absent, or the failure. */
function userTimestamp(value: unknown, path: readonly PropertyKey[]): string | Validated | undefined {
  if (value == null) return undefined;
  return toTimestampText(value) ?? problem(path, undefined, value, value);
}

/**
 * A details value that is not a plain object: zod's object type accepts any other non-array
 * object too (and then checks its fields), so those go to the exact path; everything else is
 * the "must be an object" issue.
 */
function notDetails(path: readonly PropertyKey[], value: unknown): Validated | undefined {
  if ((typeof value === 'object' && !Array.isArray(value)) || typeof value === 'function') return undefined;
  return problem(path, undefined, value, value);
}

/**
 * A string field's text escaped for JSON, or undefined when `value` is not a string, is over
 * `limit` characters or (for names) has no visible character. One pass measures and checks.
 */
function checkedText(value: unknown, limit: number, isName: boolean): string | undefined {
  if (typeof value !== 'string' || (isName && !hasText(value))) return undefined;
  // Within the limit in UTF-16 units is within it in characters; past it, count code points.
  if (value.length > limit && !fitsChars(value, limit)) return undefined;
  return escapedText(value);
}

/**
 * `value` escaped for the inside of a JSON string. Short text is scanned in a loop, longer text
 * by the escape regex: the regex call has a fixed cost that a loop of a few characters beats.
 */
function escapedText(value: string): string {
  const plain = value.length <= 24 ? plainLength(value) >= 0 : !needsEscape(value);
  return plain ? value : JSON.stringify(value).slice(1, -1);
}

/** The issue zod reports first for a string field checkedText refused. */
function textProblem(path: readonly PropertyKey[], value: unknown, limitParams: IssueParams, isName: boolean): Validated {
  const broken = typeof value !== 'string' || (isName && !hasText(value));
  return problem(path, broken ? undefined : limitParams, value, value);
}

function checkedMetadata(value: unknown, path: readonly PropertyKey[]): string | Validated {
  if (!isPlainRecord(value)) return problem(path, undefined, value, value);
  const text = metadataText(value);
  if (text === undefined) return problem(path, UNSERIALIZABLE_PARAMS, value, value);
  return fitsBytes(text, LIMITS.metadataBytes) ? text : problem(path, LIMIT_PARAMS.metadata, value, value);
}

function checkedTags(value: unknown, path: readonly PropertyKey[]): string | Validated {
  if (!Array.isArray(value)) return problem(path, undefined, value, value);
  if (value.length > LIMITS.tags) return problem(path, LIMIT_PARAMS.tags, value, value);
  let json = '[';
  for (let i = 0; i < value.length; i++) {
    const tag: unknown = value[i];
    const text = checkedText(tag, LIMITS.tagChars, false);
    if (text === undefined) return textProblem([...path, i], tag, LIMIT_PARAMS.tag, false);
    json += (i === 0 ? '"' : ',"') + text + '"';
  }
  return json + ']';
}

/** An id that canonicalId refused: a schema issue, unless only the exact path can tell. */
function idProblem(path: readonly PropertyKey[], value: unknown): Validated | undefined {
  if (isUnusualId(value)) return undefined;
  return problem(path, undefined, normalizeId(value), value);
}

function problem(path: readonly PropertyKey[], params: IssueParams | undefined, draftValue: unknown, rawValue: unknown): Validated {
  return fail(...explainIssue({ path, params }, draftValue, rawValue));
}
