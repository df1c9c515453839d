// Field rules of CometChat's import entities, written independently of the client's validator:
// the sandbox exists to catch client bugs, so it must not share the code it is checking.
// Limits are the ones CometChat documents: ids 1-100 of a-z 0-9 _ -, names 100, URLs 3000,
// metadata 5 KB, 25 tags of 100 characters, timestamps as 10-digit UNIX seconds.

/** A per-entity failure as CometChat reports it inside a 200 reply. */
export class EntityFailure {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export const ID_PATTERN = /^[a-z0-9_-]{1,100}$/;
const MAX_NAME = 100;
const MAX_URL = 3000;
const MAX_METADATA_BYTES = 5 * 1024;
const MAX_TAGS = 25;
const MAX_TAG = 100;

export function badRequest(message: string): EntityFailure {
  return new EntityFailure('ERR_BAD_REQUEST', message);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 10-digit UNIX seconds given as a number or a numeric string; NaN when it is neither. */
export function parseUnixSeconds(value: unknown): number {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 1_000_000_000 && value <= 9_999_999_999 ? value : Number.NaN;
  }
  if (typeof value === 'string' && value.length === 10) {
    for (let i = 0; i < 10; i++) {
      const c = value.charCodeAt(i);
      if (c < 48 || c > 57) return Number.NaN;
    }
    return value.charCodeAt(0) === 48 ? Number.NaN : Number(value);
  }
  return Number.NaN;
}

export function checkId(value: unknown, field: string): EntityFailure | undefined {
  if (value === undefined || value === null || value === '') return badRequest(`${field} is required.`);
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    return badRequest(`${field} must be 1-100 characters of lowercase a-z, 0-9, _ and -.`);
  }
  return undefined;
}

/**
 * Characters as people count them (code points: an emoji is one), as chatmigrate's validator
 * counts them, so a rehearsal refuses exactly what `validate` reports.
 */
function longerThan(value: string, max: number): boolean {
  if (value.length <= max) return false; // UTF-16 units never undercount code points
  let n = 0;
  for (const _ of value) if (++n > max) return true;
  return false;
}

function checkName(value: unknown, field: string): EntityFailure | undefined {
  if (typeof value !== 'string' || value.length === 0) return badRequest(`${field} is required and must be a non-empty string.`);
  if (longerThan(value, MAX_NAME)) return badRequest(`${field} must be at most ${MAX_NAME} characters.`);
  return undefined;
}

function checkOptionalString(value: unknown, field: string, max: number): EntityFailure | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return badRequest(`${field} must be a string.`);
  if (longerThan(value, max)) return badRequest(`${field} must be at most ${max} characters.`);
  return undefined;
}

function checkOptionalTimestamp(value: unknown, field: string): EntityFailure | undefined {
  if (value === undefined) return undefined;
  return Number.isNaN(parseUnixSeconds(value)) ? badRequest(`${field} must be a 10-digit UNIX timestamp.`) : undefined;
}

function checkMetadata(value: unknown, field: string): EntityFailure | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) return badRequest(`${field} must be a JSON object.`);
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) return badRequest(`${field} must be at most 5 KB.`);
  return undefined;
}

function checkTags(value: unknown, field: string): EntityFailure | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return badRequest(`${field} must be an array of strings.`);
  if (value.length > MAX_TAGS) return badRequest(`${field} must have at most ${MAX_TAGS} tags.`);
  for (const tag of value) {
    if (typeof tag !== 'string' || longerThan(tag, MAX_TAG)) return badRequest(`${field} must hold strings of at most ${MAX_TAG} characters.`);
  }
  return undefined;
}

const GROUP_TYPES = new Set(['public', 'private', 'password']);

/** A group object (groups endpoint or a member's groupDetails); `prefix` names it in messages. */
export function checkGroupFields(g: Record<string, unknown>, prefix: string): EntityFailure | undefined {
  const type = g['type'];
  return (
    checkId(g['guid'], `${prefix}guid`) ??
    checkName(g['name'], `${prefix}name`) ??
    (typeof type === 'string' && GROUP_TYPES.has(type)
      ? undefined
      : badRequest(`${prefix}type must be one of public, private, password.`)) ??
    (g['owner'] === undefined ? undefined : checkId(g['owner'], `${prefix}owner`)) ??
    checkOptionalString(g['icon'], `${prefix}icon`, MAX_URL) ??
    checkOptionalString(g['password'], `${prefix}password`, 100) ??
    checkOptionalString(g['description'], `${prefix}description`, MAX_URL) ??
    checkOptionalTimestamp(g['createdAt'], `${prefix}createdAt`) ??
    checkMetadata(g['metadata'], `${prefix}metadata`) ??
    checkTags(g['tags'], `${prefix}tags`)
  );
}

/** A user object (users endpoint or a member's userDetails); `prefix` names it in messages. */
export function checkUserFields(u: Record<string, unknown>, prefix: string): EntityFailure | undefined {
  return (
    checkId(u['uid'], `${prefix}uid`) ??
    checkName(u['name'], `${prefix}name`) ??
    checkOptionalString(u['avatar'], `${prefix}avatar`, MAX_URL) ??
    checkOptionalString(u['link'], `${prefix}link`, MAX_URL) ??
    // CometChat documents no length for role (it names a role created beforehand).
    (u['role'] === undefined || typeof u['role'] === 'string' ? undefined : badRequest(`${prefix}role must be a string.`)) ??
    checkOptionalTimestamp(u['createdAt'], `${prefix}createdAt`) ??
    checkOptionalTimestamp(u['lastActiveAt'], `${prefix}lastActiveAt`) ??
    checkOptionalTimestamp(u['deactivatedAt'], `${prefix}deactivatedAt`) ??
    checkMetadata(u['metadata'], `${prefix}metadata`) ??
    checkTags(u['tags'], `${prefix}tags`)
  );
}
