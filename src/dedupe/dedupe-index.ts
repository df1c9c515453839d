// Compact dedupe index: 128-bit key fingerprints (plus a 16-bit content digest) in typed-array slabs.

import { contentDigest16, fingerprint128 } from './fingerprint.js';

export const NEW = 0;
export const DUPLICATE = 1;
export const CONFLICT = 2;
export type DedupeVerdict = 0 | 1 | 2;

export interface DedupeIndex {
  /** NEW the first time `key` is seen; then DUPLICATE (same content) or CONFLICT (different). */
  add(key: string, content: string): DedupeVerdict;
  has(key: string): boolean;
  /** Distinct keys held. */
  readonly size: number;
  /** Bytes held: every slab (live tables, dead space, spare slabs) plus the partition directory. */
  bytes(): number;
}

export interface DedupeIndexOptions {
  /** log2 of the partition count, 0..16; default 16. Smaller values are for tests (see below). */
  partitionBits?: number;
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
// rehash, no 2x memory spike. Tables are regions of 4 MiB slabs rather than typed arrays of their
// own: allocating one typed array per growth cost ~2-8 µs here (~250 ns per key at 30M keys) and
// ~450 B of bookkeeping per partition. New tables are bump-allocated in the active slab; a slab
// whose live tables fall below EVACUATE_BELOW is emptied by moving them out, then reused.

const MAX_LOAD = 0.85;
const GROWTH = 1.25;
const FIRST_SLOTS = 4;
const DOUBLING_BELOW = 64; // tiny tables double: fewer growths while the index is young
const SLOT_WORDS = 4;
const SLAB_WORDS = 1 << 20; // 4 MiB; a table larger than this gets a slab of its own
// Dead space (freed tables inside slabs still in use) is kept under this fraction of the live
// tables by emptying the slab with the fewest live words; slabs fuller than EVACUATE_MAX_LIVE
// are never emptied (copying them would free too little).
const DEAD_SPACE_BUDGET = 0.1;
const EVACUATE_MAX_LIVE = 0.95;
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

export function createDedupeIndex(options: DedupeIndexOptions = {}): DedupeIndex {
  const bits = options.partitionBits ?? 16;
  if (!Number.isInteger(bits) || bits < 0 || bits > 16) {
    throw new RangeError(`partitionBits: expected an integer from 0 to 16, got ${String(options.partitionBits)}`);
  }
  const partitionShift = 16 - bits;
  const partitionCount = 1 << bits;
  const dir = new Int32Array(partitionCount * 4);
  const slabs: Int32Array[] = [];
  const slabTop: number[] = []; // bump pointer, in words
  const slabLive: number[] = []; // words of live tables
  const spareSlabs: number[] = []; // emptied standard slabs, ready for reuse
  const unusedIndexes: number[] = []; // indexes of released oversize slabs
  let active = -1; // standard slab receiving new tables
  let standardSlabsInUse = 0; // active + retired standard slabs (spares excluded)
  let standardLive = 0; // live words in standard slabs
  let slabBytes = 0;
  let size = 0;
  const fp = new Uint32Array(4); // fingerprint scratch, reused by every call

  // Fingerprint words of the current key, as int32 (what the slabs hold).
  let h0 = 0;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;

  function loadKey(key: string): number {
    fingerprint128(key, fp);
    h0 = fp[0]! | 0;
    h1 = fp[1]! | 0;
    if (h1 === 0) h1 = 1;
    h2 = fp[2]! | 0;
    h3 = fp[3]! | 0;
    return (h0 >>> 16) >>> partitionShift;
  }

  /**
   * Word index of the current key's slot in the table at `base`, or ~index of the free slot
   * ending its probe. `first` is word 1 of the home slot, already loaded by the caller.
   */
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

  function firstWord(t: Int32Array, base: number, slots: number): number {
    return t[base + homeSlot(h2, slots) * SLOT_WORDS + 1]!;
  }

  function newSlab(words: number): number {
    const index = unusedIndexes.pop() ?? slabs.length;
    slabs[index] = new Int32Array(words);
    slabTop[index] = 0;
    slabLive[index] = 0;
    slabBytes += words * 4;
    return index;
  }

  /** Reserves `words` words at the end of a slab; returns the slab (offset = slabTop - words). */
  function allocate(words: number): number {
    if (words > SLAB_WORDS) {
      const own = newSlab(words);
      slabTop[own] = words;
      slabLive[own] = words;
      return own;
    }
    if (active < 0 || slabTop[active]! + words > SLAB_WORDS) {
      const retired = active;
      active = spareSlabs.pop() ?? newSlab(SLAB_WORDS);
      standardSlabsInUse++;
      if (retired >= 0 && slabLive[retired] === 0) recycle(retired);
    }
    slabTop[active]! += words;
    slabLive[active]! += words;
    standardLive += words;
    return active;
  }

  function recycle(s: number): void {
    if (slabs[s]!.length > SLAB_WORDS) {
      slabBytes -= slabs[s]!.byteLength;
      slabs[s] = NO_TABLE;
      unusedIndexes.push(s);
      return;
    }
    slabTop[s] = 0;
    slabLive[s] = 0;
    spareSlabs.push(s);
    standardSlabsInUse--;
  }

  /** Words in standard slabs that hold neither live tables nor the active slab's free tail. */
  function deadWords(): number {
    const activeFree = active < 0 ? 0 : SLAB_WORDS - slabTop[active]!;
    return standardSlabsInUse * SLAB_WORDS - standardLive - activeFree;
  }

  /** Marks a table dead, then evacuates the emptiest slabs while dead space is over budget. */
  function release(s: number, words: number): void {
    const live = (slabLive[s]! -= words);
    if (slabs[s]!.length > SLAB_WORDS) {
      recycle(s);
      return;
    }
    standardLive -= words;
    if (live === 0 && s !== active) recycle(s);
    for (let round = 0; round < MAX_EVACUATIONS_PER_RELEASE; round++) {
      if (deadWords() <= standardLive * DEAD_SPACE_BUDGET) return;
      if (!evacuateEmptiest()) return;
    }
  }

  /** Moves the live tables of the emptiest retired slab into the active one; false if none pays. */
  function evacuateEmptiest(): boolean {
    let victim = -1;
    let least = SLAB_WORDS * EVACUATE_MAX_LIVE;
    for (let s = 0; s < slabs.length; s++) {
      if (s === active || slabs[s]!.length !== SLAB_WORDS || slabTop[s] === 0) continue; // spare: top 0
      if (slabLive[s]! < least) {
        least = slabLive[s]!;
        victim = s;
      }
    }
    if (victim < 0) return false;
    const from = slabs[victim]!;
    for (let m = 0; m < dir.length && slabLive[victim]! > 0; m += 4) {
      if (dir[m + M_SLAB] !== victim || dir[m + M_SLOTS] === 0) continue;
      const words = dir[m + M_SLOTS]! * SLOT_WORDS;
      const start = dir[m + M_OFFSET]!;
      const s = allocate(words);
      const offset = slabTop[s]! - words;
      slabs[s]!.set(from.subarray(start, start + words), offset);
      dir[m + M_SLAB] = s;
      dir[m + M_OFFSET] = offset;
      slabLive[victim]! -= words;
      standardLive -= words;
    }
    recycle(victim);
    return true;
  }

  /** Gives partition `m` (directory index) a larger table holding the same keys. */
  function grow(m: number): void {
    const oldSlots = dir[m + M_SLOTS]!;
    const slots = nextSlotCount(oldSlots);
    const words = slots * SLOT_WORDS;
    const s = allocate(words);
    const t = slabs[s]!;
    const base = slabTop[s]! - words;
    t.fill(0, base, base + words); // spare slabs hold old tables
    if (oldSlots > 0) {
      const oldSlab = dir[m + M_SLAB]!;
      const old = slabs[oldSlab]!;
      const oldBase = dir[m + M_OFFSET]!;
      const oldEnd = oldBase + oldSlots * SLOT_WORDS;
      for (let from = oldBase; from < oldEnd; from += SLOT_WORDS) {
        if (old[from + 1] === 0) continue;
        let j = homeSlot(old[from + 2]!, slots);
        while (t[base + j * SLOT_WORDS + 1] !== 0) if (++j === slots) j = 0;
        const to = base + j * SLOT_WORDS;
        t[to] = old[from]!;
        t[to + 1] = old[from + 1]!;
        t[to + 2] = old[from + 2]!;
        t[to + 3] = old[from + 3]!;
      }
      dir[m + M_SLAB] = s;
      dir[m + M_OFFSET] = base;
      dir[m + M_SLOTS] = slots;
      release(oldSlab, oldSlots * SLOT_WORDS); // may move other tables, never this one
    } else {
      dir[m + M_SLAB] = s;
      dir[m + M_OFFSET] = base;
      dir[m + M_SLOTS] = slots;
    }
  }

  function add(key: string, content: string): DedupeVerdict {
    const m = loadKey(key) * 4;
    let slots = dir[m + M_SLOTS]!;
    let t: Int32Array = NO_TABLE; // a partition without a table always grows below
    let base = 0;
    let first = 0;
    if (slots !== 0) {
      t = slabs[dir[m + M_SLAB]!]!;
      base = dir[m + M_OFFSET]!;
      first = firstWord(t, base, slots); // start the likely cache miss before hashing the content
    }
    const c16 = contentDigest16(content);
    let at = ~0;
    if (slots !== 0) {
      at = locate(t, base, slots, first);
      if (at >= 0) return (t[at]! & 0xffff) === c16 ? DUPLICATE : CONFLICT;
    }
    const used = dir[m + M_USED]! + 1;
    if (used > slots * MAX_LOAD) {
      grow(m);
      slots = dir[m + M_SLOTS]!;
      t = slabs[dir[m + M_SLAB]!]!;
      base = dir[m + M_OFFSET]!;
      at = locate(t, base, slots, firstWord(t, base, slots)); // absent: finds its free slot
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

  function has(key: string): boolean {
    const m = loadKey(key) * 4;
    const slots = dir[m + M_SLOTS]!;
    if (slots === 0) return false;
    const t = slabs[dir[m + M_SLAB]!]!;
    const base = dir[m + M_OFFSET]!;
    return locate(t, base, slots, firstWord(t, base, slots)) >= 0;
  }

  return {
    add,
    has,
    get size() {
      return size;
    },
    bytes() {
      return slabBytes + dir.byteLength;
    },
  };
}
