// String fingerprints for the dedupe index: a 128-bit key fingerprint and a cheap 16-bit content digest.

// Both hash the string's UTF-16 code units (two per 32-bit word, first unit in the low half), so
// any JS string works, lone surrogates included, and nothing is encoded or allocated per call.
//
// fingerprint128 follows the published MurmurHash3 x86 128-bit construction (four 32-bit lanes,
// 16-byte blocks, length folded in, fmix32 finalizer) applied to the string's UTF-16LE bytes, so
// its output equals MurmurHash3_x86_128(utf16le(s), FINGERPRINT_SEED). It is not cryptographic:
// uniform for ordinary data, but an adversary who controls keys could in principle craft
// collisions; memberIds are restricted to [a-z0-9_-], which leaves little room for that.

/** Seed of the key fingerprint. Changing it changes every fingerprint (see the pinned tests). */
export const FINGERPRINT_SEED = 0;

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

// Scratch holding the string's UTF-16 code units as 32-bit words. Long strings are copied in by
// Buffer#write('utf16le') (a native copy, ~3x faster than a charCodeAt loop on this class of
// machine); short ones by charCodeAt, which avoids the native call's fixed cost. Both fill the
// same words, so the result never depends on the path. A longer string gets a larger scratch,
// kept up to KEPT_SCRATCH_BYTES so one huge record does not pin its size in memory for good.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const SHORT_UNITS = 32; // below this the charCodeAt fill is faster (crossover ~28 units on Node 20 and 24)
const KEPT_SCRATCH_BYTES = 1 << 20;
let scratchBytes = Buffer.alloc(1 << 14);
let words = new Int32Array(scratchBytes.buffer, scratchBytes.byteOffset, scratchBytes.length >>> 2);

function dropHugeScratch(): void {
  if (scratchBytes.length <= KEPT_SCRATCH_BYTES) return;
  scratchBytes = Buffer.alloc(KEPT_SCRATCH_BYTES);
  words = new Int32Array(scratchBytes.buffer, scratchBytes.byteOffset, scratchBytes.length >>> 2);
}

/** Loads `s` into `words` (code unit 2j in the low half of word j); returns the word count. */
function loadWords(s: string): number {
  const n = s.length;
  const wordCount = (n + 1) >>> 1;
  if (wordCount > words.length) {
    let size = scratchBytes.length;
    while (size >>> 2 < wordCount) size *= 2;
    scratchBytes = Buffer.alloc(size);
    words = new Int32Array(scratchBytes.buffer, scratchBytes.byteOffset, size >>> 2);
  }
  const w = words;
  if (n >= SHORT_UNITS && LITTLE_ENDIAN) {
    scratchBytes.write(s, 0, 'utf16le');
    if ((n & 1) === 1) w[wordCount - 1] = s.charCodeAt(n - 1); // clear a stale upper half
  } else {
    const pairs = n >>> 1;
    for (let j = 0; j < pairs; j++) w[j] = s.charCodeAt(2 * j) | (s.charCodeAt(2 * j + 1) << 16);
    if ((n & 1) === 1) w[pairs] = s.charCodeAt(n - 1);
  }
  return wordCount;
}

/**
 * Writes the 128-bit fingerprint of `s` into out[0..3] (lanes h1..h4 of the construction).
 * `out` is caller-owned scratch so the hot path allocates nothing.
 */
export function fingerprint128(s: string, out: Uint32Array): void {
  const n = s.length;
  const wordCount = loadWords(s);
  const w = words;
  let h1 = FINGERPRINT_SEED;
  let h2 = FINGERPRINT_SEED;
  let h3 = FINGERPRINT_SEED;
  let h4 = FINGERPRINT_SEED;
  const blockEnd = (n >>> 3) << 2; // whole blocks only: 8 code units = 4 words = 16 bytes
  let i = 0;
  for (; i < blockEnd; i += 4) {
    let k1 = w[i]!;
    let k2 = w[i + 1]!;
    let k3 = w[i + 2]!;
    let k4 = w[i + 3]!;

    k1 = Math.imul(k1, C1); k1 = (k1 << 15) | (k1 >>> 17); k1 = Math.imul(k1, C2); h1 ^= k1;
    h1 = (h1 << 19) | (h1 >>> 13); h1 = (h1 + h2) | 0; h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(k2, C2); k2 = (k2 << 16) | (k2 >>> 16); k2 = Math.imul(k2, C3); h2 ^= k2;
    h2 = (h2 << 17) | (h2 >>> 15); h2 = (h2 + h3) | 0; h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(k3, C3); k3 = (k3 << 17) | (k3 >>> 15); k3 = Math.imul(k3, C4); h3 ^= k3;
    h3 = (h3 << 15) | (h3 >>> 17); h3 = (h3 + h4) | 0; h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(k4, C4); k4 = (k4 << 18) | (k4 >>> 14); k4 = Math.imul(k4, C1); h4 ^= k4;
    h4 = (h4 << 13) | (h4 >>> 19); h4 = (h4 + h1) | 0; h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }

  // Tail of 1..4 words (the last possibly half-filled, upper half zero): each lane is mixed
  // only if its word holds data, the construction's tail rule.
  const rest = wordCount - i;
  if (rest > 0) {
    if (rest > 3) {
      let k4 = w[i + 3]!;
      k4 = Math.imul(k4, C4); k4 = (k4 << 18) | (k4 >>> 14); k4 = Math.imul(k4, C1); h4 ^= k4;
    }
    if (rest > 2) {
      let k3 = w[i + 2]!;
      k3 = Math.imul(k3, C3); k3 = (k3 << 17) | (k3 >>> 15); k3 = Math.imul(k3, C4); h3 ^= k3;
    }
    if (rest > 1) {
      let k2 = w[i + 1]!;
      k2 = Math.imul(k2, C2); k2 = (k2 << 16) | (k2 >>> 16); k2 = Math.imul(k2, C3); h2 ^= k2;
    }
    let k1 = w[i]!;
    k1 = Math.imul(k1, C1); k1 = (k1 << 15) | (k1 >>> 17); k1 = Math.imul(k1, C2); h1 ^= k1;
  }

  const byteLength = n * 2; // the length is part of the hash: "a" and "a\0" differ
  h1 ^= byteLength; h2 ^= byteLength; h3 ^= byteLength; h4 ^= byteLength;
  h1 = (h1 + h2) | 0; h1 = (h1 + h3) | 0; h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  h1 = fmix32(h1); h2 = fmix32(h2); h3 = fmix32(h3); h4 = fmix32(h4);
  h1 = (h1 + h2) | 0; h1 = (h1 + h3) | 0; h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  out[0] = h1; out[1] = h2; out[2] = h3; out[3] = h4;
  if (wordCount > KEPT_SCRATCH_BYTES >>> 2) dropHugeScratch();
}

const D1 = 0x9e3779b1; // odd multipliers: each step is a bijection of the lane state,
const D2 = 0x85ebca77; // so a change in any single word can never cancel out within its lane

/**
 * 16-bit digest of `s` that depends on every code unit (and the length). Cheaper than
 * fingerprint128: two independent lanes of rotate-xor-multiply over 32-bit words, then a full
 * avalanche. Used only to tell "same content" from "different content" for a key already seen;
 * two different contents get equal digests with probability ≈ 2^-16.
 */
export function contentDigest16(s: string): number {
  const wordCount = loadWords(s);
  const w = words;
  let a = 0x6a09e667 ^ s.length; // the length keeps "x" and "x\0" (same words) apart
  let b = 0xbb67ae85 | 0;
  const pairEnd = wordCount & ~1; // even words feed lane a, odd words lane b
  let i = 0;
  for (; i < pairEnd; i += 2) {
    a = Math.imul(((a << 5) | (a >>> 27)) ^ w[i]!, D1);
    b = Math.imul(((b << 5) | (b >>> 27)) ^ w[i + 1]!, D2);
  }
  if (i < wordCount) a = Math.imul(((a << 5) | (a >>> 27)) ^ w[i]!, D1);
  // Lanes combine through an odd multiple before the bijective finalizer, so a difference
  // confined to one lane always changes the 32-bit value; folding to 16 bits then collides ~2^-16.
  const h = fmix32((a + Math.imul(b ^ (b >>> 15), 0x27d4eb2f)) | 0);
  if (wordCount > KEPT_SCRATCH_BYTES >>> 2) dropHugeScratch();
  return (h ^ (h >>> 16)) & 0xffff;
}
