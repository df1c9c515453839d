// Where each GridFS chunk of the uploads lies in `rocketchat_uploads.chunks.bson`: one pass over
// the chunks file that keeps, per chunk, a 64-bit hash of its `files_id`, its `n`, its payload
// size and its document's position in typed arrays (about 40 bytes a chunk with the sort order:
// ~160 KB per GB of 255 KiB chunks), sorted by (file, n). A hash that two files share is caught
// when a chunk is read back (its files_id is compared), never merged. The bytes stay on disk and are read back one chunk at a time when a file is
// written. A gzip chunks file cannot be read at random, so it is decompressed once into the work
// folder (owner-only) while it is indexed, and that copy is removed by close().

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import type { Log } from '../log.js';
import { createPrivateDir, createPrivateFile } from '../accounting/private-files.js';
import { BSON, idTextAt, integerAt, nameIs, walkElements } from '../sources/bson-elements.js';
import { createBsonSplitter } from '../sources/bson-splitter.js';
import { MalformedInputError } from '../sources/formats.js';
import { openInputPath } from '../sources/open-input.js';
import { fingerprint128 } from '../transforms/dedupe/fingerprint.js';

const FILES_ID = Buffer.from('files_id');
const N = Buffer.from('n');
const DATA = Buffer.from('data');

/** The chunks of one file, sorted by n (several with one n stay, in file order: the caller reports them). */
export interface ChunkRun {
  count: number;
  n(i: number): number;
  dataBytes(i: number): number;
  docOffset(i: number): number;
  docBytes(i: number): number;
}

export interface ChunkIndex {
  /** The file to read chunk documents from: the chunks file, or its decompressed copy. */
  readonly path: string;
  readonly chunks: number;
  /** Chunk documents without a usable files_id, n or data (left out). */
  readonly unusable: number;
  /** Bytes the index takes. */
  readonly indexBytes: number;
  chunksOf(fileId: string): ChunkRun;
  /** Removes the decompressed copy, if one was made. */
  close(): Promise<void>;
}

/** A chunk document's fields, read in place: what pass 2 checks before writing its payload. */
export interface ChunkFields {
  filesId: string | undefined;
  n: number | undefined;
  /** The payload of `data`: buf[dataStart..dataEnd), or -1 when absent. */
  dataStart: number;
  dataEnd: number;
}

/** Reads files_id, n and the data payload of the chunk document `buf[start..end)`; throws on a corrupt document. */
export function chunkFields(buf: Buffer, start: number, end: number): ChunkFields {
  const f: ChunkFields = { filesId: undefined, n: undefined, dataStart: -1, dataEnd: -1 };
  walkElements(buf, start, end, (type, nameStart, nameEnd, valueStart, valueEnd) => {
    if (nameIs(buf, nameStart, nameEnd, FILES_ID)) f.filesId = idTextAt(type, buf, valueStart, valueEnd);
    else if (nameIs(buf, nameStart, nameEnd, N)) f.n = integerAt(type, buf, valueStart);
    else if (nameIs(buf, nameStart, nameEnd, DATA) && type === BSON.binary) {
      // Subtype 0x02 (the old binary) repeats the length inside the payload.
      const old = buf[valueStart + 4] === 0x02 && valueEnd - valueStart >= 9;
      f.dataStart = valueStart + 5 + (old ? 4 : 0);
      f.dataEnd = valueEnd;
    }
  });
  return f;
}

export async function buildChunkIndex(chunksPath: string, workDir: string, log: Log, onProgress?: (bytes: number) => void): Promise<ChunkIndex> {
  const started = Date.now();
  let cap = 1024;
  let hi = new Uint32Array(cap);
  let lo = new Uint32Array(cap);
  let ns = new Int32Array(cap);
  let data = new Int32Array(cap);
  let offsets = new Float64Array(cap);
  let sizes = new Int32Array(cap);
  let count = 0;
  let unusable = 0;
  const hash = new Uint32Array(4);
  const grow = (): void => {
    cap *= 2;
    const more = <T extends Uint32Array | Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    [hi, lo, ns, data, offsets, sizes] = [more(hi), more(lo), more(ns), more(data), more(offsets), more(sizes)];
  };
  const splitter = createBsonSplitter((buf, start, end, _key, offset) => {
    let f: ChunkFields;
    try {
      f = chunkFields(buf, start, end);
    } catch {
      unusable++;
      return;
    }
    if (f.filesId === undefined || f.n === undefined || f.n < 0 || f.n > 0x7fffffff || f.dataStart < 0) {
      unusable++;
      return;
    }
    if (count === cap) grow();
    fingerprint128(f.filesId, hash);
    hi[count] = hash[0]!;
    lo[count] = hash[1]!;
    ns[count] = f.n;
    data[count] = f.dataEnd - f.dataStart;
    offsets[count] = offset;
    sizes[count] = end - start;
    count++;
  });

  const input = await openInputPath(chunksPath);
  let path = chunksPath;
  let spill: fs.FileHandle | undefined;
  if (input.compressed) {
    createPrivateDir(workDir);
    path = join(workDir, 'rocketchat_uploads.chunks.bson');
    await fs.rm(path, { force: true });
    spill = await createPrivateFile(path);
  }
  try {
    for await (const chunk of input.chunks) {
      splitter.push(chunk);
      if (spill) await spill.write(chunk);
      onProgress?.(splitter.bytesSeen);
    }
    splitter.end();
  } catch (err) {
    if (spill) await spill.close().then(() => fs.rm(path, { force: true }));
    spill = undefined;
    if (err instanceof MalformedInputError) {
      throw new ChatmigrateError('CM_INPUT_MALFORMED', `${chunksPath}: malformed input at byte ${err.offset}: ${err.message}`, { hint: 'the GridFS chunks file of the dump is damaged: dump the rocketchat_uploads.chunks collection again' });
    }
    throw err;
  } finally {
    await spill?.close();
    input.close();
  }

  // Sorted by (file hash, n, position): one file's chunks sit together, in chunk order.
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]! || ns[a]! - ns[b]! || offsets[a]! - offsets[b]!);
  const keyHi = new Uint32Array(count);
  const keyLo = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    keyHi[i] = hi[order[i]!]!;
    keyLo[i] = lo[order[i]!]!;
  }
  const indexBytes = [hi, lo, ns, data, offsets, sizes, order, keyHi, keyLo].reduce((sum, a) => sum + a.byteLength, 0);
  log.info({ chunks: count, unusable, indexBytes, ms: Date.now() - started }, 'gridfs chunks indexed');

  const compressedCopy = spill !== undefined || path !== chunksPath;
  return {
    path,
    chunks: count,
    unusable,
    indexBytes,
    chunksOf(fileId) {
      fingerprint128(fileId, hash);
      const h = hash[0]!;
      const l = hash[1]!;
      // First index whose key is >= (h, l), then the run of equal keys.
      let a = 0;
      let b = count;
      while (a < b) {
        const m = (a + b) >>> 1;
        if (keyHi[m]! < h || (keyHi[m] === h && keyLo[m]! < l)) a = m + 1;
        else b = m;
      }
      let z = a;
      while (z < count && keyHi[z] === h && keyLo[z] === l) z++;
      const at = (i: number): number => order[a + i]!;
      return { count: z - a, n: (i) => ns[at(i)]!, dataBytes: (i) => data[at(i)]!, docOffset: (i) => offsets[at(i)]!, docBytes: (i) => sizes[at(i)]! };
    },
    async close() {
      if (!compressedCopy) return;
      await fs.rm(path, { force: true });
      // The folder was made for the copy alone: an empty one left in --state-dir only puzzles.
      await fs.rmdir(workDir).catch(() => undefined);
    },
  };
}
