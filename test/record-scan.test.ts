// The text fast path (scanMember) against JSON.parse + validateMember: whenever it answers, its
// JSON and memberId must be exactly theirs; it must never answer for text JSON.parse refuses or
// for a record validateMember rejects.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editedTexts, exportLikeTexts, TEXT_NOW as NOW } from './helpers/member-texts.js';
import { scanMember, scannedMemberId } from '../src/entities/scan-member.js';
import { validateMember } from '../src/entities/validate-member.js';
import { createRecordFactory } from '../bench/generate-records.js';


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
    let answered = 0;
    for (const { text, key } of exportLikeTexts(4242, 6000)) if (agree(text, key)) answered++;
    assert.ok(answered > 1000, `the fast path answered only ${answered} times: the comparison proves little`);
  });

  it('never answers for text JSON.parse refuses, nor differently after any small edit', () => {
    let answered = 0;
    for (const text of editedTexts(3, 8000)) if (agree(text, undefined, 1_740_000_000)) answered++;
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
