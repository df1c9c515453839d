// A compact id → entry table for millions of entries: strings packed as UTF-8 in one byte buffer,
// numbers in typed arrays, an open-addressing hash over typed arrays. No JS object or string per
// entry (a Map<string, object> costs ~200+ bytes per user and stops at 2^24 entries), and almost
// nothing for the garbage collector to scan: the memory lives in ArrayBuffers.

export interface PackedTable {
  readonly size: number;
  /** Adds an entry under `key`; false (nothing added) when the key is already present: the first stays. */
  add(key: string, texts: ReadonlyArray<string | undefined>, numbers: ReadonlyArray<number>, flags: number): boolean;
  /** The entry holding `key`, or -1. */
  find(key: string): number;
  /** Text field `field` (0 is the key, 1.. the texts given to add), undefined when absent. */
  text(entry: number, field: number): string | undefined;
  /** Number field `field` (0 when absent). */
  number(entry: number, field: number): number;
  flags(entry: number): number;
  /** Releases the growth slack (call once loading is done). */
  seal(): void;
  /** Bytes held by the table's buffers. */
  readonly bytes: number;
}

/**
 * `textFields` strings besides the key, `numberFields` unsigned 32-bit numbers (UNIX seconds fit
 * until 2106) and 8 flag bits per entry. At most 7 text fields besides the key (presence bits).
 */
export function createPackedTable(textFields: number, numberFields: number, initialCapacity = 1024): PackedTable {
  if (textFields > 7) throw new RangeError('at most 7 text fields');
  const F = textFields + 1;
  let capacity = Math.max(16, initialCapacity);
  let size = 0;
  let data = Buffer.allocUnsafe(capacity * 32);
  let used = 0;
  let ends = new Int32Array(capacity * F); // cumulative end of each text field in `data`
  let present = new Uint8Array(capacity); // bit f: text field f is present
  let flagBits = new Uint8Array(capacity);
  let numbers = new Uint32Array(capacity * numberFields);
  let hashes = new Int32Array(capacity);
  let slots = new Int32Array(64); // entry + 1, 0 = empty; load kept ≤ 0.5
  let scratch = Buffer.allocUnsafe(256);

  function encodeKey(key: string): number {
    if (key.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(key.length * 3);
    return scratch.write(key, 0, 'utf8');
  }

  function lookup(n: number, hash: number): number {
    const mask = slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = slots[s]! - 1;
      if (e < 0) return -1 - s; // free slot s
      if (hashes[e] === hash) {
        const start = e === 0 ? 0 : ends[e * F - 1]!;
        const end = ends[e * F]!;
        if (end - start === n && scratch.compare(data, start, end, 0, n) === 0) return e;
      }
    }
  }

  function grow(): void {
    capacity *= 2;
    ends = copyInto(new Int32Array(capacity * F), ends);
    present = copyInto(new Uint8Array(capacity), present);
    flagBits = copyInto(new Uint8Array(capacity), flagBits);
    numbers = copyInto(new Uint32Array(capacity * numberFields), numbers);
    hashes = copyInto(new Int32Array(capacity), hashes);
  }

  function rehash(): void {
    slots = new Int32Array(slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < size; e++) {
      let s = hashes[e]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
  }

  function append(text: string): void {
    const need = used + text.length * 3;
    // Offsets are int32: ~2 GB of ids and names per table (tens of millions of users).
    if (need > 0x7fffffff) throw new RangeError('more than 2 GB of ids and names in one table');
    if (need > data.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, data.length * 2));
      data.copy(bigger, 0, 0, used);
      data = bigger;
    }
    used += data.write(text, used, 'utf8');
  }

  return {
    get size() {
      return size;
    },
    get bytes() {
      return data.length + ends.byteLength + present.byteLength + flagBits.byteLength + numbers.byteLength + hashes.byteLength + slots.byteLength;
    },
    add(key, texts, nums, flags) {
      const n = encodeKey(key);
      const hash = fnv1a(scratch, n);
      const found = lookup(n, hash);
      if (found >= 0) return false;
      if (size === capacity) grow();
      const e = size;
      let mask = 1;
      append(key);
      ends[e * F] = used;
      for (let f = 1; f < F; f++) {
        const t = texts[f - 1];
        if (t !== undefined) {
          append(t);
          mask |= 1 << f;
        }
        ends[e * F + f] = used;
      }
      present[e] = mask;
      flagBits[e] = flags;
      for (let k = 0; k < numberFields; k++) numbers[e * numberFields + k] = nums[k] ?? 0;
      hashes[e] = hash;
      size++;
      if (size * 2 > slots.length) rehash();
      else slots[-1 - found] = e + 1;
      return true;
    },
    find(key) {
      const n = encodeKey(key);
      const e = lookup(n, fnv1a(scratch, n));
      return e >= 0 ? e : -1;
    },
    text(entry, field) {
      if ((present[entry]! & (1 << field)) === 0) return undefined;
      const i = entry * F + field;
      const start = i === 0 ? 0 : ends[i - 1]!;
      return data.toString('utf8', start, ends[i]!);
    },
    number(entry, field) {
      return numbers[entry * numberFields + field]!;
    },
    flags(entry) {
      return flagBits[entry]!;
    },
    seal() {
      capacity = Math.max(size, 1);
      ends = ends.slice(0, capacity * F);
      present = present.slice(0, capacity);
      flagBits = flagBits.slice(0, capacity);
      numbers = numbers.slice(0, capacity * numberFields);
      hashes = hashes.slice(0, capacity);
      const exact = Buffer.allocUnsafe(used);
      data.copy(exact, 0, 0, used);
      data = exact;
    },
  };
}

function copyInto<T extends Int32Array | Uint8Array | Uint32Array>(to: T, from: T): T {
  to.set(from);
  return to;
}

/** 32-bit FNV-1a over bytes: ids are short, so a simple hash is as fast as any. */
function fnv1a(buf: Buffer, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h | 0;
}
