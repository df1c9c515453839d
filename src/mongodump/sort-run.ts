// One sorted run of the time-order sort, in memory and on disk. In memory: one arena of entries
// (no JS object per message) sorted by (ts, _id, input order) through an index. On disk: the
// entries back to back, each `u32 record bytes | u16 id bytes | f64 ts ms | id | record`, so the
// merge reads keys without parsing a record again. Written as NAME.tmp, synced, then renamed: a
// run under its own name is whole.

import { promises as fs } from 'node:fs';
import { createPrivateFile } from '../accounting/private-files.js';
import { doubled } from '../typed-arrays.js';

export const ENTRY_HEADER = 14;
const MAX_ID_BYTES = 0xffff;
const WRITE_BYTES = 1024 * 1024;

export interface RunBuilder {
  /** Entries held. */
  readonly count: number;
  /** Whether a record of `recordBytes` with an id of `idBytes` still fits (always true for the first). */
  fits(idBytes: number, recordBytes: number): boolean;
  /** `newlines`: a JSON record's CR and LF bytes (whitespace only, in valid JSON) become spaces, so it is one NDJSON line. */
  add(ms: number, id: string, buf: Buffer, start: number, end: number, newlines: boolean): void;
  /** Sorts the entries and writes them to `path` (atomically); empties the builder. Returns the bytes written. */
  writeSorted(path: string): Promise<number>;
}

export function entryBytes(idBytes: number, recordBytes: number): number {
  return ENTRY_HEADER + Math.min(idBytes, MAX_ID_BYTES) + recordBytes;
}

export function createRunBuilder(capacity: number): RunBuilder {
  let arena: Buffer = Buffer.allocUnsafe(capacity);
  let used = 0;
  let count = 0;
  let starts = new Uint32Array(4096);
  let times = new Float64Array(4096);

  function compare(a: number, b: number): number {
    const d = times[a]! - times[b]!;
    if (d !== 0 && !Number.isNaN(d)) return d < 0 ? -1 : 1;
    const sa = starts[a]!;
    const sb = starts[b]!;
    const ia = sa + ENTRY_HEADER;
    const ib = sb + ENTRY_HEADER;
    const c = arena.compare(arena, ib, ib + arena.readUInt16LE(sb + 4), ia, ia + arena.readUInt16LE(sa + 4));
    return c !== 0 ? c : a - b; // equal keys keep input order
  }

  return {
    get count() {
      return count;
    },
    fits(idBytes, recordBytes) {
      return count === 0 || used + entryBytes(idBytes, recordBytes) <= arena.length;
    },
    add(ms, id, buf, start, end, newlines) {
      const idLength = Math.min(Buffer.byteLength(id), MAX_ID_BYTES);
      const size = ENTRY_HEADER + idLength + (end - start);
      if (used + size > arena.length) arena = grown(arena, used, used + size); // a first record larger than a run
      if (count === starts.length) {
        starts = doubled(starts);
        times = doubled(times);
      }
      starts[count] = used;
      times[count] = ms;
      arena.writeUInt32LE(end - start, used);
      arena.writeUInt16LE(idLength, used + 4);
      arena.writeDoubleLE(ms, used + 6);
      arena.write(id, used + ENTRY_HEADER, idLength, 'utf8');
      const at = used + ENTRY_HEADER + idLength;
      buf.copy(arena, at, start, end);
      if (newlines) {
        for (let i = at; i < at + end - start; i++) if (arena[i] === 0x0a || arena[i] === 0x0d) arena[i] = 0x20;
      }
      used += size;
      count++;
    },
    async writeSorted(path) {
      const order = new Uint32Array(count);
      for (let i = 0; i < count; i++) order[i] = i;
      order.sort(compare);
      const tmp = `${path}.tmp`;
      await fs.rm(tmp, { force: true });
      const out = await createPrivateFile(tmp);
      const pending = Buffer.allocUnsafe(WRITE_BYTES);
      let fill = 0;
      try {
        for (let k = 0; k < count; k++) {
          const s = starts[order[k]!]!;
          const size = ENTRY_HEADER + arena.readUInt16LE(s + 4) + arena.readUInt32LE(s);
          if (fill + size > pending.length) {
            await out.write(pending, 0, fill);
            fill = 0;
          }
          if (size > pending.length) await out.write(arena, s, size);
          else fill += arena.copy(pending, fill, s, s + size);
        }
        if (fill > 0) await out.write(pending, 0, fill);
        await out.sync();
      } finally {
        await out.close();
      }
      await fs.rename(tmp, path);
      const written = used;
      used = 0;
      count = 0;
      if (arena.length > capacity) arena = Buffer.allocUnsafe(capacity);
      return written;
    },
  };
}

function grown(arena: Buffer, used: number, need: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(need, arena.length));
  arena.copy(next, 0, 0, used);
  return next;
}

/** Reads a run file entry by entry through one buffer; `next()` needs `refill()` when an entry is cut. */
export interface RunCursor {
  /** The current entry: ts, its id bytes buf[idStart..idEnd), its record buf[recordStart..recordEnd). */
  ms: number;
  buf: Buffer;
  idStart: number;
  idEnd: number;
  recordStart: number;
  recordEnd: number;
  /** Moves to the next entry: 'ok', 'end', or 'refill' (await refill(), then call next() again). */
  next(): 'ok' | 'end' | 'refill';
  refill(): Promise<void>;
  close(): Promise<void>;
}

export async function openRunCursor(path: string, bufferBytes: number): Promise<RunCursor> {
  const file = await fs.open(path, 'r');
  let buf: Buffer = Buffer.allocUnsafe(bufferBytes);
  let pos = 0; // next unread entry in buf
  let fill = 0; // bytes of buf that hold file data
  let fileAt = 0;
  let eof = false;
  const cursor: RunCursor = {
    ms: 0,
    buf,
    idStart: 0,
    idEnd: 0,
    recordStart: 0,
    recordEnd: 0,
    next() {
      if (fill - pos < ENTRY_HEADER) return eof && fill === pos ? 'end' : eofCut(fill - pos);
      const recordBytes = buf.readUInt32LE(pos);
      const idBytes = buf.readUInt16LE(pos + 4);
      const size = ENTRY_HEADER + idBytes + recordBytes;
      if (fill - pos < size) return eofCut(fill - pos);
      cursor.ms = buf.readDoubleLE(pos + 6);
      cursor.buf = buf;
      cursor.idStart = pos + ENTRY_HEADER;
      cursor.idEnd = cursor.idStart + idBytes;
      cursor.recordStart = cursor.idEnd;
      cursor.recordEnd = cursor.idEnd + recordBytes;
      pos += size;
      return 'ok';
    },
    async refill() {
      // Keep the unread tail, make room for the whole next entry, read on.
      const tail = fill - pos;
      let need = buf.length;
      if (tail >= ENTRY_HEADER) need = Math.max(need, ENTRY_HEADER + buf.readUInt16LE(pos + 4) + buf.readUInt32LE(pos));
      const next = need > buf.length ? Buffer.allocUnsafe(need) : buf;
      buf.copy(next, 0, pos, fill);
      buf = next;
      pos = 0;
      fill = tail;
      while (fill < buf.length && !eof) {
        const { bytesRead } = await file.read(buf, fill, buf.length - fill, fileAt);
        if (bytesRead === 0) eof = true;
        fill += bytesRead;
        fileAt += bytesRead;
      }
    },
    close: () => file.close(),
  };
  function eofCut(left: number): 'end' | 'refill' {
    if (!eof) return 'refill';
    if (left === 0) return 'end';
    throw new Error(`sorted run ${path} ends inside an entry: the sort folder is damaged (delete it to sort again)`);
  }
  return cursor;
}
