// Writes the rejects file: one NDJSON line per record not delivered, with its reason code, a
// human message, its input position and the record itself, so the file can be fixed and fed back.

import { createWriteStream, type WriteStream } from 'node:fs';
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
  close(): Promise<void>;
  readonly written: number;
}

/** Flush to the stream once this much text is buffered. */
const FLUSH_CHARS = 256 * 1024;

export async function openRejectsWriter(path: string, append = false): Promise<RejectsWriter> {
  const stream: WriteStream = createWriteStream(path, { flags: append ? 'a' : 'w' });
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
  let written = 0;

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
    add(entry: RejectEntry): void {
      pending += serializeReject(entry) + '\n';
      written++;
      if (pending.length >= FLUSH_CHARS) write();
    },
    async flush(): Promise<void> {
      check();
      if (!write()) await once(stream, 'drain');
      check();
    },
    async close(): Promise<void> {
      write();
      await new Promise<void>((resolve) => stream.end(resolve));
      check();
    },
  };
}

export function serializeReject(entry: RejectEntry): string {
  const { reason, message, position, key, record } = entry;
  return JSON.stringify(key === undefined ? { reason, message, position, record } : { reason, message, position, key, record });
}

/**
 * A line of a rejects file, read back as input: the record (and its key) are taken out so that a
 * fixed rejects file can be fed straight back in.
 */
export function unwrapRejectEntry(value: unknown): { record: unknown; key: string | undefined } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['reason'] !== 'string' || !('record' in v) || typeof v['position'] !== 'object') return undefined;
  return { record: v['record'], key: typeof v['key'] === 'string' ? v['key'] : undefined };
}
