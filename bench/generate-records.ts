// Pure, seeded factory of synthetic group-member records (as JSON text) for benchmarks and tests.
import type { ReasonCode } from '../src/entities/reasons.js';
import { createMix, mix32, type KindRenderer, type MixOptions, type RecordFactory } from './generate-mix.js';

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

export type { GeneratedRecord, RecordFactory, RecordKind } from './generate-mix.js';
/** Moved to generate-mix.ts (shared by every kind); re-exported for the callers that import them from here. */
export { createPrng, mix32, RING_SIZE } from './generate-mix.js';

export interface RecordFactoryOptions extends MixOptions {
  /** Valid records get non-ASCII names, escapes, metadata and tags (see GenerateOptions.rich). */
  rich?: boolean;
}

/** Members per group on average: big exports have few groups and many members each. */
export const MEMBERS_PER_GROUP = 200;
/** Group creation times fall in [2015-01-01, 2024-01-01); joins never after 2025-01-01. */
export const GROUP_CREATED_FROM = 1420070400;
export const GROUP_CREATED_UNTIL = 1704067200;
export const JOINED_UNTIL = 1735689600;
const YEAR_2100 = 4102444800;
export const FIRST = ['Maria', 'James', 'Aiko', 'Liam', 'Olivia', 'Noah', 'Fatima', 'Lucas', 'Chen', 'Emma',
  'Mateo', 'Priya', 'Sofia', 'Ahmed', 'Hannah', 'Ivan', 'Zoe', 'Kwame', 'Elena', 'Diego', 'Yuki',
  'Omar', 'Grace', 'Leon', 'Amara', 'Felix', 'Nadia', 'Tomas', 'Ingrid', 'Ravi', 'Chloe', 'Sven'];
export const LAST = ['Gonzalez', 'Smith', 'Tanaka', 'Okafor', 'Muller', 'Rossi', 'Kowalski', 'Nguyen', 'Haddad',
  'Johansson', 'Silva', 'Patel', 'Dubois', 'Novak', 'Kim', 'Andersen', 'Mensah', 'Ivanova', 'Garcia',
  'Fischer', 'Costa', 'Yilmaz', 'OBrien', 'Schmidt', 'Moreau', 'Petrov', 'Lindqvist', 'Santos'];
export const ADJ = ['Product', 'Weekend', 'Night', 'Support', 'Design', 'Founders', 'Release', 'Hiking',
  'Backend', 'Marketing', 'Book', 'Chess', 'Travel', 'Research', 'Sales', 'Gaming'];
export const NOUN = ['Launch', 'Crew', 'Club', 'Team', 'Lounge', 'Circle', 'Squad', 'Guild', 'Room', 'Hub',
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
export function iso(seconds: number, withMillis: boolean): string {
  const text = new Date(seconds * 1000).toISOString();
  return withMillis ? text : `${text.slice(0, 19)}Z`;
}

export function createRecordFactory(options: RecordFactoryOptions): RecordFactory {
  return createMix(options, (below) => memberRenderer(options, below));
}

function memberRenderer(options: RecordFactoryOptions, below: (n: number) => number): KindRenderer {
  const { seed } = options;
  // Groups are derived from (seed, index) alone; the cache only saves re-rendering their text.
  const groupCache: (Group | undefined)[] = new Array<Group | undefined>(8).fill(undefined);

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

  return {
    valid(i) {
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
      const before = `{"memberId":"${memberId}","uid":"${uid}","guid":"${guid}"${joinedField(joined)}` +
        `${SCOPES[below(SCOPES.length)]}${banned},"groupDetails":{"guid":"${guid}",${group.tail}},"userDetails":`;
      const name = options.rich === true ? richName() : userName();
      const avatar = below(100) < 45 ? `,"avatar":"https://cdn.example.com/avatars/${uid}.png"` : '';
      const extra = options.rich === true ? avatar + richExtra(uid) : avatar;
      const json = `${before}${userDetails(uid, name, extra)}}`;
      // userDetails' name is what a conflicting repeat changes.
      return { key: memberId, json, head: `${before}{"uid":"${uid}","name":"`, varying: name, tail: `"${extra}}}` };
    },

    invalid(i) {
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
      return { key: memberId, json, reason };
    },

    // Same memberId, different (still valid) content: the user was renamed.
    vary: (entry, i) => `${entry.varying} (${i.toString(36)})`,
  };
}
