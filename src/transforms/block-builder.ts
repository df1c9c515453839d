// Gathers records from the splitter into blocks (bytes back to back plus where each came from),
// and hands each full block on. Copying a record's bytes is a memcpy; decoding is left to the
// block's processor, which may be another thread.

import type { BlockInput } from './decode-block.js';

/** A block plus what only the main thread needs: each record's input position. */
export interface PendingBlock {
  input: BlockInput;
  /** Input index of the block's first record. */
  firstIndex: number;
  offsets: Float64Array;
  lines: Float64Array;
}

/** ~128 KiB blocks: big enough to amortize a thread hop, small enough to keep latency low. */
const BLOCK_BYTES = 128 * 1024;
const BLOCK_RECORDS = 1024;

export interface BlockBuilder {
  add(buf: Buffer, start: number, end: number, key: string | undefined, offset: number, line: number): void;
  /** Hands on the partial block, if any. */
  flush(): void;
  /** Records added so far (= the next record's input index). */
  readonly records: number;
  /** A consumed block's memory, for the next blocks (nothing may use the block afterwards). */
  recycle(block: PendingBlock): void;
}

/** Spare blocks kept for reuse: about as many as are in process at once. */
const POOL_LIMIT = 32;

export function createBlockBuilder(onBlock: (block: PendingBlock) => void): BlockBuilder {
  // Consumed blocks come back here: reusing their memory spares the GC ~256 KiB per block (it was
  // ~10% of the main thread's time on a 100 MB input).
  const spareBytes: ArrayBuffer[] = [];
  const spareArrays: Array<{ ends: Int32Array; offsets: Float64Array; lines: Float64Array }> = [];
  /** A buffer with an ArrayBuffer of its own (not Node's shared pool), so it can be transferred. */
  const newBytes = (size: number): Buffer => {
    const ab = size === BLOCK_BYTES * 2 && spareBytes.length > 0 ? spareBytes.pop()! : new ArrayBuffer(size);
    return Buffer.from(ab, 0, size);
  };
  const newArrays = () => spareArrays.pop() ?? { ends: new Int32Array(BLOCK_RECORDS), offsets: new Float64Array(BLOCK_RECORDS), lines: new Float64Array(BLOCK_RECORDS) };
  let bytes = newBytes(BLOCK_BYTES * 2);
  let used = 0;
  let { ends, offsets, lines } = newArrays();
  let keys: Array<string | undefined> | undefined;
  let count = 0;
  let firstIndex = 0;
  let records = 0;

  function flush(): void {
    if (count === 0) return;
    const input: BlockInput = { bytes: bytes.subarray(0, used), ends: ends.subarray(0, count), count, keys };
    onBlock({ input, firstIndex, offsets: offsets.subarray(0, count), lines: lines.subarray(0, count) });
    // The handed-on block keeps its arrays; start the next block on fresh ones.
    bytes = newBytes(BLOCK_BYTES * 2);
    ({ ends, offsets, lines } = newArrays());
    keys = undefined;
    used = 0;
    count = 0;
    firstIndex = records;
  }

  return {
    get records() {
      return records;
    },
    add(buf, start, end, key, offset, line) {
      const length = end - start;
      if (used + length > bytes.length) {
        if (count > 0) flush();
        if (length > bytes.length) bytes = newBytes(length);
      }
      buf.copy(bytes, used, start, end);
      used += length;
      ends[count] = used;
      offsets[count] = offset;
      lines[count] = line;
      if (key !== undefined) {
        keys ??= new Array<string | undefined>(BLOCK_RECORDS);
        keys[count] = key;
      }
      count++;
      records++;
      if (used >= BLOCK_BYTES || count === BLOCK_RECORDS) flush();
    },
    flush,
    recycle(block) {
      const ab = block.input.bytes.buffer;
      if (ab.byteLength === BLOCK_BYTES * 2 && spareBytes.length < POOL_LIMIT && ab instanceof ArrayBuffer) spareBytes.push(ab);
      const e = block.input.ends;
      if (e.buffer.byteLength === BLOCK_RECORDS * 4 && spareArrays.length < POOL_LIMIT && block.offsets.buffer.byteLength === BLOCK_RECORDS * 8) {
        spareArrays.push({ ends: new Int32Array(e.buffer as ArrayBuffer), offsets: new Float64Array(block.offsets.buffer as ArrayBuffer), lines: new Float64Array(block.lines.buffer as ArrayBuffer) });
      }
    },
  };
}
