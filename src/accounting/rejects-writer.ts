// Writes the rejects file: one NDJSON line per record not delivered, with its reason code, a
// human message, its input position and the record itself, so the file can be fixed and fed back.
// It holds export data: a new file is created owner-only (private-files.ts).

import { createWriteStream, fsync, open, promises as fs, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { ChatmigrateError } from '../errors.js';
import { openForWriting } from './private-files.js';

export interface RecordPosition {
  /** 0-based index of the record in the input. */
  index: number;
  /** Byte offset of the record's first byte in the (decompressed) input. */
  offset: number;
  /** 1-based line, for NDJSON input. */
  line?: number;
}

export interface RejectEntry {
  reason: string;
  message: string;
  position: RecordPosition;
  /** The map key the record came under (map formats), when it had one. */
  key?: string;
  /** The record: the original for local rejections, the normalized member for server rejections. */
  record: unknown;
}

export interface RejectsWriter {
  add(entry: RejectEntry): void;
  /** Lets buffered lines reach the file (honours the stream's backpressure). */
  flush(): Promise<void>;
  /**
   * Everything added so far is on disk (written and fsynced): a checkpoint may then record
   * `bytes` as the length a resumed run truncates the file back to.
   */
  sync(): Promise<void>;
  close(): Promise<void>;
  /** Entries added so far (on resume: including those already in the file). */
  readonly written: number;
  /** UTF-8 bytes of the entries added so far (on resume: including the kept part of the file). */
  readonly bytes: number;
}

export interface RejectsFileResume {
  /** Keep this many bytes of an existing file (what the checkpoint covers), drop the rest. */
  bytes: number;
  entries: number;
  /**
   * A finished job run again only to be verified adds no line: the file is left exactly as it is
   * (it may have been fixed up to be fed back in since), neither opened nor cut back.
   */
  untouched?: boolean;
}

/** Flush to the stream once this much text is buffered. */
const FLUSH_CHARS = 256 * 1024;

/**
 * Opens the rejects file: a new file, or, when resuming, the existing one cut back to what the
 * checkpoint covers (entries written after it belong to records the resumed run reads again).
 */
export async function openRejectsWriter(path: string, resume?: RejectsFileResume): Promise<RejectsWriter> {
  if (resume?.untouched === true) return untouchedWriter(path, resume);
  let fd: number;
  try {
    // A resumed run writes on after the part its checkpoint covers (no file: nothing to keep).
    const kept = resume ? await truncateForResume(path, resume.bytes) : false;
    fd = kept ? await openFd(path, 'r+') : await openForWriting(path);
  } catch (err) {
    if (err instanceof ChatmigrateError) throw err;
    throw new ChatmigrateError('CM_OUTPUT', `cannot write the rejects file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const stream: WriteStream = createWriteStream(path, { fd, ...(resume ? { start: resume.bytes } : {}) });
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure = err;
  });
  const check = (): void => {
    if (failure) throw new ChatmigrateError('CM_OUTPUT', `cannot write the rejects file ${path}: ${failure.message}`);
  };
  check();
  let pending = '';
  let written = resume?.entries ?? 0;
  let bytes = resume?.bytes ?? 0;

  function write(): boolean {
    if (pending.length === 0) return true;
    const ok = stream.write(pending);
    pending = '';
    return ok;
  }

  return {
    get written() {
      return written;
    },
    get bytes() {
      return bytes;
    },
    add(entry: RejectEntry): void {
      const line = serializeReject(entry) + '\n';
      pending += line;
      written++;
      bytes += Buffer.byteLength(line);
      if (pending.length >= FLUSH_CHARS) write();
    },
    async flush(): Promise<void> {
      check();
      if (!write()) await once(stream, 'drain');
      check();
    },
    async sync(): Promise<void> {
      write();
      // Writes complete in order: once this empty write's callback runs, all earlier ones have.
      await new Promise<void>((resolve) => stream.write('', () => resolve()));
      check();
      await new Promise<void>((resolve, reject) => fsyncFd((stream as unknown as { fd: number | null }).fd ?? undefined, resolve, reject)).catch((err: unknown) => {
        failure ??= err as Error;
      });
      check();
    },
    async close(): Promise<void> {
      write();
      await new Promise<void>((resolve) => stream.end(resolve));
      check();
    },
  };
}

/** The rejects of a finished job, standing as they are: the counts are the checkpoint's. */
function untouchedWriter(path: string, resume: RejectsFileResume): RejectsWriter {
  return {
    written: resume.entries,
    bytes: resume.bytes,
    add() {
      throw new ChatmigrateError('CM_INTERNAL', `a reject was added to ${path}, the rejects file of a finished job that is only verified`);
    },
    flush: () => Promise.resolve(),
    sync: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/** Cuts the file back to `keep` bytes; false when there is no file and nothing to keep. */
async function truncateForResume(path: string, keep: number): Promise<boolean> {
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && keep === 0) return false;
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `the rejects file ${path} of the interrupted run is missing (${(err as NodeJS.ErrnoException).code ?? String(err)}); the checkpoint covers ${keep} bytes of it`, {
      hint: 'restore it, or --start-over instead of --resume to begin a new job',
    });
  }
  if (size < keep) {
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `the rejects file ${path} is shorter (${size} bytes) than the checkpoint says (${keep} bytes): it was changed since the run stopped`, {
      hint: 'restore it, or --start-over instead of --resume to begin a new job',
    });
  }
  if (size > keep) await fs.truncate(path, keep);
  return true;
}

const openFd = promisify(open);

function fsyncFd(fd: number | undefined, resolve: () => void, reject: (err: Error) => void): void {
  if (fd === undefined) return resolve();
  fsync(fd, (err) => (err ? reject(err) : resolve()));
}

export function serializeReject(entry: RejectEntry): string {
  const { reason, message, position, key, record } = entry;
  return JSON.stringify(key === undefined ? { reason, message, position, record } : { reason, message, position, key, record });
}
