// Pure, seeded factory of synthetic group-member records (as JSON text) for benchmarks and tests.
import type { ReasonCode } from '../src/entities/reasons.js';

/** The defects the generator plants; each maps to exactly one reason code (SPEC §1). */
export const INVALID_REASONS = [
  'INVALID_GUID',
  'MISSING_UID',
  'INVALID_SCOPE',
  'JOINED_BEFORE_GROUP_CREATED',
  'JOINED_IN_FUTURE',
  'INVALID_GROUP_DETAILS',
  'LIMIT_EXCEEDED',
  'INVALID_MEMBER_ID',
] as const satisfies readonly ReasonCode[];
export type InvalidReason = (typeof INVALID_REASONS)[number];

export type RecordKind = 'valid' | 'invalid' | 'duplicate' | 'conflict';

export interface GeneratedRecord {
  kind: RecordKind;
  /** Also the map key in the `cometchat` and `map` formats. ASCII, never needs JSON escaping. */
  memberId: string;
  /** The record as one line of JSON; ASCII (its length is its byte length) unless `rich`. */
  json: string;
  reason: InvalidReason | undefined;
}

export interface RecordFactoryOptions {
  seed: number;
  dupRate: number;
  conflictRate: number;
  invalidRate: number;
  /** Valid records get non-ASCII names, escapes, metadata and tags (see GenerateOptions.rich). */
  rich?: boolean;
}

export interface RecordFactory {
  next(): GeneratedRecord;
}

/** Members per group on average: big exports have few groups and many members each. */
export const MEMBERS_PER_GROUP = 200;
/** Group creation times fall in [2015-01-01, 2024-01-01); joins never after 2025-01-01. */
export const GROUP_CREATED_FROM = 1420070400;
export const GROUP_CREATED_UNTIL = 1704067200;
export const JOINED_UNTIL = 1735689600;
const YEAR_2100 = 4102444800;
/** Duplicates repeat one of the last RING_SIZE valid records, so memory stays bounded. */
export const RING_SIZE = 4096;
const TWO_POW_32 = 4294967296;

/** murmur3's 32-bit finalizer: a cheap, well-mixing integer hash. */
export function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Seeded PRNG: a Weyl counter passed through mix32. Returns uint32 values. */
export function createPrng(seed: number): () => number {
  let state = mix32(seed ^ 0x5bd1e995);
  return () => {
    state = (state + 0x9e3779b9) | 0;
    return mix32(state);
  };
}

const FIRST = ['Maria', 'James', 'Aiko', 'Liam', 'Olivia', 'Noah', 'Fatima', 'Lucas', 'Chen', 'Emma',
  'Mateo', 'Priya', 'Sofia', 'Ahmed', 'Hannah', 'Ivan', 'Zoe', 'Kwame', 'Elena', 'Diego', 'Yuki',
  'Omar', 'Grace', 'Leon', 'Amara', 'Felix', 'Nadia', 'Tomas', 'Ingrid', 'Ravi', 'Chloe', 'Sven'];
const LAST = ['Gonzalez', 'Smith', 'Tanaka', 'Okafor', 'Muller', 'Rossi', 'Kowalski', 'Nguyen', 'Haddad',
  'Johansson', 'Silva', 'Patel', 'Dubois', 'Novak', 'Kim', 'Andersen', 'Mensah', 'Ivanova', 'Garcia',
  'Fischer', 'Costa', 'Yilmaz', 'OBrien', 'Schmidt', 'Moreau', 'Petrov', 'Lindqvist', 'Santos'];
const ADJ = ['Product', 'Weekend', 'Night', 'Support', 'Design', 'Founders', 'Release', 'Hiking',
  'Backend', 'Marketing', 'Book', 'Chess', 'Travel', 'Research', 'Sales', 'Gaming'];
const NOUN = ['Launch', 'Crew', 'Club', 'Team', 'Lounge', 'Circle', 'Squad', 'Guild', 'Room', 'Hub',
  'Forum', 'Collective', 'Corner', 'Council', 'Network', 'Society'];
const SCOPES = ['', '', ',"scope":"participant"', ',"scope":"participant"', ',"scope":"participant"',
  ',"scope":"member"', ',"scope":"member"', ',"scope":"admin"', ',"scope":"moderator"',
  ',"scope":"Admin"', ',"scope":"owner"', ',"scope":"participant"'];

interface Group {
  index: number;
  guid: string;
  createdAt: number;
  /** groupDetails after its guid: name, type, password?, owner, createdAt. */
  tail: string;
  name: string;
  owner: string;
  createdText: string;
}

interface RingEntry {
  memberId: string;
  json: string;
  /** Everything up to the userDetails value, so a conflict can re-render only that part. */
  head: string;
  uid: string;
  name: string;
  /** userDetails after its name (avatar, metadata, tags), as JSON text starting with a comma. */
  extra: string;
}

/**
 * Names as JSON string bodies: raw UTF-8 in several scripts, \u escapes (BMP and a surrogate
 * pair), an escaped quote and backslash. All are valid CometChat names (≤ 100 characters).
 */
const RICH_NAMES = ['José Núñez', '田中 愛子', 'Zoë Ångström', 'Дмитрий Ковалёв', 'محمد حداد',
  'Sm\\u00f8rg\\u00e5sbord Team', 'Chlo\\u00e9 \\u00c9lise', 'Ren \\ud83d\\ude80 Ito', 'Sean \\"Shay\\" OBrien',
  'Back\\\\slash Bob', 'Françoise d\\u2019Arc', 'Παύλος Νικολάου'];
const RICH_TAGS = ['"vip"', '"beta"', '"emea"', '"support"', '"caf\\u00e9"', '"north-america"', '"オペレーター"'];

function makeGroup(seed: number, g: number): Group {
  const h1 = mix32(seed ^ Math.imul(g + 1, 0x27d4eb2f));
  const h2 = mix32(h1 ^ 0x165667b1);
  const createdAt = GROUP_CREATED_FROM + (h1 % (GROUP_CREATED_UNTIL - GROUP_CREATED_FROM));
  const name = `${ADJ[h2 & 15]} ${NOUN[(h2 >>> 4) & 15]} ${g}`;
  const typeRoll = (h2 >>> 8) % 10;
  const type = typeRoll < 6 ? 'public' : typeRoll < 9 ? 'private' : 'password';
  const password = type === 'password' ? `,"password":"pw-${(h2 >>> 12).toString(16)}"` : '';
  const owner = `user_${(g * MEMBERS_PER_GROUP + ((h2 >>> 20) % MEMBERS_PER_GROUP)).toString(36)}`;
  // Each group keeps one createdAt form (string or number of seconds) for all its members.
  const createdText = (h1 & 1) === 0 ? `"${createdAt}"` : `${createdAt}`;
  const tail = `"name":"${name}","type":"${type}"${password},"owner":"${owner}","createdAt":${createdText}`;
  return { index: g, guid: `group_${g.toString(36)}`, createdAt, tail, name, owner, createdText };
}

/** ISO-8601 text of whole seconds, with or without the ".000" milliseconds. */
function iso(seconds: number, withMillis: boolean): string {
  const text = new Date(seconds * 1000).toISOString();
  return withMillis ? text : `${text.slice(0, 19)}Z`;
}

export function createRecordFactory(options: RecordFactoryOptions): RecordFactory {
  const { seed, dupRate, conflictRate, invalidRate } = options;
  const rand = createPrng(seed);
  const below = (n: number): number => Math.floor((rand() / TWO_POW_32) * n);
  const invalidCut = invalidRate * TWO_POW_32;
  const dupCut = (invalidRate + dupRate) * TWO_POW_32;
  const conflictCut = (invalidRate + dupRate + conflictRate) * TWO_POW_32;
  // Groups are derived from (seed, index) alone; the cache only saves re-rendering their text.
  const groupCache: (Group | undefined)[] = new Array<Group | undefined>(8).fill(undefined);
  const ring: RingEntry[] = [];
  let ringNext = 0;
  let index = 0;

  const groupOf = (i: number): Group => {
    const base = Math.floor(i / MEMBERS_PER_GROUP);
    const back = below(4);
    const g = base >= back ? base - back : 0;
    const cached = groupCache[g & 7];
    if (cached !== undefined && cached.index === g) return cached;
    const made = makeGroup(seed, g);
    groupCache[g & 7] = made;
    return made;
  };

  const userName = (): string => `${FIRST[below(FIRST.length)]} ${LAST[below(LAST.length)]}`;
  const richName = (): string => `${RICH_NAMES[below(RICH_NAMES.length)]} ${below(1000)}`;
  const richExtra = (uid: string): string => {
    const tags = Array.from({ length: 1 + below(3) }, () => RICH_TAGS[below(RICH_TAGS.length)]).join(',');
    return `,"metadata":{"@private":{"email":"${uid}@example.com","contactNumber":"+1-555-${1000 + below(9000)}"},` +
      `"department":"${ADJ[below(ADJ.length)]}","bio":"Line one\\nline two \\u2014 \\"quoted\\""},"tags":[${tags}]`;
  };
  const userDetails = (uid: string, name: string, extra: string): string =>
    `{"uid":"${uid}","name":"${name}"${extra}}`;

  const joinedField = (seconds: number): string => {
    const roll = below(100);
    if (roll < 25) return `,"joinedAt":${seconds}`;
    if (roll < 55) return `,"joinedAt":"${seconds}"`;
    if (roll < 70) return `,"joinedAt":${seconds * 1000 + below(1000)}`;
    if (roll < 83) return `,"joinedAt":"${iso(seconds, (roll & 1) === 0)}"`;
    if (roll < 90) return `,"joinedAt":{"$date":"${iso(seconds, true)}"}`;
    if (roll < 95) return `,"joinedAt":{"$date":${seconds * 1000}}`;
    return ''; // joinedAt is optional
  };

  const valid = (i: number): GeneratedRecord => {
    const group = groupOf(i);
    let uid = `user_${i.toString(36)}`;
    let guid = group.guid;
    if (below(100) < 5) {
      // CometChat lowercases ids, so these stay valid (and unique) after normalization.
      uid = uid.toUpperCase();
      guid = guid.toUpperCase();
    }
    const memberId = `${guid}_member_${uid}`;
    // Last second excluded so millisecond forms never pass 2025-01-01.
    const joined = group.createdAt + below(JOINED_UNTIL - group.createdAt);
    const banRoll = below(100);
    const banned = banRoll < 6 ? ',"isBanned":false' : banRoll < 8 ? ',"isBanned":true' : '';
    const head = `{"memberId":"${memberId}","uid":"${uid}","guid":"${guid}"${joinedField(joined)}` +
      `${SCOPES[below(SCOPES.length)]}${banned},"groupDetails":{"guid":"${guid}",${group.tail}},"userDetails":`;
    const name = options.rich === true ? richName() : userName();
    const avatar = below(100) < 45 ? `,"avatar":"https://cdn.example.com/avatars/${uid}.png"` : '';
    const extra = options.rich === true ? avatar + richExtra(uid) : avatar;
    const json = `${head}${userDetails(uid, name, extra)}}`;
    const entry: RingEntry = { memberId, json, head, uid, name, extra };
    if (ring.length < RING_SIZE) ring.push(entry);
    else ring[ringNext] = entry;
    ringNext = (ringNext + 1) % RING_SIZE;
    return { kind: 'valid', memberId, json, reason: undefined };
  };

  const invalid = (i: number): GeneratedRecord => {
    const reason = INVALID_REASONS[below(INVALID_REASONS.length)] as InvalidReason;
    const group = groupOf(i);
    const uid = `user_${i.toString(36)}`;
    // '.' is outside a-z 0-9 _ - and lowercasing cannot repair it.
    const guid = reason === 'INVALID_GUID' ? `group.${group.index.toString(36)}` : group.guid;
    // A second "_" never occurs in generated uids, so this id cannot equal any valid memberId.
    const memberId = reason === 'INVALID_MEMBER_ID' ? `${guid}_member_${uid}_old` : `${guid}_member_${uid}`;
    let joinedAt = group.createdAt + below(JOINED_UNTIL - group.createdAt);
    if (reason === 'JOINED_BEFORE_GROUP_CREATED') joinedAt = group.createdAt - 1 - below(30_000_000);
    if (reason === 'JOINED_IN_FUTURE') joinedAt = YEAR_2100 + below(31_000_000);
    const scope = reason === 'INVALID_SCOPE' ? 'superuser' : 'participant';
    const groupDetails = reason === 'INVALID_GROUP_DETAILS'
      ? `{"guid":"${guid}","name":"${group.name}","type":"secret","owner":"${group.owner}",` +
        `"createdAt":${group.createdText}}`
      : `{"guid":"${guid}",${group.tail}}`;
    let name = userName();
    if (reason === 'LIMIT_EXCEEDED') name = `${name} ${'x'.repeat(101 + below(40) - name.length)}`;
    // Without a uid there is nothing for userDetails.uid to equal, so it is left out too.
    const uidField = reason === 'MISSING_UID' ? '' : `"uid":"${uid}",`;
    const user = reason === 'MISSING_UID' ? '' : `,"userDetails":${userDetails(uid, name, '')}`;
    const json = `{"memberId":"${memberId}",${uidField}"guid":"${guid}","joinedAt":"${joinedAt}",` +
      `"scope":"${scope}","groupDetails":${groupDetails}${user}}`;
    return { kind: 'invalid', memberId, json, reason };
  };

  const repeat = (i: number, conflict: boolean): GeneratedRecord => {
    const source = ring[below(ring.length)] as RingEntry;
    if (!conflict) return { kind: 'duplicate', memberId: source.memberId, json: source.json, reason: undefined };
    // Same memberId, different (still valid) content: the user was renamed.
    const renamed = `${source.name} (${i.toString(36)})`;
    const json = `${source.head}${userDetails(source.uid, renamed, source.extra)}}`;
    return { kind: 'conflict', memberId: source.memberId, json, reason: undefined };
  };

  return {
    next(): GeneratedRecord {
      const i = index++;
      const roll = rand();
      if (roll < invalidCut) return invalid(i);
      if (roll < conflictCut && ring.length > 0) return repeat(i, roll >= dupCut);
      return valid(i);
    },
  };
}
