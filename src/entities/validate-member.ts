// Entry point of the record core: one raw record in, a normalized member + canonical JSON or a
// reason code out. Never throws: bad data is an outcome.
//
// Two paths, one result. The hot path (checkMember) reads each raw field once, in schema order,
// converts and checks it, and builds the member and its canonical JSON text directly; at the
// first broken rule it reports the same issue (path and params) zod would report first, and the
// same message. It hands anything unusual (ids with non-ASCII characters, details that are class
// instances) to the exact path (validateMemberExactly): (1) convert raw values into a draft in
// canonical key order; (2) judge it with the mirror isValidMemberDraft and, when that fails, ask
// zod which rule failed (zod, in member-schema.ts, is the reference); (3) cross-field rules
// (memberId/map key, details ids, joinedAt bounds); (4) canonical JSON.
// test/record-validate.test.ts holds the hot path against the exact path (and so against zod)
// on thousands of mutated records, comparing whole results.
//
// Why the hot path exists (measured in the pipeline's setting: 300k generated records read
// from a file and JSON.parse'd, then validated; one core, Node 20): the exact path added
// ~2.7 µs per record there, though a micro-benchmark on long-parsed objects said ~1.0-1.4 µs.
// The setting cost more than the rules: zod on the 1% invalid records (~60 µs each: its code
// is cold and megamorphic when it runs once per hundred records), ~1.9 KB of garbage per record
// (drafts, regex match arrays, a long `+` chain) while JSON.parse allocates too, and String()
// of timestamps (V8's number-to-string cache). The hot path adds ~1.1 µs per record there
// (~0.9 µs once warm: the rest is ~65 ms of one-time JIT compilation) and ~0.9 KB of garbage.
// bench/record-micro.ts measures the same in-process.
//
// Unknown fields are dropped: only the fields of SPEC §1 are copied into the member, so an
// export's extra columns (or anything secret in them) never reach the target. `null` counts as
// absent for optional fields (exports write null for "no value"). Metadata objects and tag
// arrays are shared with the raw record, not copied.
import type { Member } from './member.js';
import { normalizeFlag, normalizeGroupType, normalizeId, normalizeScope } from './ids.js';
import {
  detailsMetadataText,
  isPlainRecord,
  isValidMemberDraft,
  memberSchema,
  type MemberDraft,
  type SchemaIssue,
} from './member-schema.js';
import { serializeMember, serializeValidMember } from './serialize-member.js';
import { tenDigitValue, toTimestampText } from './timestamps.js';
import { checkMember } from './check-member.js';
import {
  describeValue,
  fail,
  groupGuidDiffers,
  joinedBeforeGroup,
  joinedInFuture,
  memberIdMismatch,
  pickMemberId,
  userUidDiffers,
  explainIssue,
  valueAt,
  type ValidateContext,
  type Validated,
} from './member-outcomes.js';

export type { ValidateContext, Validated } from './member-outcomes.js';

export function validateMember(raw: unknown, ctx: ValidateContext): Validated {
  try {
    if (!isPlainRecord(raw)) return notAnObject(raw);
    return checkMember(raw, ctx) ?? validateExactly(raw, ctx);
  } catch (err) {
    return unreadable(err);
  }
}

/** validateMember without the hot path: the reference the tests hold the hot path against. */
export function validateMemberExactly(raw: unknown, ctx: ValidateContext): Validated {
  try {
    if (!isPlainRecord(raw)) return notAnObject(raw);
    return validateExactly(raw, ctx);
  } catch (err) {
    return unreadable(err);
  }
}

function notAnObject(raw: unknown): Validated {
  return fail('NOT_AN_OBJECT', `the record is ${describeValue(raw)}, not a JSON object`);
}

function unreadable(err: unknown): Validated {
  // Only records built in code can get here (throwing getters, proxies): JSON data cannot.
  const detail = err instanceof Error ? err.message : typeof err;
  return fail('NOT_AN_OBJECT', `the record could not be read as a JSON object (${detail.slice(0, 200)})`);
}

// ---------------------------------------------------------------------------------------------
// The exact path.

function validateExactly(raw: Record<string, unknown>, ctx: ValidateContext): Validated {
  const draft = buildMemberDraft(raw, ctx.key);
  const groupMeta = detailsMetadataText(draft.groupDetails);
  const userMeta = detailsMetadataText(draft.userDetails);
  let trusted = true;
  if (!isValidMemberDraft(draft, groupMeta, userMeta)) {
    const result = memberSchema.safeParse(draft);
    if (!result.success) {
      const issue = result.error.issues[0] as unknown as SchemaIssue;
      return fail(...explainIssue(issue, valueAt(draft, issue.path), valueAt(raw, issue.path)));
    }
    // zod (the reference) accepted what the mirror rejected: a mirror bug the tests should have
    // caught. The record goes on, serialized without trusting any field to be escape-free.
    trusted = false;
  }
  const member = draft as Member;
  const crossProblem = checkCrossFields(member, raw.memberId, ctx);
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
function checkCrossFields(m: Member, rawId: unknown, ctx: ValidateContext): Validated | undefined {
  if (rawId != null && rawId !== m.memberId && !(typeof rawId === 'string' && rawId.toLowerCase() === m.memberId)) {
    return memberIdMismatch('memberId', rawId, m.memberId);
  }
  const key = ctx.key;
  if (key !== undefined && key !== m.memberId && !(typeof key === 'string' && key.toLowerCase() === m.memberId)) {
    return memberIdMismatch('map key', key, m.memberId);
  }
  const g = m.groupDetails;
  if (g !== undefined && g.guid !== m.guid) return groupGuidDiffers(g.guid, m.guid);
  const u = m.userDetails;
  if (u !== undefined && u.uid !== m.uid) return userUidDiffers(u.uid, m.uid);
  if (m.joinedAt !== undefined) {
    // (tenDigitValue, not Number(): the text is ten digits here, and Number() of a fresh string is a runtime call.)
    if (tenDigitValue(m.joinedAt) > ctx.nowSeconds) return joinedInFuture(m.joinedAt, ctx.nowSeconds);
    // Equal-length digit strings compare like the numbers they spell.
    if (g?.createdAt !== undefined && m.joinedAt < g.createdAt) return joinedBeforeGroup(m.joinedAt, g.createdAt);
  }
  return undefined;
}
