// Member records as JSON text, for the fast paths' differential tests (record-scan, record-native):
// export-like records in many forms, key orders and spacings, and small random edits of records.

import { createRandom } from './random.js';
import { createRecordFactory } from '../../bench/generate-records.js';

export const TEXT_NOW = 1_800_000_000;

/** Export-like records, each usually valid and usually written the usual way; `key` as a map format would pass it. */
export function* exportLikeTexts(seed: number, count: number): Generator<{ text: string; key: string | undefined }> {
  const rnd = createRandom(seed);
  // Usually the first (valid, usual) form, else any: most records then break at most one rule.
  const pick = <T>(items: readonly T[]): T => items[rnd() < 0.7 ? 0 : Math.floor(rnd() * items.length)] as T;
  for (let i = 0; i < count; i++) {
      const g = Math.floor(rnd() * 5);
      const guid = pick([`grp_${g}`, `GRP-${g}`, g, 'x'.repeat(100), 'x'.repeat(101), '', 'gé']);
      const uid = pick([`user_${i}`, `User_${i}`, i, `u${i}`]);
      const created = 1_600_000_000 + g * 1000;
      const joined = created + Math.floor(rnd() * 100_000_000);
      const iso = new Date(joined * 1000).toISOString();
      const fields: Array<[string, unknown]> = [
        ['memberId', pick([`${String(guid)}_member_${String(uid)}`, `${String(guid).toLowerCase()}_member_${String(uid).toLowerCase()}`, undefined, 'wrong', 5, null])],
        ['guid', guid],
        ['uid', uid],
        ['joinedAt', pick([joined, String(joined), joined * 1000 + 7, iso, iso.slice(0, 19) + 'Z', ` ${joined}`, joined + 0.5, { $date: iso }, { $date: joined * 1000 },
          { $date: { $numberLong: String(joined * 1000) } }, null, undefined, TEXT_NOW + 10, created - 1, -joined, 1e20, '0123456789'])],
        ['scope', pick(['participant', undefined, 'admin', 'moderator', 'Owner', 'member', 'MOD', 'boss', null, 1])],
        ['isBanned', pick([undefined, true, false, 'true', 0, null])],
        ['groupDetails', pick([
          { guid, name: `Team ${g}`, type: pick(['public', 'private', 'password', 'PUBLIC', 'secret']), owner: pick(['owner_1', 'Owner_1', undefined, 'bad owner', 7]), createdAt: pick([created, String(created), undefined, 'x']) },
          { name: pick([`Team ${g}`, ' ', '', 'x'.repeat(100), 'x'.repeat(101), 'Zoë', 'emoji 😀', 'q"uote', 'tab\there']), type: 'public', password: pick(['pw', 'x'.repeat(101), undefined]), icon: pick(['https://x/i.png', 'i'.repeat(3001), undefined]) },
          { guid: pick(['other', guid]), name: 'G', type: 'public', tags: ['a'] },
          { guid, name: 'G', type: 'public', metadata: { k: 1 } },
          { guid, name: 'G', type: 'public', extra: 1 },
          undefined, null, 'g', [], {},
        ])],
        ['userDetails', pick([
          { uid, name: `Ada ${i}`, avatar: pick([`https://cdn/${i}.png`, undefined, 'a'.repeat(3001)]) },
          { name: pick(['U', '', ' \u00a0', 'x'.repeat(101)]), link: 'https://x/u', role: pick(['default', 5, '']), createdAt: joined, lastActiveAt: iso, deactivatedAt: pick([undefined, 'soon', joined]) },
          { uid: pick([`USER_${i}`, 'someone_else', uid]), name: 'Ok' },
          { uid, name: 'Ok', tags: ['x'] },
          undefined, null, true, {},
        ])],
        ...(rnd() < 0.05 ? [['extra', 1] as [string, unknown]] : []),
      ];
      // Random key order and spacing (JSON allows space, tab, CR and LF between tokens).
      for (let k = fields.length - 1; k > 0; k--) {
        if (rnd() < 0.3) {
          const j = Math.floor(rnd() * (k + 1));
          [fields[k], fields[j]] = [fields[j]!, fields[k]!];
        }
      }
      const record = Object.fromEntries(fields.filter(([, v]) => v !== undefined));
      let text = JSON.stringify(record, null, rnd() < 0.2 ? pick([1, '\t', ' \r\n']) : undefined);
      if (rnd() < 0.2) text = ` ${text}\r\n`;
      const key = rnd() < 0.3 ? pick([`${String(guid)}_member_${String(uid)}`, 'not_the_key', `${String(guid).toUpperCase()}_member_${String(uid)}`]) : undefined;
    yield { text, key };
  }
}

/** Generated export records after 1-3 random character edits (deletions, insertions, replacements, copies). */
export function* editedTexts(seed: number, count: number): Generator<string> {
  const rnd = createRandom(seed);
  const factory = createRecordFactory({ seed, dupRate: 0, conflictRate: 0, invalidRate: 0 });
  const noise = ['"', '{', '}', '[', ']', ',', ':', '\\', ' ', '\t', '\n', '0', '1', '9', '-', '.', 'e', 'a', 'A', 'n', 't', 'u', '\u0001', 'é', '\ud83d', '😀', '_'];
  for (let i = 0; i < count; i++) {
    let text = factory.next().json;
    const edits = 1 + Math.floor(rnd() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * (text.length + 1));
      const kind = rnd();
      if (kind < 0.35) text = text.slice(0, at) + text.slice(at + 1);
      else if (kind < 0.7) text = text.slice(0, at) + noise[Math.floor(rnd() * noise.length)] + text.slice(at);
      else if (kind < 0.85) text = text.slice(0, at) + noise[Math.floor(rnd() * noise.length)] + text.slice(at + 1);
      else {
        const from = Math.floor(rnd() * text.length);
        text = text.slice(0, at) + text.slice(from, from + Math.floor(rnd() * 30)) + text.slice(at);
      }
    }
    yield text;
  }
}
