// Compact dedupe index: 128-bit key fingerprints (plus a 16-bit content digest) in typed-array slabs.
// One file, longer than most: the slab layout, probing, growth and the per-slab evacuation all
// share the same index arithmetic, which is easiest to check in one place.

import { contentDigest16, fingerprint128 } from './fingerprint.js';

export const NEW = 0;
export const DUPLICATE = 1;
export const CONFLICT = 2;
export type DedupeVerdict = 0 | 1 | 2;

/** fingerprint128 words, read as int32 or uint32 (both hold the same 32 bits). */
export type FingerprintWords = Int32Array | Uint32Array;

export interface DedupeIndex {
  /** NEW the first time `key` is seen; then DUPLICATE (same content) or CONFLICT (different). */
  add(key: string, content: string): DedupeVerdict;
  /**
   * add() for a key hashed elsewhere (e.g. in a worker): fingerprint128(key) is in
   * words[offset..offset+3] and contentDigest16(content) is `digest16`.
   */
  addHashed(words: FingerprintWords, offset: number, digest16: number): DedupeVerdict;
  /**
   * Optional speed-up before `count` addHashed calls (fingerprints 4 words apart from `offset`):
   * touches their table slots back to back so the cache misses overlap instead of queueing.
   */
  prefetchHashed(words: FingerprintWords, offset: number, count: number, stride?: number): void;
  has(key: string): boolean;
  /** Distinct keys held. */
  readonly size: number;
  /** Bytes held: every slab (live tables, dead space, spare slabs) plus the partition directory. */
  bytes(): number;
}

export interface DedupeIndexOptions {
  /** log2 of the partition count, 0..16; default 16. Fewer are for tests (see "Keys" below). */
  partitionBits?: number;
  /** Slab size in 32-bit words, default 2^18 (1 MiB); tests use tiny slabs to force evacuations. */
  slabWords?: number;
}

// Keys. The fingerprint's words h0..h3 are spread over a partition number and a 4-word slot:
//   partition = top `partitionBits` bits of h0
//   slot      = [ (h0 & 0xffff) << 16 | content16, h1 (never 0: 0 marks a free slot), h2, h3 ]
// With the default 16 partition bits a key is identified by all 128 bits (16 + 16 + 96), so two
// different keys merge only on a full 128-bit collision (~4e-24 for 50M keys); mapping h1 = 0 to
// 1 costs 2^-32 of one word. With fewer partition bits (tests) h0 bits 16..31-partitionBits are
// not kept: that changes collision odds only, never behaviour.
//
// Conflicts. Only a 16-bit digest of the content is kept, so a duplicate whose content really
// differs is reported DUPLICATE instead of CONFLICT with probability 2^-16. Counts stay exact
// either way (the key itself is known exactly); 16 bits is what fits beside the key in 16 bytes.
//
// Tables. Each partition is a small open-addressing table (home slot = range reduction of h2,
// linear probing) that grows on its own by x1.25 past load 0.85, so the average load stays ~0.76
// (~21 B/key) and a growth re-inserts one table of a few KB while it is in cache: no global
// rehash, no 2x memory spike. Tables are regions of 1 MiB slabs, not typed arrays of their own:
// allocating a typed array per growth cost 1-8 µs here (~200 ns per key at 30M keys), ~450 B
// of bookkeeping per partition, and dead tables waited for V8's GC. The slabs form a small
// log-structured heap (see allocate/release below) whose dead space stays under 10% of the live.

const MAX_LOAD = 0.85;
const GROWTH = 1.25;
const FIRST_SLOTS = 4;
const DOUBLING_BELOW = 64; // tiny tables double: fewer growths while the index is young
const SLOT_WORDS = 4;
const DEFAULT_SLAB_WORDS = 1 << 18;
// Dead space (freed tables in slabs still in use) is kept under this fraction of the live tables
// by emptying the slab with the fewest live words. At 30M keys this copies ~10 GB in all for
// ~2% of the insert time; without it dead space and spare slabs reach ~35% (28.6 B/key).
const DEAD_SPACE_BUDGET = 0.1;
const EVACUATE_MAX_LIVE = 0.95; // emptying a fuller slab would free too little
const MAX_EVACUATIONS_PER_RELEASE = 4;
const TWO_POW_32 = 4294967296;
const NO_TABLE = new Int32Array(0);

// Partition directory: four int32 per partition, together so one cache line serves a lookup.
const M_SLAB = 0;
const M_OFFSET = 1; // first word of the table in its slab
const M_SLOTS = 2; // 0 until the partition gets its first key
const M_USED = 3;

/** Home slot of a key in a table of `slots` slots: fast range reduction of h2's unsigned value. */
function homeSlot(h2: number, slots: number): number {
  return ((h2 >>> 0) * slots) / TWO_POW_32 | 0; // exact: the product stays below 2^53
}

function nextSlotCount(slots: number): number {
  if (slots === 0) return FIRST_SLOTS;
  if (slots < DOUBLING_BELOW) return slots * 2;
  return Math.ceil(slots * GROWTH);
}

function checkedInteger(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name}: expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return v;
}

export function createDedupeIndex(options: DedupeIndexOptions = {}): DedupeIndex {
  const bits = checkedInteger('partitionBits', options.partitionBits, 16, 0, 16);
  const slabWords = checkedInteger('slabWords', options.slabWords, DEFAULT_SLAB_WORDS, 64, 1 << 28);
  const partitionShift = 16 - bits;
  const dir = new Int32Array((1 << bits) * 4);
  const heap = createSlabHeap(dir, slabWords);
  const slabs = heap.slabs; // the same array for the heap's lifetime
  const fp = new Uint32Array(4); // fingerprint scratch, reused by every call
  let size = 0;
  let sink = 0; // prefetch loads end here, so the compiler cannot drop them

  // Fingerprint words of the current key, as int32 (what the slabs hold).
  let h0 = 0;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;

  /** Sets h0..h3 from fingerprint words; returns the partition's directory index. */
  function loadWords(words: FingerprintWords, o: number): number {
    h0 = words[o]! | 0;
    h1 = words[o + 1]! | 0;
    if (h1 === 0) h1 = 1;
    h2 = words[o + 2]! | 0;
    h3 = words[o + 3]! | 0;
    return ((h0 >>> 16) >>> partitionShift) * 4;
  }

  /** Word 1 of the current key's home slot: loading it early starts the likely cache miss. */
  function homeWord(t: Int32Array, base: number, slots: number): number {
    return t[base + homeSlot(h2, slots) * SLOT_WORDS + 1]!;
  }

  /** Word index of the current key's slot, or ~index of the free slot ending its probe. */
  function locate(t: Int32Array, base: number, slots: number, first: number): number {
    const hi = h0 << 16;
    const k1 = h1;
    const k2 = h2;
    const k3 = h3;
    let j = homeSlot(k2, slots);
    let w1 = first;
    for (;;) {
      const at = base + j * SLOT_WORDS;
      if (w1 === 0) return ~at;
      if (w1 === k1 && t[at + 2] === k2 && t[at + 3] === k3 && ((t[at]! ^ hi) >>> 16) === 0) return at;
      if (++j === slots) j = 0;
      w1 = t[base + j * SLOT_WORDS + 1]!;
    }
  }

  /** Inserts the current key (absent from partition `m`, whose probe ended at ~at) or reports it. */
  function insert(m: number, t: Int32Array, at: number, c16: number): DedupeVerdict {
    if (at >= 0) return (t[at]! & 0xffff) === c16 ? DUPLICATE : CONFLICT;
    const used = dir[m + M_USED]! + 1;
    if (used > dir[m + M_SLOTS]! * MAX_LOAD) {
      grow(m);
      t = slabs[dir[m + M_SLAB]!]!;
      const base = dir[m + M_OFFSET]!;
      const slots = dir[m + M_SLOTS]!;
      at = locate(t, base, slots, homeWord(t, base, slots)); // absent: finds its free slot
    }
    at = ~at;
    t[at] = (h0 << 16) | c16;
    t[at + 1] = h1;
    t[at + 2] = h2;
    t[at + 3] = h3;
    dir[m + M_USED] = used;
    size++;
    return NEW;
  }

  /** Gives partition `m` a larger table holding the same keys. */
  function grow(m: number): void {
    const oldSlots = dir[m + M_SLOTS]!;
    const slots = nextSlotCount(oldSlots);
    const words = slots * SLOT_WORDS;
    const s = heap.allocate(words, m);
    const t = slabs[s]!;
    const base = heap.top[s]! - words;
    t.fill(0, base, base + words); // a reused slab still holds old tables
    const oldSlab = dir[m + M_SLAB]!;
    if (oldSlots > 0) {
      const old = slabs[oldSlab]!;
      const oldEnd = dir[m + M_OFFSET]! + oldSlots * SLOT_WORDS;
      for (let from = dir[m + M_OFFSET]!; from < oldEnd; from += SLOT_WORDS) {
        if (old[from + 1] === 0) continue;
        let j = homeSlot(old[from + 2]!, slots);
        while (t[base + j * SLOT_WORDS + 1] !== 0) if (++j === slots) j = 0;
        const to = base + j * SLOT_WORDS;
        t[to] = old[from]!;
        t[to + 1] = old[from + 1]!;
        t[to + 2] = old[from + 2]!;
        t[to + 3] = old[from + 3]!;
      }
    }
    dir[m + M_SLAB] = s;
    dir[m + M_OFFSET] = base;
    dir[m + M_SLOTS] = slots;
    if (oldSlots > 0) heap.release(oldSlab, oldSlots * SLOT_WORDS); // may move other tables
  }

  function add(key: string, content: string): DedupeVerdict {
    fingerprint128(key, fp);
    const m = loadWords(fp, 0);
    const slots = dir[m + M_SLOTS]!;
    if (slots === 0) return insert(m, NO_TABLE, ~0, contentDigest16(content));
    const t = slabs[dir[m + M_SLAB]!]!;
    const base = dir[m + M_OFFSET]!;
    const first = homeWord(t, base, slots); // in flight while the content is hashed
    const c16 = contentDigest16(content);
    return insert(m, t, locate(t, base, slots, first), c16);
  }

  function addHashed(words: FingerprintWords, offset: number, digest16: number): DedupeVerdict {
    const m = loadWords(words, offset);
    const slots = dir[m + M_SLOTS]!;
    if (slots === 0) return insert(m, NO_TABLE, ~0, digest16 & 0xffff);
    const t = slabs[dir[m + M_SLAB]!]!;
    const base = dir[m + M_OFFSET]!;
    return insert(m, t, locate(t, base, slots, homeWord(t, base, slots)), digest16 & 0xffff);
  }

  function prefetchHashed(words: FingerprintWords, offset: number, count: number, stride = 4): void {
    let acc = 0;
    for (let i = 0, o = offset; i < count; i++, o += stride) {
      const m = ((words[o]! >>> 16) >>> partitionShift) * 4;
      const slots = dir[m + M_SLOTS]!;
      if (slots !== 0) acc ^= slabs[dir[m + M_SLAB]!]![dir[m + M_OFFSET]! + homeSlot(words[o + 2]!, slots) * SLOT_WORDS]!;
    }
    sink ^= acc;
  }

  function has(key: string): boolean {
    fingerprint128(key, fp);
    const m = loadWords(fp, 0);
    const slots = dir[m + M_SLOTS]!;
    if (slots === 0) return false;
    const t = slabs[dir[m + M_SLAB]!]!;
    const base = dir[m + M_OFFSET]!;
    return locate(t, base, slots, homeWord(t, base, slots)) >= 0;
  }

  return {
    add,
    addHashed,
    prefetchHashed,
    has,
    get size() {
      return size;
    },
    bytes() {
      return heap.bytes() + dir.byteLength;
    },
  };
}

interface SlabHeap {
  readonly slabs: Int32Array[];
  /** Bump pointer of each slab, in words: a new table occupies the words just below it. */
  readonly top: number[];
  /** Reserves `words` words for the table of partition `m` (a directory index); returns the slab. */
  allocate(words: number, m: number): number;
  /** Marks `words` words of slab `s` dead. */
  release(s: number, words: number): void;
  bytes(): number;
}

/**
 * Log-structured heap of tables. New tables are bump-allocated in the active slab; a freed table
 * leaves dead space in its slab. When dead space passes DEAD_SPACE_BUDGET of the live words, the
 * slab with the fewest live words is emptied by copying its tables to the active slab (updating
 * `dir`), then reused. A table larger than a slab gets a slab of its own, dropped when it dies.
 */
function createSlabHeap(dir: Int32Array, slabWords: number): SlabHeap {
  const slabs: Int32Array[] = [];
  const top: number[] = [];
  const live: number[] = []; // live words per slab
  const tables: number[][] = []; // directory indexes of tables placed in each slab (some stale)
  const spare: number[] = []; // emptied standard slabs, ready for reuse
  const unusedIndexes: number[] = []; // indexes of dropped oversize slabs
  let active = -1;
  let inUse = 0; // standard slabs that are active or hold tables
  let standardLive = 0;
  let totalBytes = 0;
  let retryAt = 0; // dead words to reach before looking for a slab to empty again

  function newSlab(words: number): number {
    const s = unusedIndexes.pop() ?? slabs.length;
    slabs[s] = new Int32Array(words);
    top[s] = 0;
    live[s] = 0;
    tables[s] = [];
    totalBytes += words * 4;
    return s;
  }

  function recycle(s: number): void {
    if (slabs[s]!.length > slabWords) {
      totalBytes -= slabs[s]!.byteLength;
      slabs[s] = NO_TABLE;
      unusedIndexes.push(s);
      return;
    }
    top[s] = 0;
    live[s] = 0;
    tables[s]!.length = 0;
    spare.push(s);
    inUse--;
  }

  function allocate(words: number, m: number): number {
    if (words > slabWords) {
      const own = newSlab(words);
      top[own] = words;
      live[own] = words;
      return own;
    }
    if (active < 0 || top[active]! + words > slabWords) {
      const retired = active;
      active = spare.pop() ?? newSlab(slabWords);
      inUse++;
      if (retired >= 0 && live[retired] === 0) recycle(retired);
    }
    top[active]! += words;
    live[active]! += words;
    standardLive += words;
    tables[active]!.push(m);
    return active;
  }

  /** Dead words in standard slabs (the active slab's unused tail is not dead). */
  function deadWords(): number {
    return inUse * slabWords - standardLive - (active < 0 ? 0 : slabWords - top[active]!);
  }

  function release(s: number, words: number): void {
    live[s]! -= words;
    if (slabs[s]!.length > slabWords) {
      recycle(s);
      return;
    }
    standardLive -= words;
    if (live[s] === 0 && s !== active) recycle(s);
    for (let round = 0; round < MAX_EVACUATIONS_PER_RELEASE; round++) {
      const dead = deadWords();
      if (dead <= standardLive * DEAD_SPACE_BUDGET || dead < retryAt) return;
      if (!evacuateEmptiest()) {
        retryAt = dead + slabWords; // no slab worth emptying: wait for more dead space
        return;
      }
      retryAt = 0;
    }
  }

  /** Moves the tables of the retired slab with the fewest live words; false if none is worth it. */
  function evacuateEmptiest(): boolean {
    let victim = -1;
    let least = slabWords * EVACUATE_MAX_LIVE;
    for (let s = 0; s < slabs.length; s++) {
      // skip the active slab, oversize and dropped slabs, and spares (top 0)
      if (s === active || slabs[s]!.length !== slabWords || top[s] === 0) continue;
      if (live[s]! < least) {
        least = live[s]!;
        victim = s;
      }
    }
    if (victim < 0) return false;
    const from = slabs[victim]!;
    for (const m of tables[victim]!) {
      if (dir[m + M_SLAB] !== victim) continue; // that table has moved or died since
      const words = dir[m + M_SLOTS]! * SLOT_WORDS;
      const start = dir[m + M_OFFSET]!;
      const s = allocate(words, m);
      const offset = top[s]! - words;
      slabs[s]!.set(from.subarray(start, start + words), offset);
      dir[m + M_SLAB] = s;
      dir[m + M_OFFSET] = offset;
      live[victim]! -= words;
      standardLive -= words;
    }
    recycle(victim);
    return true;
  }

  return { slabs, top, allocate, release, bytes: () => totalBytes };
}
