// Writes a generated Rocket.Chat workspace (generate-rocketchat.ts, same seed → same documents) as
// a mongodump folder: users.bson, rocketchat_room.bson, rocketchat_subscription.bson,
// rocketchat_message.bson (each .bson.gz with --gzip), plus the files of its file messages as
// rocketchat_uploads.bson with GridFS chunks in rocketchat_uploads.chunks.bson (chunks of all files
// interleaved) and one upload in the FileSystem store. Planted among the uploads: a file with a
// chunk missing, one with no chunks at all, one that never completed, and thumbnails. Messages are
// slightly out of time order (every `shuffle`-th one swapped with the next), as a dump can be.
//
//   node dist/bench/generate-mongodump.js --dir DIR [--seed 1] [--messages 2000] [--gzip]
//     [--chunk-bytes 261120] [--uploads-dir DIR] [--shuffle 40] [--no-files]

import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { Binary, ObjectId, serialize } from 'bson';
import { generateRocketChatWorkspace, type Collection, type GeneratedWorkspace, type GenerateWorkspaceOptions } from './generate-rocketchat.js';
import { createPrng } from './generate-records.js';
import { MongoDate } from './rocketchat-workspace.js';
import { isMainModule } from './lib/main-module.js';

const COLLECTION_FILES: Record<Collection, string> = { users: 'users', rooms: 'rocketchat_room', subscriptions: 'rocketchat_subscription', messages: 'rocketchat_message' };
/** GridFS's default chunk size (255 KiB), which Rocket.Chat keeps. */
export const GRIDFS_CHUNK_BYTES = 255 * 1024;

export type UploadFate = 'written' | 'gap' | 'no-chunks' | 'incomplete' | 'filesystem' | 'thumbnail';

export interface GeneratedUpload {
  id: string;
  name: string;
  size: number;
  fate: UploadFate;
}

export interface GenerateDumpOptions extends Omit<GenerateWorkspaceOptions, 'arrays' | 'gzip' | 'dates' | 'writeCollection'> {
  gzip?: boolean;
  /** GridFS chunk size of the generated files (small in tests, so files have several chunks). */
  chunkBytes?: number;
  /** Where the FileSystem-store upload is written (Rocket.Chat's FileUpload_FileSystemPath); default DIR/uploads-fs. */
  uploadsDir?: string;
  /** Every n-th message is swapped with the next one (0: in order). */
  shuffle?: number;
  /** Write the uploads and their chunks (default true; big message benches leave them out). */
  files?: boolean;
}

export interface GeneratedDump extends GeneratedWorkspace {
  uploads: GeneratedUpload[];
  uploadsDir: string;
  /** Paths of the uploads and chunks collections. */
  gridfs: { uploads: string; chunks: string };
}

/** The bytes of a generated file: a seeded stream, so a test can compare what was written. */
export function fileContent(id: string, size: number): Buffer {
  let seed = 7;
  for (let i = 0; i < id.length; i++) seed = (Math.imul(seed, 31) + id.charCodeAt(i)) | 0;
  const rand = createPrng(seed >>> 0);
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = rand() & 0xff;
  return out;
}

export async function generateMongodump(o: GenerateDumpOptions): Promise<GeneratedDump> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const gzip = o.gzip ?? false;
  const shuffle = o.shuffle ?? 40;
  const uploadsDir = o.uploadsDir ?? join(o.dir, 'uploads-fs');
  const refs = new Map<string, { name: string; type: string; size: number | undefined; thumb: boolean; rid: string; userId: string }>();
  const { gzip: _gzip, chunkBytes: _chunkBytes, uploadsDir: _uploadsDir, shuffle: _shuffle, files: _files, ...shape } = o;
  const gen = await generateRocketChatWorkspace({
    ...shape,
    writeCollection: async (c, docs) => {
      const path = join(o.dir, `${COLLECTION_FILES[c]}.bson${gzip ? '.gz' : ''}`);
      const source = c === 'messages' ? swapped(o.files === false ? docs : collectFiles(docs, refs), shuffle) : docs;
      return { path, bytes: await writeBson(path, source, gzip) };
    },
  });
  const { uploads, chunks } = plantUploads(refs, o.chunkBytes ?? GRIDFS_CHUNK_BYTES, uploadsDir, o.seed ?? 1);
  const uploadsPath = join(o.dir, `rocketchat_uploads.bson${gzip ? '.gz' : ''}`);
  const chunksPath = join(o.dir, `rocketchat_uploads.chunks.bson${gzip ? '.gz' : ''}`);
  await writeBson(uploadsPath, uploads.map((u) => u.doc), gzip);
  await writeBson(chunksPath, chunks, gzip);
  return { ...gen, uploads: uploads.map((u) => u.plan), uploadsDir, gridfs: { uploads: uploadsPath, chunks: chunksPath } };
}

/** Notes every file a message refers to (its upload document is written after the messages). */
function* collectFiles(docs: Iterable<Record<string, unknown>>, refs: Map<string, { name: string; type: string; size: number | undefined; thumb: boolean; rid: string; userId: string }>): Generator<Record<string, unknown>> {
  for (const doc of docs) {
    const list = [...(Array.isArray(doc['files']) ? (doc['files'] as Array<Record<string, unknown>>) : []), ...(doc['file'] ? [doc['file'] as Record<string, unknown>] : [])];
    for (const f of list) {
      const id = f['_id'] as string;
      if (refs.has(id)) continue;
      const size = typeof f['size'] === 'number' ? f['size'] : undefined;
      refs.set(id, { name: f['name'] as string, type: f['type'] as string, size, thumb: f['typeGroup'] === 'thumb', rid: doc['rid'] as string, userId: (doc['u'] as { _id: string })._id });
    }
    yield doc;
  }
}

/** Every n-th document swapped with the next: slightly out of order, as insertion order can be. */
function* swapped(docs: Iterable<Record<string, unknown>>, n: number): Generator<Record<string, unknown>> {
  let held: Record<string, unknown> | undefined;
  let k = 0;
  for (const doc of docs) {
    if (held) {
      yield doc;
      yield held;
      held = undefined;
    } else if (n > 0 && ++k % n === 0) held = doc;
    else yield doc;
  }
  if (held) yield held;
}

function plantUploads(
  refs: Map<string, { name: string; type: string; size: number | undefined; thumb: boolean; rid: string; userId: string }>,
  chunkBytes: number,
  uploadsDir: string,
  seed: number,
): { uploads: Array<{ doc: Record<string, unknown>; plan: GeneratedUpload }>; chunks: Array<Record<string, unknown>> } {
  const uploads: Array<{ doc: Record<string, unknown>; plan: GeneratedUpload }> = [];
  const chunks: Array<{ order: number; doc: Record<string, unknown> }> = [];
  const rand = createPrng(seed + 17);
  // The first attachments get the planted fates, in this order; the rest are whole GridFS files.
  const planted: UploadFate[] = ['gap', 'no-chunks', 'incomplete', 'filesystem'];
  let chunkSeq = 0;
  for (const [id, ref] of refs) {
    const size = ref.size ?? 3 * chunkBytes + 17;
    // A gap needs a file of three chunks at least (the middle one goes).
    const fate: UploadFate = ref.thumb ? 'thumbnail' : planted[0] === 'gap' && size <= 2 * chunkBytes ? 'written' : (planted.shift() ?? 'written');
    const ext = /\.([a-z0-9]+)$/.exec(ref.name)?.[1];
    const doc: Record<string, unknown> = {
      _id: id, name: ref.name, size, type: ref.type, rid: ref.rid, userId: ref.userId,
      store: fate === 'filesystem' ? 'FileSystem:Uploads' : 'GridFS:Uploads', complete: fate !== 'incomplete', uploading: false,
      ...(ext ? { extension: ext } : {}), progress: 1, uploadedAt: new Date(Date.UTC(2024, 0, 1)), path: `/file-upload/${id}/${encodeURIComponent(ref.name)}`,
      ...(ref.thumb ? { typeGroup: 'thumb' } : { typeGroup: ref.type.split('/')[0] }),
    };
    uploads.push({ doc, plan: { id, name: ref.name, size, fate } });
    const bytes = fileContent(id, size);
    if (fate === 'filesystem') {
      mkdirSync(uploadsDir, { recursive: true, mode: 0o700 });
      writeFileSync(join(uploadsDir, ext ? `${id}.${ext}` : id), bytes, { mode: 0o600 });
      continue;
    }
    if (fate === 'no-chunks') continue;
    const count = Math.max(1, Math.ceil(size / chunkBytes));
    for (let n = 0; n < count; n++) {
      if (fate === 'gap' && n === 1) continue;
      const data = bytes.subarray(n * chunkBytes, Math.min(size, (n + 1) * chunkBytes));
      const oid = new ObjectId((0x65000000 + chunkSeq++).toString(16).padStart(8, '0') + '0'.repeat(16));
      chunks.push({ order: rand(), doc: { _id: oid, files_id: id, n, data: new Binary(data) } });
    }
  }
  // Chunks of all files interleaved: a file's chunks are spread over the collection.
  chunks.sort((a, b) => a.order - b.order);
  return { uploads, chunks: chunks.map((c) => c.doc) };
}

/** One collection as mongodump writes it: documents back to back; returns the BSON bytes (before gzip). */
async function writeBson(path: string, docs: Iterable<Record<string, unknown>>, gzip: boolean): Promise<number> {
  const file = createWriteStream(path, { mode: 0o600 });
  const out = gzip ? createGzip() : file;
  if (gzip) out.pipe(file);
  let total = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (!out.write(Buffer.concat(pending))) await once(out, 'drain');
    pending = [];
    pendingBytes = 0;
  };
  for (const doc of docs) {
    const bytes = serialize(withDates(doc) as Record<string, unknown>, { ignoreUndefined: true });
    pending.push(bytes);
    pendingBytes += bytes.length;
    total += bytes.length;
    if (pendingBytes >= 1 << 20) await flush();
  }
  await flush();
  out.end();
  await finished(file);
  return total;
}

/** The generator's dates (MongoDate) as BSON dates. */
function withDates(value: unknown): unknown {
  if (value instanceof MongoDate) return new Date(value.seconds * 1000);
  if (Array.isArray(value)) return value.map(withDates);
  if (typeof value !== 'object' || value === null || value instanceof Date || value instanceof Binary || value instanceof ObjectId) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDates(v)]));
}

export async function runGenerateMongodumpCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' }, messages: { type: 'string' }, now: { type: 'string' },
      gzip: { type: 'boolean' }, 'chunk-bytes': { type: 'string' }, 'uploads-dir': { type: 'string' }, shuffle: { type: 'string' }, 'file-url': { type: 'boolean' }, 'no-files': { type: 'boolean' },
    },
  });
  if (values.dir === undefined) {
    process.stderr.write('generate-mongodump: --dir DIR is required (the dump folder to write)\n');
    return 2;
  }
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const result = await generateMongodump({
    dir: values.dir, seed: num(values.seed), users: num(values.users), messages: num(values.messages), now: num(values.now), gzip: values.gzip ?? false,
    chunkBytes: num(values['chunk-bytes']), uploadsDir: values['uploads-dir'], shuffle: num(values.shuffle), fileUrl: values['file-url'] ?? false, collect: false, files: !values['no-files'],
  });
  const fates: Record<string, number> = {};
  for (const u of result.uploads) fates[u.fate] = (fates[u.fate] ?? 0) + 1;
  process.stdout.write(JSON.stringify({ files: result.files, gridfs: result.gridfs, uploadsDir: result.uploadsDir, bytes: result.bytes, uploads: fates, expected: result.expected }, null, 2) + '\n');
  return 0;
}

if (isMainModule(import.meta.url)) {
  void runGenerateMongodumpCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
