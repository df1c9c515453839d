// The text fast path (scanMember) against JSON.parse + validateMember: whenever it answers, its
// JSON and memberId must be exactly theirs; it must never answer for text JSON.parse refuses or
// for a record validateMember rejects.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom } from './helpers/random.js';
import { scanMember, scannedMemberId } from '../src/record/scan-member.js';
import { validateMember } from '../src/record/validate-member.js';
import { createRecordFactory } from '../bench/generate-records.js';

const NOW = 1_800_000_000;

/** Compares the fast path with the usual one on `text`; returns whether the fast path answered. */
function agree(text: string, key: string | undefined, nowSeconds = NOW): boolean {
  const scanned = scanMember(text, key, nowSeconds);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.equal(scanned, undefined, `the fast path accepted text JSON.parse refuses: ${text}`);
    return false;
  }
  if (scanned === undefined) return false;
  const usual = validateMember(parsed, key === undefined ? { nowSeconds } : { key, nowSeconds });
  assert.ok(usual.ok, `the fast path accepted a record the usual path rejects (${usual.ok ? '' : usual.reason}): ${text}`);
  assert.equal(scanned, usual.json, `different JSON for ${text}`);
  assert.equal(scannedMemberId(), usual.member.memberId, `different memberId for ${text}`);
  return true;
}

describe('scanMember (the text fast path)', () => {
  it('agrees with the usual path on generated exports, and decides nearly every valid record itself', () => {
    const factory = createRecordFactory({ seed: 7, dupRate: 0.02, conflictRate: 0.01, invalidRate: 0.05 });
    let valid = 0;
    let decided = 0;
    for (let i = 0; i < 20_000; i++) {
      const record = factory.next();
      const key = i % 3 === 0 ? record.memberId : undefined; // the map formats pass the key
      const answered = agree(record.json, key, 1_740_000_000);
      if (record.kind !== 'invalid') {
        valid++;
        if (answered) decided++;
      } else assert.equal(answered, false);
    }
    assert.ok(decided > 0.98 * valid, `the fast path decided ${decided} of ${valid} valid records`);
  });

  it('agrees on export-like records in many forms, key orders and spacings', () => {
    const rnd = createRandom(4242);
    // Usually the first (valid, usual) form, else any: most records then break at most one rule.
    const pick = <T>(items: readonly T[]): T => items[rnd() < 0.7 ? 0 : Math.floor(rnd() * items.length)] as T;
    let answered = 0;
    for (let i = 0; i < 6000; i++) {
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
          { $date: { $numberLong: String(joined * 1000) } }, null, undefined, NOW + 10, created - 1, -joined, 1e20, '0123456789'])],
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
      if (agree(text, key)) answered++;
    }
    assert.ok(answered > 1000, `the fast path answered only ${answered} times: the comparison proves little`);
  });

  it('never answers for text JSON.parse refuses, nor differently after any small edit', () => {
    const rnd = createRandom(77);
    const factory = createRecordFactory({ seed: 3, dupRate: 0, conflictRate: 0, invalidRate: 0 });
    const noise = ['"', '{', '}', '[', ']', ',', ':', '\\', ' ', '\t', '\n', '0', '1', '9', '-', '.', 'e', 'a', 'A', 'n', 't', 'u', '\u0001', 'é', '\ud83d', '😀', '_'];
    let answered = 0;
    for (let i = 0; i < 8000; i++) {
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
      if (agree(text, undefined, 1_740_000_000)) answered++;
    }
    assert.ok(answered > 300, `only ${answered} edited records were answered`);
  });

  it('leaves the subtle cases to the usual path', () => {
    const base = '"guid":"g1","uid":"u1","groupDetails":{"name":"G","type":"public"}';
    const cases = [
      `{${base},"guid":"g2"}`, // repeated key: JSON.parse keeps the last
      `{${base},"__proto__":{"scope":"admin"}}`,
      `{${base},"scope":null}`,
      `{${base},"joinedAt":1.6e9}`,
      `{${base},"joinedAt":01600000000}`,
      `{${base},"joinedAt":-0}`,
      `{${base},"joinedAt":1600000000000000000}`,
      `{"gu\\u0069d":"g1","uid":"u1"}`,
      `{"guid":"g1","uid":"u1","userDetails":{"name":"A\\"B"}}`,
      `\ufeff{"guid":"g1","uid":"u1"}`,
      `{"guid":"g1","uid":"u1"}x`,
      `{"guid":"g1","uid":"u1",}`,
      `{"guid":"g1","uid":"u1"`,
      `{"guid":"g1" "uid":"u1"}`,
      `{"guid":"g1","uid":"u1","isBanned":tru}`,
      `{"guid":"g1","uid":"u1","isBanned":trueish}`,
      `{"guid":"g1","uid":"u1","joinedAt":{"$date":"2023-01-11T07:16:59Z","x":1}}`,
      `{"guid":"g1","uid":"u1","joinedAt":{"$date":1673421419000}}`,
      `{"guid":"g1","uid":"u1","groupDetails":{"name":"G","type":"public","createdAt":1673421500},"joinedAt":1673421419}`,
    ];
    for (const text of cases) agree(text, undefined);
    assert.equal(scanMember(`{${base},"guid":"g2"}`, undefined, NOW), undefined);
    assert.equal(scanMember(`{"guid":"g1","uid":"u1","joinedAt":{"$date":1673421419000}}`, undefined, NOW), '{"memberId":"g1_member_u1","uid":"u1","guid":"g1","joinedAt":"1673421419","scope":"participant"}');
    // joinedAt against "now": after it, or a "now" outside the 10-digit range, is the usual path's call.
    for (const now of [1673421418, 1673421419, NaN, 0, 1e12]) agree('{"guid":"g1","uid":"u1","joinedAt":"1673421419"}', undefined, now);
    assert.equal(scanMember('{"guid":"g1","uid":"u1","joinedAt":"1673421419"}', undefined, 1673421418), undefined);
  });
});
