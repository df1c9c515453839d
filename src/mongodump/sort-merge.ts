// Merges sorted runs (sort-run.ts) by (ts, _id), ties by run order: into the stream the messages
// phase reads (each record's bytes as they were in the input; a JSON record as one NDJSON line),
// or into one bigger run when there are more runs than may be open at once. Deterministic: the
// same runs give the same bytes, which is what lets a resumed messages phase re-read them.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFile } from '../accounting/private-files.js';
import { ENTRY_HEADER, openRunCursor, type RunCursor } from './sort-run.js';
import type { RunEntry } from './sort-manifest.js';

/** Each open run reads through a buffer this big: FAN_IN of them is the merge's memory. */
const CURSOR_BYTES = 256 * 1024;
const OUT_BYTES = 256 * 1024;

/** A binary heap of the runs' current entries, smallest key on top. */
class CursorHeap {
  readonly items: number[] = [];
  constructor(readonly cursors: RunCursor[]) {}

  less(a: number, b: number): boolean {
    const x = this.cursors[a]!;
    const y = this.cursors[b]!;
    if (x.ms !== y.ms) return x.ms < y.ms;
    const c = x.buf.compare(y.buf, y.idStart, y.idEnd, x.idStart, x.idEnd);
    return c !== 0 ? c < 0 : a < b;
  }

  push(i: number): void {
    const h = this.items;
    h.push(i);
    let k = h.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.less(h[k]!, h[p]!)) break;
      [h[k], h[p]] = [h[p]!, h[k]!];
      k = p;
    }
  }

  pop(): number | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === k) break;
        [h[k], h[m]] = [h[m]!, h[k]!];
        k = m;
      }
    }
    return top;
  }
}

async function advance(c: RunCursor): Promise<boolean> {
  let r = c.next();
  if (r === 'refill') {
    await c.refill();
    r = c.next();
  }
  return r === 'ok';
}

async function openAll(dir: string, runs: RunEntry[]): Promise<CursorHeap> {
  const cursors: RunCursor[] = [];
  for (const run of runs) cursors.push(await openRunCursor(join(dir, run.file), CURSOR_BYTES));
  const heap = new CursorHeap(cursors);
  for (let i = 0; i < cursors.length; i++) if (await advance(cursors[i]!)) heap.push(i);
  return heap;
}

/**
 * The runs' records in key order: the cursor standing on each (its bytes are valid until the
 * next step). Every cursor is closed when the loop ends, however it ends.
 */
async function* inKeyOrder(dir: string, runs: RunEntry[]): AsyncGenerator<RunCursor> {
  const heap = await openAll(dir, runs);
  try {
    for (let i = heap.pop(); i !== undefined; i = heap.pop()) {
      const c = heap.cursors[i]!;
      yield c;
      if (await advance(c)) heap.push(i);
    }
  } finally {
    for (const c of heap.cursors) await c.close();
  }
}

/** The merged records as chunks of about 256 KiB (fresh buffers: a reader may keep them). */
export async function* mergedStream(dir: string, runs: RunEntry[], ndjson: boolean): AsyncGenerator<Buffer> {
  let out = Buffer.allocUnsafe(OUT_BYTES);
  let fill = 0;
  for await (const c of inKeyOrder(dir, runs)) {
    const size = c.recordEnd - c.recordStart + (ndjson ? 1 : 0);
    if (fill + size > out.length) {
      if (fill > 0) yield out.subarray(0, fill);
      out = Buffer.allocUnsafe(Math.max(OUT_BYTES, size));
      fill = 0;
    }
    fill += c.buf.copy(out, fill, c.recordStart, c.recordEnd);
    if (ndjson) out[fill++] = 0x0a;
  }
  if (fill > 0) yield out.subarray(0, fill);
}

/** Merges `runs` into the run file `path` (atomically, as NAME.tmp then renamed). */
export async function mergeIntoRun(dir: string, runs: RunEntry[], file: string): Promise<RunEntry> {
  const path = join(dir, file);
  const tmp = `${path}.tmp`;
  await fs.rm(tmp, { force: true });
  const out = await createPrivateFile(tmp);
  const pending = Buffer.allocUnsafe(OUT_BYTES);
  let fill = 0;
  try {
    for await (const c of inKeyOrder(dir, runs)) {
      const start = c.idStart - ENTRY_HEADER;
      const size = c.recordEnd - start;
      if (fill + size > pending.length) {
        await out.write(pending, 0, fill);
        fill = 0;
      }
      if (size > pending.length) await out.write(c.buf, start, size);
      else fill += c.buf.copy(pending, fill, start, c.recordEnd);
    }
    if (fill > 0) await out.write(pending, 0, fill);
    await out.sync();
  } finally {
    await out.close();
  }
  await fs.rename(tmp, path);
  return { file, records: runs.reduce((n, r) => n + r.records, 0), outputBytes: runs.reduce((n, r) => n + r.outputBytes, 0) };
}
