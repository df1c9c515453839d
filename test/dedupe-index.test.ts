// Tests for the dedupe index: verdicts, exact counts through many growths and slab evacuations.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFLICT, DUPLICATE, NEW, createDedupeIndex } from '../src/transforms/dedupe/dedupe-index.js';
import { contentDigest16, fingerprint128 } from '../src/transforms/dedupe/fingerprint.js';

const key = (i: number): string => `g${i % 997}_member_u${i}`;
const content = (i: number, variant = 0): string => `{"memberId":"${key(i)}","scope":"${variant === 0 ? 'participant' : 'admin'}"}`;

/** Adds keys 0..n-1 and checks every verdict round: NEW, then DUPLICATE, then CONFLICT. */
function exercise(index: ReturnType<typeof createDedupeIndex>, n: number): void {
  for (let i = 0; i < n; i++) if (index.add(key(i), content(i)) !== NEW) assert.fail(`key ${i} not NEW`);
  assert.equal(index.size, n);
  for (let i = 0; i < n; i++) if (index.add(key(i), content(i)) !== DUPLICATE) assert.fail(`key ${i} not DUPLICATE`);
  let conflicts = 0;
  for (let i = 0; i < n; i += 7) if (index.add(key(i), content(i, 1)) === CONFLICT) conflicts++;
  const tried = Math.ceil(n / 7);
  // a conflict goes unnoticed only when both 16-bit digests agree (~2^-16 each)
  assert.ok(conflicts >= tried - 5, `${conflicts} of ${tried} conflicts seen`);
  for (let i = n; i < n + 20_000; i++) if (index.has(key(i))) assert.fail(`absent key ${i} reported present`);
  for (let i = 0; i < n; i += 13) if (!index.has(key(i))) assert.fail(`key ${i} lost`);
  assert.equal(index.size, n);
}

describe('createDedupeIndex', () => {
  it('says NEW, then DUPLICATE for the same content and CONFLICT for other content', () => {
    const index = createDedupeIndex();
    assert.equal(index.size, 0);
    assert.equal(index.has('g1_member_u1'), false);
    assert.equal(index.add('g1_member_u1', '{"a":1}'), NEW);
    assert.equal(index.add('g1_member_u1', '{"a":1}'), DUPLICATE);
    assert.equal(index.add('g1_member_u1', '{"a":2}'), CONFLICT);
    assert.equal(index.add('g1_member_u1', '{"a":1}'), DUPLICATE, 'the first content stays the reference');
    assert.equal(index.has('g1_member_u1'), true);
    assert.equal(index.size, 1);
  });

  it('keeps keys apart that differ in one character, in case, or only in length', () => {
    const index = createDedupeIndex();
    const keys = ['g1_member_u1', 'g1_member_u2', 'g1_member_u10', 'G1_member_u1', 'g1_member_u1 ', 'g1_member_u', '', ' ', '\0'];
    for (const k of keys) assert.equal(index.add(k, 'x'), NEW, JSON.stringify(k));
    assert.equal(index.size, keys.length);
    for (const k of keys) assert.equal(index.add(k, 'x'), DUPLICATE, JSON.stringify(k));
  });

  it('handles empty, very long and non-ASCII keys and contents', () => {
    const index = createDedupeIndex({ partitionBits: 2 });
    const long = 'k'.repeat(50_000);
    const samples = ['', long, long + 'x', 'grüße_member_ümlaut', '群组_member_用户', '\u{1F600}_member_\u{1F601}', '\ud800', '\udc00'];
    for (const k of samples) assert.equal(index.add(k, k + '|' + long), NEW, k.slice(0, 20));
    for (const k of samples) assert.equal(index.add(k, k + '|' + long), DUPLICATE, k.slice(0, 20));
    assert.equal(index.add('', ''), CONFLICT);
    assert.equal(index.size, samples.length);
  });

  it('stays exact over 300k keys in 16 partitions (many growths per table)', () => {
    exercise(createDedupeIndex({ partitionBits: 4 }), 300_000);
  });

  it('stays exact with one partition whose table outgrows a slab (oversize slabs)', () => {
    exercise(createDedupeIndex({ partitionBits: 0, slabWords: 1 << 12 }), 120_000);
  });

  it('stays exact while tiny slabs force constant evacuations, and keeps dead space bounded', () => {
    const index = createDedupeIndex({ partitionBits: 10, slabWords: 1 << 11 });
    exercise(index, 200_000);
    // live tables take ~21 B/key at load ~0.76; without evacuation dead space and spare slabs
    // would add ~35%; with it, under 10% plus at most a few slabs
    const perKey = index.bytes() / index.size;
    assert.ok(perKey > 16 && perKey < 26, `${perKey.toFixed(1)} B/key`);
  });

  it('accepts keys hashed elsewhere (addHashed) and agrees with add', () => {
    const index = createDedupeIndex({ partitionBits: 6 });
    const words = new Int32Array(4 * 1000);
    const fp = new Uint32Array(4);
    for (let i = 0; i < 1000; i++) {
      fingerprint128(key(i), fp);
      words.set(fp, i * 4);
    }
    index.prefetchHashed(words, 0, 1000); // nothing allocated yet: must be harmless
    for (let i = 0; i < 1000; i++) assert.equal(index.addHashed(words, i * 4, contentDigest16(content(i))), NEW);
    index.prefetchHashed(words, 0, 1000);
    for (let i = 0; i < 1000; i++) assert.equal(index.add(key(i), content(i)), DUPLICATE);
    assert.equal(index.addHashed(words, 0, contentDigest16(content(0, 1))), CONFLICT);
    assert.equal(index.addHashed(fp, 0, contentDigest16(content(999))), DUPLICATE, 'Uint32Array words work too');
    assert.equal(index.size, 1000);
  });

  it('reports memory that grows with the keys held', () => {
    const index = createDedupeIndex();
    const empty = index.bytes();
    assert.ok(empty >= 65_536 * 16, 'the partition directory is counted');
    for (let i = 0; i < 100_000; i++) index.add(key(i), content(i));
    assert.ok(index.bytes() - empty >= 100_000 * 16, 'at least one 16-byte slot per key');
  });

  it('rejects bad options with a message naming the option', () => {
    assert.throws(() => createDedupeIndex({ partitionBits: 17 }), /partitionBits: expected an integer from 0 to 16, got 17/);
    assert.throws(() => createDedupeIndex({ partitionBits: 1.5 }), /partitionBits/);
    assert.throws(() => createDedupeIndex({ slabWords: 8 }), /slabWords: expected an integer/);
  });
});
