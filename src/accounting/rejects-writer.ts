// Writes the rejects file: one NDJSON line per record not delivered, with its reason code, a
// human message, its input position and the record itself, so the file can be fixed and fed back.

import { createWriteStream, fsync, promises as fs, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ChatmigrateError } from '../errors.js';

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
}

/** Flush to the stream once this much text is buffered. */
const FLUSH_CHARS = 256 * 1024;

/**
 * Opens the rejects file: a new file, or, when resuming, the existing one cut back to what the
 * checkpoint covers (entries written after it belong to records the resumed run reads again).
 */
export async function openRejectsWriter(path: string, resume?: RejectsFileResume): Promise<RejectsWriter> {
  if (resume) await truncateForResume(path, resume.bytes);
  const stream: WriteStream = createWriteStream(path, resume ? { flags: 'r+', start: resume.bytes } : { flags: 'w' });
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure = err;
  });
  await Promise.race([once(stream, 'open'), once(stream, 'error')]).catch(() => undefined);
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

async function truncateForResume(path: string, keep: number): Promise<void> {
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && keep === 0) return fs.writeFile(path, '');
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `the rejects file ${path} of the interrupted run is missing (${(err as NodeJS.ErrnoException).code ?? String(err)}); the checkpoint covers ${keep} bytes of it`, {
      hint: 'restore it, or start over without --resume',
    });
  }
  if (size < keep) {
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `the rejects file ${path} is shorter (${size} bytes) than the checkpoint says (${keep} bytes): it was changed since the run stopped`, {
      hint: 'restore it, or start over without --resume',
    });
  }
  if (size > keep) await fs.truncate(path, keep);
}

function fsyncFd(fd: number | undefined, resolve: () => void, reject: (err: Error) => void): void {
  if (fd === undefined) return resolve();
  fsync(fd, (err) => (err ? reject(err) : resolve()));
}

export function serializeReject(entry: RejectEntry): string {
  const { reason, message, position, key, record } = entry;
  return JSON.stringify(key === undefined ? { reason, message, position, record } : { reason, message, position, key, record });
}
