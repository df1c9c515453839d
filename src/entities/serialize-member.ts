// Canonical JSON text of a normalized member: fixed key order, absent fields omitted.
//
// Key order (CometChat's documented example order, extended with the optional fields):
//   memberId, uid, guid, joinedAt, scope, isBanned,
//   groupDetails{guid, name, type, owner, createdAt, icon, password, metadata, tags},
//   userDetails{uid, name, avatar, link, role, createdAt, lastActiveAt, metadata, tags, deactivatedAt}
//
// Three writers of the same text: serializeMember (JSON.stringify of the member rebuilt in
// canonical order: obviously right, works for any member); serializeValidMember, for members
// the exact path of validate-member.ts accepted (one `+` expression per object, free text
// escaped; measured ~0.3-0.45 µs vs ~1.2 µs for JSON.stringify, Node 20); and memberText /
// groupPart / userPart, which the hot path feeds with values it has checked and escaped
// already. The tests assert that all three give identical text.

import type { GroupDetails, Member, UserDetails } from './member.js';

/** The canonical JSON of any `member` (every string escaped exactly as JSON.stringify does). */
export function serializeMember(m: Member): string {
  const g = m.groupDetails;
  const u = m.userDetails;
  // JSON.stringify keeps insertion order and omits keys whose value is undefined.
  return JSON.stringify({
    memberId: m.memberId,
    uid: m.uid,
    guid: m.guid,
    joinedAt: m.joinedAt,
    scope: m.scope,
    isBanned: m.isBanned,
    groupDetails: g && {
      guid: g.guid, name: g.name, type: g.type, owner: g.owner, createdAt: g.createdAt,
      icon: g.icon, password: g.password, metadata: g.metadata, tags: g.tags,
    },
    userDetails: u && {
      uid: u.uid, name: u.name, avatar: u.avatar, link: u.link, role: u.role, createdAt: u.createdAt,
      lastActiveAt: u.lastActiveAt, metadata: u.metadata, tags: u.tags, deactivatedAt: u.deactivatedAt,
    },
  });
}

/**
 * The canonical JSON of a member that validateMember accepted: its ids, timestamps, scope and type
 * match their patterns (nothing to escape), so they are written as they are; free text is still
 * escaped. `groupMetaJson`/`userMetaJson`: JSON.stringify of the details' metadata, when the
 * caller already has it (the validator computes it for the 5 KB check).
 */
export function serializeValidMember(m: Member, groupMetaJson?: string, userMetaJson?: string): string {
  const g = m.groupDetails;
  const u = m.userDetails;
  return (
    '{"memberId":"' + m.memberId + '","uid":"' + m.uid + '","guid":"' + m.guid + '"' +
    (m.joinedAt === undefined ? '' : ',"joinedAt":"' + m.joinedAt + '"') +
    ',"scope":"' + m.scope + '"' +
    (m.isBanned === undefined ? '' : m.isBanned ? ',"isBanned":true' : ',"isBanned":false') +
    (g === undefined ? '' : ',"groupDetails":' + groupJson(g, groupMetaJson)) +
    (u === undefined ? '' : ',"userDetails":' + userJson(u, userMetaJson)) +
    '}'
  );
}

function groupJson(g: GroupDetails, metaJson: string | undefined): string {
  return (
    '{"guid":"' + g.guid + '","name":' + quoteJson(g.name) + ',"type":"' + g.type + '"' +
    (g.owner === undefined ? '' : ',"owner":"' + g.owner + '"') +
    (g.createdAt === undefined ? '' : ',"createdAt":"' + g.createdAt + '"') +
    (g.icon === undefined ? '' : ',"icon":' + quoteJson(g.icon)) +
    (g.password === undefined ? '' : ',"password":' + quoteJson(g.password)) +
    (g.metadata === undefined ? '' : ',"metadata":' + (metaJson ?? JSON.stringify(g.metadata))) +
    (g.tags === undefined ? '' : ',"tags":' + tagsJson(g.tags)) +
    '}'
  );
}

function userJson(u: UserDetails, metaJson: string | undefined): string {
  return (
    '{"uid":"' + u.uid + '","name":' + quoteJson(u.name) +
    (u.avatar === undefined ? '' : ',"avatar":' + quoteJson(u.avatar)) +
    (u.link === undefined ? '' : ',"link":' + quoteJson(u.link)) +
    (u.role === undefined ? '' : ',"role":' + quoteJson(u.role)) +
    (u.createdAt === undefined ? '' : ',"createdAt":"' + u.createdAt + '"') +
    (u.lastActiveAt === undefined ? '' : ',"lastActiveAt":"' + u.lastActiveAt + '"') +
    (u.metadata === undefined ? '' : ',"metadata":' + (metaJson ?? JSON.stringify(u.metadata))) +
    (u.tags === undefined ? '' : ',"tags":' + tagsJson(u.tags)) +
    (u.deactivatedAt === undefined ? '' : ',"deactivatedAt":"' + u.deactivatedAt + '"') +
    '}'
  );
}

function tagsJson(tags: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < tags.length; i++) out += (i === 0 ? '' : ',') + quoteJson(tags[i] as string);
  return out + ']';
}

// Quote, backslash, control characters and surrogates (lone ones must be escaped; pairs are
// left to JSON.stringify too, as they are rare). One regex test beats a charCodeAt loop here
// (~50 vs ~70 ns for 30 characters).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON string literal of `text`, identical to JSON.stringify(text), cheaper for plain text. */
export function quoteJson(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** True when JSON.stringify(text) is not just `text` in quotes. */
export function needsEscape(text: string): boolean {
  return NEEDS_ESCAPE.test(text);
}

/**
 * The length of `text` when every character can be written into a JSON string as it is (no
 * quote, backslash, control character or surrogate), else -1: NEEDS_ESCAPE as a loop, cheaper
 * than the regex call for a few characters.
 */
export function plainLength(text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return -1;
  }
  return n;
}

// The hot path's text builders: the same canonical text as serializeMember, from values the
// validator has checked and escaped already (`*Text` arguments are string contents without their
// quotes; metadata and tags are JSON texts). Each object is one `+` expression, and the constant
// parts next to each other are pre-joined, because every `+` with a variable side allocates a
// 32-byte cons string: fewer pieces is less garbage per record, which is what counts in the
// pipeline (measured: see validate-member.ts).

/**
 * The member's text. groupPart and userPart come from groupPart() and userPart() ('' when
 * absent); userPart closes the member's object too.
 */
export function memberText(memberId: string, uid: string, guid: string, joinedAt: string | undefined, scope: string,
  isBanned: boolean | undefined, groupPart: string, userPart: string): string {
  const scopeFlag = scopeFlagText(scope, isBanned);
  return '{"memberId":"' + memberId + '","uid":"' + uid + '","guid":"' + guid +
    (joinedAt === undefined ? scopeFlag : '","joinedAt":"' + joinedAt + scopeFlag) + groupPart + (userPart === '' ? '}' : userPart);
}

// Branches rather than lookup tables: a table indexed by a string is a keyed property load,
// megamorphic here, and it showed in profiles.
function scopeFlagText(scope: string, isBanned: boolean | undefined): string {
  if (isBanned === undefined) {
    return scope === 'participant' ? '","scope":"participant"' : scope === 'admin' ? '","scope":"admin"' : '","scope":"moderator"';
  }
  if (isBanned) {
    return scope === 'participant' ? '","scope":"participant","isBanned":true'
      : scope === 'admin' ? '","scope":"admin","isBanned":true' : '","scope":"moderator","isBanned":true';
  }
  return scope === 'participant' ? '","scope":"participant","isBanned":false'
    : scope === 'admin' ? '","scope":"admin","isBanned":false' : '","scope":"moderator","isBanned":false';
}

// Runs of string values are chained: each piece leaves its closing quote to the next one.
function typeText(type: string): string {
  return type === 'public' ? '","type":"public' : type === 'private' ? '","type":"private' : '","type":"password';
}

/** `,"groupDetails":{…}` */
export function groupPart(guid: string, nameText: string, type: string, owner: string | undefined, createdAt: string | undefined,
  iconText: string | undefined, passwordText: string | undefined, metadataJson: string | undefined, tagsJson: string | undefined): string {
  return ',"groupDetails":{"guid":"' + guid + '","name":"' + nameText + typeText(type) +
    (owner === undefined ? '' : '","owner":"' + owner) +
    (createdAt === undefined ? '' : '","createdAt":"' + createdAt) +
    (iconText === undefined ? '' : '","icon":"' + iconText) +
    (passwordText === undefined ? '"' : '","password":"' + passwordText + '"') +
    (metadataJson === undefined ? '' : ',"metadata":' + metadataJson) +
    (tagsJson === undefined ? '}' : ',"tags":' + tagsJson + '}');
}

/** `,"userDetails":{…}}`: the user's object and the end of the member's. */
export function userPart(uid: string, nameText: string, avatarText: string | undefined, linkText: string | undefined,
  roleText: string | undefined, createdAt: string | undefined, lastActiveAt: string | undefined, metadataJson: string | undefined,
  tagsJson: string | undefined, deactivatedAt: string | undefined): string {
  if (linkText === undefined && roleText === undefined && createdAt === undefined && lastActiveAt === undefined &&
    metadataJson === undefined && tagsJson === undefined && deactivatedAt === undefined) {
    // The usual user: a name and maybe an avatar.
    return avatarText === undefined
      ? ',"userDetails":{"uid":"' + uid + '","name":"' + nameText + '"}}'
      : ',"userDetails":{"uid":"' + uid + '","name":"' + nameText + '","avatar":"' + avatarText + '"}}';
  }
  return ',"userDetails":{"uid":"' + uid + '","name":"' + nameText +
    (avatarText === undefined ? '' : '","avatar":"' + avatarText) +
    (linkText === undefined ? '' : '","link":"' + linkText) +
    (roleText === undefined ? '' : '","role":"' + roleText) +
    (createdAt === undefined ? '' : '","createdAt":"' + createdAt) +
    (lastActiveAt === undefined ? '"' : '","lastActiveAt":"' + lastActiveAt + '"') +
    (metadataJson === undefined ? '' : ',"metadata":' + metadataJson) +
    (tagsJson === undefined ? '' : ',"tags":' + tagsJson) +
    (deactivatedAt === undefined ? '}}' : ',"deactivatedAt":"' + deactivatedAt + '"}}');
}
