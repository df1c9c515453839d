// The member schema (zod, the source of truth for what a normalized member may contain), its
// limits, and a hand-compiled mirror of the same rules.
//
// The rules exist in three forms, all held to zod by test/record-validate.test.ts on thousands
// of mutated records: (1) memberSchema, the reference; (2) isValidMemberDraft, a mirror that
// judges a converted draft, used by the exact path of validate-member.ts (zod's safeParse of a
// valid draft costs ~0.85-0.95 µs, the mirror ~0.15-0.2 µs, Node 20), which then asks zod only
// which rule a rejected draft broke; (3) the hot path in validate-member.ts, which checks raw
// fields in this schema's shape order and reports the same first issue (path and params) zod
// would, so zod runs only for records with unusual values.

import { z } from 'zod';
import type { Member } from './member.js';
import type { ReasonCode } from './reasons.js';
import { isTenDigitText } from './timestamps.js';

/** CometChat's documented limits (data-import and user/group API references). */
export const LIMITS = {
  nameChars: 100,
  urlChars: 3000,
  passwordChars: 100,
  metadataBytes: 5 * 1024,
  tags: 25,
  tagChars: 100,
} as const;

export const ID_PATTERN = /^[a-z0-9_-]{1,100}$/;
export const TIMESTAMP_PATTERN = /^[1-9][0-9]{9}$/;
const NON_SPACE = /\S/;

export const SCOPES = ['admin', 'moderator', 'participant'] as const;
export const GROUP_TYPES = ['public', 'private', 'password'] as const;

/** Timestamp fields: a bad value there is INVALID_TIMESTAMP, not a details problem. */
export const TIMESTAMP_FIELDS: ReadonlySet<string> = new Set(['joinedAt', 'createdAt', 'lastActiveAt', 'deactivatedAt']);

/** A JSON object: `{}` literal or null-prototype, never an array, Date, Map or class instance. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** At most `limit` characters, counted as Unicode code points (an emoji is one character). */
export function fitsChars(text: string, limit: number): boolean {
  if (text.length <= limit) return true;
  if (text.length > 2 * limit) return false;
  return charCount(text) <= limit;
}

/** Code points in `text` (surrogate pairs count once). */
export function charCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** JSON text of a metadata object, or undefined when it is not a plain object or not serializable. */
export function metadataText(value: unknown): string | undefined {
  if (!isPlainRecord(value)) return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cycles, BigInt, throwing toJSON: only possible for records built in code
  }
}

/** metadataText of a details draft's metadata; undefined when there is none (or no object). */
export function detailsMetadataText(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const metadata = (details as { metadata?: unknown }).metadata;
  return metadata === undefined ? undefined : metadataText(metadata);
}

/** Size of `text` in UTF-8 bytes, computed only when the length alone cannot decide. */
export function fitsBytes(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return true;
  if (text.length > limit) return false;
  return Buffer.byteLength(text, 'utf8') <= limit;
}

/** The params of a limit issue; the hot path reports the same objects (LIMIT_PARAMS). */
const limitParams = (limit: number, unit: string): IssueParams => ({ reason: 'LIMIT_EXCEEDED', limit, unit });
export const LIMIT_PARAMS = {
  name: limitParams(LIMITS.nameChars, 'characters'),
  url: limitParams(LIMITS.urlChars, 'characters'),
  password: limitParams(LIMITS.passwordChars, 'characters'),
  metadata: limitParams(LIMITS.metadataBytes, 'bytes of JSON'),
  tags: limitParams(LIMITS.tags, 'tags'),
  tag: limitParams(LIMITS.tagChars, 'characters'),
} as const;
export const UNSERIALIZABLE_PARAMS: IssueParams = { unserializable: true };
const limit = (params: IssueParams) => ({ params });

const id = z.string().regex(ID_PATTERN);
const timestamp = z.string().regex(TIMESTAMP_PATTERN);
const name = z.string().regex(NON_SPACE).refine((s) => fitsChars(s, LIMITS.nameChars), limit(LIMIT_PARAMS.name));
const url = z.string().refine((s) => fitsChars(s, LIMITS.urlChars), limit(LIMIT_PARAMS.url));
// The count is checked before the items (pipe stops at the first failure): otherwise zod would
// visit and report every item of a huge array (measured: 5 s for a million-item tags array).
const tags = z
  .array(z.unknown())
  .refine((a) => a.length <= LIMITS.tags, limit(LIMIT_PARAMS.tags))
  .pipe(z.array(z.string().refine((s) => fitsChars(s, LIMITS.tagChars), limit(LIMIT_PARAMS.tag))));
const metadata = z
  .custom<Record<string, unknown>>(isPlainRecord)
  .refine((m) => metadataText(m) !== undefined, { params: UNSERIALIZABLE_PARAMS })
  .refine((m) => fitsBytes(metadataText(m) ?? '', LIMITS.metadataBytes), limit(LIMIT_PARAMS.metadata));

export const groupDetailsSchema = z.object({
  guid: id,
  name,
  type: z.enum(GROUP_TYPES),
  owner: id.optional(),
  createdAt: timestamp.optional(),
  icon: url.optional(),
  password: z.string().refine((s) => fitsChars(s, LIMITS.passwordChars), limit(LIMIT_PARAMS.password)).optional(),
  metadata: metadata.optional(),
  tags: tags.optional(),
});

export const userDetailsSchema = z.object({
  uid: id,
  name,
  avatar: url.optional(),
  link: url.optional(),
  role: z.string().optional(),
  createdAt: timestamp.optional(),
  lastActiveAt: timestamp.optional(),
  metadata: metadata.optional(),
  tags: tags.optional(),
  deactivatedAt: timestamp.optional(),
});

/**
 * Shape order is the order in which problems are reported (zod reports issues in shape order):
 * ids first, then the member's own fields, then the nested details.
 */
export const memberSchema = z.object({
  guid: id,
  uid: id,
  // Derived from guid and uid (the input's memberId is only compared with it), so its format
  // follows from theirs; re-testing it with a regex cost ~6% of validateMember for nothing.
  memberId: z.string(),
  scope: z.enum(SCOPES),
  isBanned: z.boolean().optional(),
  joinedAt: timestamp.optional(),
  groupDetails: groupDetailsSchema.optional(),
  userDetails: userDetailsSchema.optional(),
});

// Compile-time guard: whatever the schema accepts is a Member.
export type SchemaMember = z.output<typeof memberSchema>;
const schemaOutputIsMember = (m: SchemaMember): Member => m;
void schemaOutputIsMember;

/** A member before validation: converted values where conversion succeeded, raw values otherwise. */
export interface MemberDraft {
  memberId: unknown;
  uid: unknown;
  guid: unknown;
  joinedAt?: unknown;
  scope: unknown;
  isBanned?: unknown;
  groupDetails?: unknown;
  userDetails?: unknown;
}

/**
 * The hot-path mirror of memberSchema: true exactly when memberSchema.safeParse(draft) succeeds.
 * The metadata JSON texts are passed in because the caller needs them for serialization too.
 */
export function isValidMemberDraft(d: MemberDraft, groupMeta: string | undefined, userMeta: string | undefined): boolean {
  if (!isId(d.guid) || !isId(d.uid)) return false;
  if (typeof d.memberId !== 'string') return false;
  if (d.scope !== 'participant' && d.scope !== 'admin' && d.scope !== 'moderator') return false;
  if (d.isBanned !== undefined && typeof d.isBanned !== 'boolean') return false;
  if (d.joinedAt !== undefined && !isTimestamp(d.joinedAt)) return false;
  if (d.groupDetails !== undefined && !isValidGroup(d, d.groupDetails, groupMeta)) return false;
  if (d.userDetails !== undefined && !isValidUser(d, d.userDetails, userMeta)) return false;
  return true;
}

function isValidGroup(d: MemberDraft, value: unknown, meta: string | undefined): boolean {
  if (!isObjectLike(value)) return false;
  const g = value as Record<string, unknown>;
  // The details id is usually the member id itself (filled in or equal): already checked.
  if ((g.guid !== d.guid && !isId(g.guid)) || !isName(g.name)) return false;
  if (g.type !== 'public' && g.type !== 'private' && g.type !== 'password') return false;
  if (g.owner !== undefined && !isId(g.owner)) return false;
  if (g.createdAt !== undefined && !isTimestamp(g.createdAt)) return false;
  if (g.icon !== undefined && !isUrl(g.icon)) return false;
  if (g.password !== undefined && !(typeof g.password === 'string' && fitsChars(g.password, LIMITS.passwordChars))) return false;
  if (g.metadata !== undefined && !isMetadata(g.metadata, meta)) return false;
  return g.tags === undefined || isTags(g.tags);
}

function isValidUser(d: MemberDraft, value: unknown, meta: string | undefined): boolean {
  if (!isObjectLike(value)) return false;
  const u = value as Record<string, unknown>;
  if ((u.uid !== d.uid && !isId(u.uid)) || !isName(u.name)) return false;
  if (u.avatar !== undefined && !isUrl(u.avatar)) return false;
  if (u.link !== undefined && !isUrl(u.link)) return false;
  if (u.role !== undefined && typeof u.role !== 'string') return false;
  if (u.createdAt !== undefined && !isTimestamp(u.createdAt)) return false;
  if (u.lastActiveAt !== undefined && !isTimestamp(u.lastActiveAt)) return false;
  if (u.deactivatedAt !== undefined && !isTimestamp(u.deactivatedAt)) return false;
  if (u.metadata !== undefined && !isMetadata(u.metadata, meta)) return false;
  return u.tags === undefined || isTags(u.tags);
}

/** What z.object accepts as an object: anything non-null of type object except arrays. */
function isObjectLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): boolean {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

function isTimestamp(value: unknown): boolean {
  return typeof value === 'string' && isTenDigitText(value);
}

function isName(value: unknown): boolean {
  return typeof value === 'string' && hasText(value) && fitsChars(value, LIMITS.nameChars);
}

/** The name rule's regex (a non-space character), skipped when the first character is visible ASCII. */
export function hasText(value: string): boolean {
  const first = value.charCodeAt(0);
  return (first > 32 && first < 127) || NON_SPACE.test(value);
}

function isUrl(value: unknown): boolean {
  return typeof value === 'string' && fitsChars(value, LIMITS.urlChars);
}

function isMetadata(value: unknown, text: string | undefined): boolean {
  return isPlainRecord(value) && text !== undefined && fitsBytes(text, LIMITS.metadataBytes);
}

function isTags(value: unknown): boolean {
  if (!Array.isArray(value) || value.length > LIMITS.tags) return false;
  for (const tag of value) {
    if (typeof tag !== 'string' || !fitsChars(tag, LIMITS.tagChars)) return false;
  }
  return true;
}

/**
 * What the reasons and messages are made from: the path and params of zod's first issue, or the
 * same two found by the hot path in validate-member.ts (which must agree with zod's; tested).
 */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly params?: IssueParams;
}

export interface IssueParams {
  readonly reason?: 'LIMIT_EXCEEDED';
  readonly limit?: number;
  readonly unit?: string;
  readonly unserializable?: boolean;
}

/** The reason code for an issue on a member draft, chosen by the issue's path. */
export function reasonForIssue(issue: SchemaIssue, draftValue: unknown): ReasonCode {
  const params = issue.params;
  if (params?.reason === 'LIMIT_EXCEEDED') return 'LIMIT_EXCEEDED';
  const [top, field] = issue.path;
  const timestampField = typeof field === 'string' && TIMESTAMP_FIELDS.has(field);
  switch (top) {
    case 'guid':
      return draftValue == null ? 'MISSING_GUID' : 'INVALID_GUID';
    case 'uid':
      return draftValue == null ? 'MISSING_UID' : 'INVALID_UID';
    case 'memberId':
      return 'INVALID_MEMBER_ID';
    case 'scope':
      return 'INVALID_SCOPE';
    case 'isBanned':
      return 'INVALID_IS_BANNED';
    case 'joinedAt':
      return 'INVALID_TIMESTAMP';
    case 'groupDetails':
      return timestampField ? 'INVALID_TIMESTAMP' : 'INVALID_GROUP_DETAILS';
    default:
      return timestampField ? 'INVALID_TIMESTAMP' : 'INVALID_USER_DETAILS';
  }
}
