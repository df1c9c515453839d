// Writes the files of a Rocket.Chat dump to the attachments folder (`--attachments-dir DIR`) as
// `DIR/{fileId}/{name}` (file-name.ts says how names are made safe), so that serving DIR at the
// `--file-url` template's address makes every attachment URL resolve. GridFS files are put
// together from their chunks in chunk order, one chunk in memory at a time (gridfs-index.ts finds
// them); FileSystem-store files are copied from `--uploads-dir`. Folders and files are owner-only.
//
// Resumable: a file is written as `{name}.part` and renamed when whole, so a file under its own
// name with the expected size is whole and is kept (not rewritten); a `.part` left by a stop is
// redone. The report counts files written, kept, bytes, thumbnails, and the files missing (no
// bytes in the dump) or broken (bytes that do not make the file), each with why.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import type { Log } from '../log.js';
import { createPrivateDir, createPrivateFile } from '../accounting/private-files.js';
import { decodeBsonDocument } from '../sources/bson-document.js';
import { createBsonSplitter } from '../sources/bson-splitter.js';
import { MalformedInputError } from '../sources/formats.js';
import { openInputPath } from '../sources/open-input.js';
import { createFileIdSet, type FileIdSet } from './file-id-set.js';
import { buildChunkIndex, chunkFields } from './gridfs-index.js';
import { attachmentPath, chunkProblem, planUpload } from './upload-rules.js';

export interface UploadFilesOptions {
  /** `rocketchat_uploads.bson` (or .bson.gz): the upload documents. */
  uploads: string;
  /** `rocketchat_uploads.chunks.bson` (or .bson.gz); absent: every GridFS file is missing. */
  chunks?: string | undefined;
  /** `--uploads-dir`: Rocket.Chat's FileSystem store folder. */
  uploadsDir?: string | undefined;
  /** `--attachments-dir`. */
  outDir: string;
  /** A folder for the decompressed copy of a gzip chunks file (removed at the end): under --state-dir. */
  workDir: string;
  log: Log;
  /** After each upload document: files done so far and bytes in the folder. */
  onProgress?: (p: { uploads: number; files: number; bytes: number }) => void;
  /** Each file id that ends up in the folder (written or kept): a caller that keeps the list (migrate's resume). */
  onAvailable?: (fileId: string) => void;
  signal?: AbortSignal;
}

export interface FileProblem {
  fileId: string;
  name: string | undefined;
  fate: 'missing' | 'broken';
  why: string;
}

export interface UploadFilesReport {
  /** Upload documents read. */
  uploads: number;
  /** Files written by this run. */
  written: number;
  /** Files already whole from an earlier run (same size), not rewritten. */
  kept: number;
  /** Bytes of the files written and kept. */
  bytes: number;
  /** Thumbnails (`typeGroup: thumb`): not attachments, not written. */
  thumbnails: number;
  /** No bytes for the file in the dump (or --uploads-dir). */
  missing: number;
  /** Bytes that do not make the file (a chunk missing or repeated, wrong size, never completed). */
  broken: number;
  /** The first PROBLEMS_KEPT missing or broken files, with why. */
  problems: FileProblem[];
  problemsOmitted: number;
  /** Ids of the files in the folder (written or kept): the messages mapping's `fileAvailable`. */
  files: FileIdSet;
}

const PROBLEMS_KEPT = 1000;
const COPY_BYTES = 1024 * 1024;

export async function writeUploadFiles(o: UploadFilesOptions): Promise<UploadFilesReport> {
  const started = Date.now();
  createPrivateDir(o.outDir, o.log, '--attachments-dir');
  const index = o.chunks === undefined ? undefined : await buildChunkIndex(o.chunks, o.workDir, o.log);
  const chunkFile = index ? await fs.open(index.path, 'r') : undefined;
  const ids = createFileIdSet();
  const r = { uploads: 0, written: 0, kept: 0, bytes: 0, thumbnails: 0, missing: 0, broken: 0, problems: [] as FileProblem[], problemsOmitted: 0 };
  const problem = (p: FileProblem): void => {
    if (p.fate === 'missing') r.missing++;
    else r.broken++;
    if (r.problems.length < PROBLEMS_KEPT) r.problems.push(p);
    else r.problemsOmitted++;
  };
  const scratch = { buf: Buffer.alloc(COPY_BYTES) };

  async function writeOne(doc: Record<string, unknown>): Promise<void> {
    const plan = planUpload(doc, o.uploadsDir !== undefined);
    if (plan.kind === 'thumbnail') {
      r.thumbnails++;
      return;
    }
    if ('why' in plan) return problem({ fileId: plan.id, name: plan.name, fate: plan.kind, why: plan.why });
    const [folder, file] = attachmentPath(plan.id, plan.name);
    const target = join(o.outDir, folder, file);
    let size = plan.size;
    let source: string | undefined;
    if (plan.kind === 'gridfs') {
      const run = index?.chunksOf(plan.id);
      if (!run || run.count === 0) {
        // GridFS keeps no chunk for an empty file.
        if (size !== 0) return problem({ fileId: plan.id, name: plan.name, fate: 'missing', why: index ? 'no GridFS chunks for it in the dump' : 'the dump has no rocketchat_uploads.chunks.bson' });
      } else {
        const why = chunkProblem(run, size);
        if (why !== undefined) return problem({ fileId: plan.id, name: plan.name, fate: 'broken', why });
        size = 0;
        for (let i = 0; i < run.count; i++) size += run.dataBytes(i);
      }
    } else {
      for (const candidate of plan.candidates) {
        const path = join(o.uploadsDir!, candidate);
        const st = await fs.stat(path).catch(() => undefined);
        if (st?.isFile()) {
          if (size !== undefined && st.size !== size) return problem({ fileId: plan.id, name: plan.name, fate: 'broken', why: `${path} has ${st.size} bytes, the upload says ${size}` });
          source = path;
          size = st.size;
          break;
        }
      }
      if (source === undefined) return problem({ fileId: plan.id, name: plan.name, fate: 'missing', why: `not in --uploads-dir (looked for ${plan.candidates.join(' and ')})` });
    }
    const whole = size ?? 0;
    const there = await fs.stat(target).catch(() => undefined);
    if (there?.isFile() && there.size === whole) {
      r.kept++;
      r.bytes += whole;
      ids.add(plan.id);
      o.onAvailable?.(plan.id);
      return;
    }
    createPrivateDir(join(o.outDir, folder));
    const part = `${target}.part`;
    await fs.rm(part, { force: true });
    if (there) await fs.rm(target, { force: true });
    const out = await createPrivateFile(part);
    let failure: string | undefined;
    try {
      failure = source === undefined ? await copyChunks(plan.id, out) : await copyFile(source, out, whole);
    } finally {
      await out.close();
    }
    if (failure !== undefined) {
      await fs.rm(part, { force: true });
      return problem({ fileId: plan.id, name: plan.name, fate: 'broken', why: failure });
    }
    await fs.rename(part, target);
    r.written++;
    r.bytes += whole;
    ids.add(plan.id);
    o.onAvailable?.(plan.id);
  }

  /** Writes the file's chunk payloads in order; a chunk that is not what the index said is a failure. */
  async function copyChunks(id: string, out: fs.FileHandle): Promise<string | undefined> {
    if (!index) return undefined; // an empty file: nothing to copy
    const run = index.chunksOf(id);
    for (let i = 0; i < run.count; i++) {
      const bytes = run.docBytes(i);
      if (scratch.buf.length < bytes) scratch.buf = Buffer.alloc(bytes);
      const { bytesRead } = await chunkFile!.read(scratch.buf, 0, bytes, run.docOffset(i));
      if (bytesRead !== bytes) return `chunk ${i} could not be read back`;
      const f = chunkFields(scratch.buf, 0, bytes);
      if (f.filesId !== id || f.n !== run.n(i)) return `chunk ${i} is not the one indexed (files_id ${JSON.stringify(f.filesId)}, n ${f.n})`;
      await out.write(scratch.buf, f.dataStart, f.dataEnd - f.dataStart);
    }
    return undefined;
  }

  async function copyFile(path: string, out: fs.FileHandle, size: number): Promise<string | undefined> {
    const from = await fs.open(path, 'r');
    try {
      let done = 0;
      for (;;) {
        const { bytesRead } = await from.read(scratch.buf, 0, scratch.buf.length, done);
        if (bytesRead === 0) break;
        await out.write(scratch.buf, 0, bytesRead);
        done += bytesRead;
      }
      return done === size ? undefined : `${path} changed while it was copied (${done} bytes, ${size} expected)`;
    } finally {
      await from.close();
    }
  }

  try {
    await readUploads(o.uploads, async (doc, offset) => {
      r.uploads++;
      if (doc === undefined) problem({ fileId: '', name: undefined, fate: 'broken', why: `the upload document at byte ${offset} of ${o.uploads} does not decode` });
      else await writeOne(doc);
      o.onProgress?.({ uploads: r.uploads, files: r.written + r.kept, bytes: r.bytes });
      if (o.signal?.aborted) throw new ChatmigrateError('CM_INTERRUPTED', 'stopped by a signal while writing the attachments', { hint: 'run the same command again with --resume: the files already whole are kept' });
    });
  } finally {
    await chunkFile?.close();
    await index?.close();
  }
  const report: UploadFilesReport = { ...r, files: ids.seal() };
  o.log.info(
    { uploads: r.uploads, written: r.written, kept: r.kept, bytes: r.bytes, thumbnails: r.thumbnails, missing: r.missing, broken: r.broken, dir: o.outDir, ms: Date.now() - started },
    'attachments written',
  );
  if (r.missing + r.broken > 0) o.log.warn({ missing: r.missing, broken: r.broken, first: r.problems.slice(0, 5) }, 'some files of the dump could not be written: their messages keep their text (rule file-missing when they have none)');
  return report;
}

/** Streams the upload documents, one at a time, in the dump's order. */
async function readUploads(path: string, each: (doc: Record<string, unknown> | undefined, offset: number) => Promise<void>): Promise<void> {
  const input = await openInputPath(path);
  const pending: Array<{ doc: Record<string, unknown> | undefined; offset: number }> = [];
  const splitter = createBsonSplitter((buf, start, end, _key, offset) => {
    let doc: Record<string, unknown> | undefined;
    try {
      doc = decodeBsonDocument(buf, start, end);
    } catch {
      doc = undefined;
    }
    pending.push({ doc, offset });
  });
  try {
    for await (const chunk of input.chunks) {
      splitter.push(chunk);
      // Upload documents are small: a chunk's worth at a time, each file written before the next.
      for (const { doc, offset } of pending.splice(0)) await each(doc, offset);
    }
    splitter.end();
    for (const { doc, offset } of pending.splice(0)) await each(doc, offset);
  } catch (err) {
    if (err instanceof MalformedInputError) {
      throw new ChatmigrateError('CM_INPUT_MALFORMED', `${path}: malformed input at byte ${err.offset}: ${err.message}`, { hint: 'the rocketchat_uploads file of the dump is damaged: dump the collection again' });
    }
    throw err;
  } finally {
    input.close();
  }
}
