// Tests for the dedupe fingerprints: pinned values, agreement with a byte-level reference, spread.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentDigest16, fingerprint128 } from '../src/transforms/dedupe/fingerprint.js';

function fp(s: string): number[] {
  const out = new Uint32Array(4);
  fingerprint128(s, out);
  return [...out];
}

/**
 * Independent byte-oriented reference of the MurmurHash3 x86 128-bit construction (seed 0),
 * written straight from the algorithm's description: 16-byte blocks read with readInt32LE, a
 * byte-wise tail. fingerprint128(s) must equal it on utf16le(s).
 */
function referenceFingerprint(bytes: Buffer): number[] {
  const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
  const fmix = (h: number): number => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
  };
  const c = [0x239b961b, 0xab0e9789, 0x38b34ae5, 0xa1e38b93];
  const rk = [15, 16, 17, 18];
  const rh = [19, 17, 15, 13];
  const add = [0x561ccd1b, 0x0bcaa747, 0x96cd1c35, 0x32ac3b17];
  const h = [0, 0, 0, 0];
  const mixK = (lane: number, k: number): number =>
    Math.imul(rotl(Math.imul(k, c[lane]!), rk[lane]!), c[(lane + 1) % 4]!);
  const blocks = Math.floor(bytes.length / 16);
  for (let b = 0; b < blocks; b++) {
    for (let lane = 0; lane < 4; lane++) {
      h[lane] = h[lane]! ^ mixK(lane, bytes.readInt32LE(b * 16 + lane * 4));
      h[lane] = rotl(h[lane]!, rh[lane]!);
      h[lane] = (h[lane]! + h[(lane + 1) % 4]!) | 0;
      h[lane] = (Math.imul(h[lane]!, 5) + add[lane]!) | 0;
    }
  }
  const tail = bytes.subarray(blocks * 16);
  for (let lane = 3; lane >= 0; lane--) {
    if (tail.length <= lane * 4) continue;
    let k = 0;
    for (let i = Math.min(tail.length, lane * 4 + 4) - 1; i >= lane * 4; i--) k = (k << 8) | tail[i]!;
    h[lane] = h[lane]! ^ mixK(lane, k);
  }
  for (let lane = 0; lane < 4; lane++) h[lane] = h[lane]! ^ bytes.length;
  const spread = (): void => {
    h[0] = (h[0]! + h[1]! + h[2]! + h[3]!) | 0;
    for (let lane = 1; lane < 4; lane++) h[lane] = (h[lane]! + h[0]!) | 0;
  };
  spread();
  for (let lane = 0; lane < 4; lane++) h[lane] = fmix(h[lane]!);
  spread();
  return h.map((x) => x >>> 0);
}

/** Deterministic test strings: ASCII, Latin-1, any UTF-16 unit (lone surrogates included). */
function makeString(length: number, seed: number, alphabet: 'ascii' | 'latin1' | 'utf16'): string {
  let x = seed * 2654435761 + 1;
  let s = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const r = x >>> 8;
    s += String.fromCharCode(alphabet === 'ascii' ? 32 + (r % 95) : alphabet === 'latin1' ? r % 256 : r % 65536);
  }
  return s;
}

describe('fingerprint128', () => {
  it('keeps its pinned values (changing them would change every stored fingerprint)', () => {
    // Pinned when written; they equal MurmurHash3_x86_128(utf16le(s), seed 0) of a widely used
    // native implementation, checked then.
    assert.deepEqual(fp(''), [0, 0, 0, 0]);
    assert.deepEqual(fp('a'), [0x033bb196, 0xccef4fe1, 0xccef4fe1, 0xccef4fe1]);
    assert.deepEqual(fp('g1_member_u1'), [0x0f529804, 0x7eeb10d2, 0x803f8894, 0x1c65852f]);
    assert.deepEqual(fp('group-42_member_user-1337-abcdefghijklmnop'), [0xcc57a161, 0x29c0ed93, 0xb24ba504, 0x5405928f]);
    assert.deepEqual(fp('héllo wörld €'), [0x199f698d, 0xfcfc305d, 0x67c96800, 0xbc9289ed]);
    assert.deepEqual(fp('\u{1F600}'), [0xf538b054, 0x7930b89f, 0x7930b89f, 0x7930b89f]);
    assert.deepEqual(fp('\ud800'), [0x95bfdb97, 0xee4a80b7, 0xee4a80b7, 0xee4a80b7]);
  });

  it('equals the byte-level reference for every length 0..300 and every kind of code unit', () => {
    for (let length = 0; length <= 300; length++) {
      for (const alphabet of ['ascii', 'latin1', 'utf16'] as const) {
        const s = makeString(length, length, alphabet);
        assert.deepEqual(fp(s), referenceFingerprint(Buffer.from(s, 'utf16le')), `length ${length} ${alphabet}`);
      }
    }
  });

  it('handles strings longer than its scratch, and short ones after them', () => {
    const long = makeString(100_003, 7, 'utf16');
    assert.deepEqual(fp(long), referenceFingerprint(Buffer.from(long, 'utf16le')));
    assert.deepEqual(fp('g1_member_u1'), [0x0f529804, 0x7eeb10d2, 0x803f8894, 0x1c65852f]);
    // beyond the kept scratch size (1 MiB): hashed in a temporary scratch, then dropped
    const huge = makeString(700_001, 9, 'latin1');
    assert.deepEqual(fp(huge), referenceFingerprint(Buffer.from(huge, 'utf16le')));
    assert.equal(contentDigest16(huge), contentDigest16(huge.slice(0, 350_000) + huge.slice(350_000)));
    assert.deepEqual(fp(long), referenceFingerprint(Buffer.from(long, 'utf16le')));
    // an odd-length string after a longer one: the stale upper half of its last word is cleared
    const odd = makeString(41, 3, 'ascii');
    assert.deepEqual(fp(odd), referenceFingerprint(Buffer.from(odd, 'utf16le')));
  });

  it('tells apart strings that differ in one character, in length only, or in a cons/flat form', () => {
    const base = 'g123_member_u4567';
    assert.notDeepEqual(fp(base), fp('g123_member_u4568'));
    assert.notDeepEqual(fp('a'), fp('a\0'));
    assert.notDeepEqual(fp(''), fp('\0'));
    const cons = ['g123', '_member_', 'u4567'].join('');
    assert.deepEqual(fp(cons), fp(base));
  });

  it('spreads memberId-shaped keys evenly over partitions (chi-square over 256 buckets)', () => {
    const buckets = new Array<number>(256).fill(0);
    const n = 256 * 400;
    const out = new Uint32Array(4);
    for (let i = 0; i < n; i++) {
      fingerprint128(`g${i % 977}_member_u${i}`, out);
      buckets[out[0]! >>> 24]!++;
    }
    const expected = n / 256;
    const chi2 = buckets.reduce((sum, b) => sum + (b - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: mean 255, sd ~22.6; 400 is beyond 6 sd
    assert.ok(chi2 < 400, `chi-square ${chi2.toFixed(1)}`);
  });

  it('changes about half of its 128 bits when one character changes (avalanche)', () => {
    const popcount = (x: number): number => {
      let c = 0;
      for (let v = x >>> 0; v !== 0; v &= v - 1) c++;
      return c;
    };
    let total = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const a = fp(`g${i}_member_u${i * 7}`);
      const b = fp(`g${i}_member_u${i * 7 + 1}`);
      for (let w = 0; w < 4; w++) total += popcount(a[w]! ^ b[w]!);
    }
    const mean = total / trials;
    assert.ok(mean > 60 && mean < 68, `mean flipped bits ${mean}`);
  });
});

describe('contentDigest16', () => {
  it('keeps its pinned values', () => {
    assert.equal(contentDigest16(''), 11378);
    assert.equal(contentDigest16('a'), 7551);
    assert.equal(contentDigest16('héllo wörld €'), 28724);
    assert.equal(contentDigest16('{"memberId":"g1_member_u1","uid":"u1","guid":"g1","scope":"participant"}'), 27124);
  });

  it('returns a 16-bit integer and depends on every character and on the length', () => {
    const base = makeString(257, 11, 'ascii');
    const d = contentDigest16(base);
    assert.ok(Number.isInteger(d) && d >= 0 && d < 65536);
    let unchanged = 0;
    for (let i = 0; i < base.length; i++) {
      const changed = base.slice(0, i) + String.fromCharCode(base.charCodeAt(i) ^ 1) + base.slice(i + 1);
      if (contentDigest16(changed) === d) unchanged++;
    }
    assert.ok(unchanged <= 2, `${unchanged} of ${base.length} one-character changes kept the digest`);
    assert.notEqual(contentDigest16('x'), contentDigest16('x\0'));
  });

  it('collides for different contents at about the expected 2^-16 rate', () => {
    const pairs = 200_000;
    let same = 0;
    for (let i = 0; i < pairs; i++) {
      const a = `{"memberId":"g${i % 300}_member_u${i}","scope":"participant","joinedAt":"${1_600_000_000 + i}"}`;
      const b = `{"memberId":"g${i % 300}_member_u${i}","scope":"participant","joinedAt":"${1_600_000_001 + i}"}`;
      if (contentDigest16(a) === contentDigest16(b)) same++;
    }
    // expected ~3.05; Poisson(3.05) exceeds 14 with probability < 1e-5
    assert.ok(same <= 14, `${same} collisions in ${pairs} pairs`);
  });
});
