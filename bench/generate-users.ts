// Pure, seeded factory of synthetic CometChat users (SPEC §1b) as JSON text: names (some
// non-ASCII, some with escapes), avatars, links, roles, timestamps in every accepted form,
// metadata and tags, and one planted defect per invalid record.
import type { ReasonCode } from '../src/entities/reasons.js';
import { createMix, type KindRenderer, type MixOptions, type RecordFactory } from './generate-mix.js';
import { ADJ, FIRST, iso, LAST } from './generate-records.js';

/** The defects planted in users; each gives exactly this reason. No missing uid: a map key would supply it. */
export const USER_INVALID_REASONS = [
  'INVALID_UID',
  'MISSING_NAME',
  'INVALID_NAME',
  'LIMIT_EXCEEDED',
  'INVALID_TIMESTAMP',
] as const satisfies readonly ReasonCode[];

/** Accounts created in [2019-01-01, 2025-01-01); last activity before 2025-07-01 (before the probes' now). */
export const USER_CREATED_FROM = 1546300800;
export const USER_CREATED_UNTIL = 1735689600;
export const USER_ACTIVE_UNTIL = 1751328000;

/** Names as JSON string bodies: raw UTF-8, a \u escape, an escaped quote. All ≤ 100 characters. */
const OTHER_NAMES = ['José Núñez', 'Zoë Ångström', '田中 愛子', 'Дмитрий Ковалёв', 'Chlo\\u00e9 Martin', 'Sean \\"Shay\\" Byrne'];
const ROLES = ['default', 'default', 'default', 'premium', 'moderator'];
const TAGS = ['"vip"', '"beta"', '"emea"', '"apac"', '"support"', '"trial"', '"caf\\u00e9"'];

export function createUserFactory(options: MixOptions): RecordFactory {
  return createMix(options, (below) => userRenderer(below));
}

function userRenderer(below: (n: number) => number): KindRenderer {
  /** One time in a random accepted form (numbers, numeric text, milliseconds, ISO, {"$date"}). */
  const time = (seconds: number): string => {
    const roll = below(100);
    if (roll < 35) return `${seconds}`;
    if (roll < 55) return `"${seconds}"`;
    if (roll < 75) return `${seconds * 1000 + below(1000)}`;
    if (roll < 92) return `"${iso(seconds, (roll & 1) === 0)}"`;
    return `{"$date":"${iso(seconds, true)}"}`;
  };
  const name = (): string => below(100) < 10
    ? `${OTHER_NAMES[below(OTHER_NAMES.length)]}`
    : `${FIRST[below(FIRST.length)]} ${LAST[below(LAST.length)]}`;

  /** Everything after the name: each optional field present in a realistic share of users. */
  const rest = (uid: string): string => {
    const lower = uid.toLowerCase();
    let out = '';
    if (below(100) < 60) out += `,"avatar":"https://cdn.example.com/avatars/${lower}.png"`;
    if (below(100) < 20) out += `,"link":"https://example.com/people/${lower}"`;
    if (below(100) < 30) out += `,"role":"${ROLES[below(ROLES.length)]}"`;
    const created = USER_CREATED_FROM + below(USER_CREATED_UNTIL - USER_CREATED_FROM);
    out += `,"createdAt":${time(created)}`;
    if (below(100) < 50) out += `,"lastActiveAt":${time(created + below(USER_ACTIVE_UNTIL - created))}`;
    if (below(100) < 40) {
      out += `,"metadata":{"@private":{"email":"${lower}@example.com","contactNumber":"+1-555-${1000 + below(9000)}"},` +
        `"department":"${ADJ[below(ADJ.length)]}"}`;
    }
    if (below(100) < 25) out += `,"tags":[${Array.from({ length: 1 + below(3) }, () => TAGS[below(TAGS.length)]).join(',')}]`;
    if (below(100) < 3) out += `,"deactivatedAt":${time(USER_ACTIVE_UNTIL - below(10_000_000))}`;
    return out;
  };

  return {
    valid(i) {
      // CometChat lowercases uids: upper-case ones stay valid and unique.
      const uid = below(100) < 5 ? `USER_${i.toString(36).toUpperCase()}` : `user_${i.toString(36)}`;
      const head = `{"uid":"${uid}","name":"`;
      const varying = name();
      const tail = `"${rest(uid)}}`;
      return { key: uid, json: head + varying + tail, head, varying, tail };
    },

    invalid(i) {
      const reason = USER_INVALID_REASONS[below(USER_INVALID_REASONS.length)]!;
      // '.' is outside a-z 0-9 _ - and lowercasing cannot repair it.
      const uid = reason === 'INVALID_UID' ? `user.${i.toString(36)}` : `user_${i.toString(36)}`;
      let nameField = `,"name":"${name()}"`;
      if (reason === 'MISSING_NAME') nameField = '';
      if (reason === 'INVALID_NAME') nameField = ',"name":"   "';
      if (reason === 'LIMIT_EXCEEDED') nameField = `,"name":"${FIRST[below(FIRST.length)]} ${'x'.repeat(101 + below(40))}"`;
      const created = reason === 'INVALID_TIMESTAMP' ? '"last tuesday"' : time(USER_CREATED_FROM + below(USER_CREATED_UNTIL - USER_CREATED_FROM));
      return { key: uid, json: `{"uid":"${uid}"${nameField},"createdAt":${created}}`, reason };
    },

    // Same uid, different (still valid) content: the user was renamed.
    vary: (entry, i) => `${entry.varying} (${i.toString(36)})`,
  };
}
