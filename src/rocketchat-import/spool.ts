// Spools the judged selection to temp files so the startImport body (millions of entries) can be
// streamed, and streamed again in the short form if the server wants it, with flat memory.
// Four files of comma-joined JSON: array-form user and channel entries, selected user and channel ids.

import { closeSync, createReadStream, mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import { createPrivateFileSync } from '../accounting/private-files.js';
import type { SelectionKind } from './selection-walker.js';

type Part = 'users' | 'channels' | 'userIds' | 'channelIds';
const PARTS: readonly Part[] = ['users', 'channels', 'userIds', 'channelIds'];
/** Written in 64 KiB slices: few syscalls, and the pending text dies young (a long rope would be promoted to the old generation). */
const FLUSH_CHARS = 1 << 16;

export interface StreamedBody {
  length: number;
  chunks(): AsyncIterable<Buffer>;
}

export interface SelectionSpool {
  /** Every judged entry (selected or skipped) for the array form. */
  entry(kind: SelectionKind, json: string): void;
  /** A selected id, for the short form's list. */
  selectedId(kind: SelectionKind, id: string): void;
  /** Flush everything written so far (before building a body). */
  finish(): void;
  arrayBody(): StreamedBody;
  /** `all` true sends an empty list (the server then imports everything of that kind). */
  shortBody(all: Record<SelectionKind, boolean>): StreamedBody;
  /** Removes the temp files. */
  dispose(): void;
}

export function createSelectionSpool(dir: string = tmpdir()): SelectionSpool {
  let root: string;
  try {
    root = mkdtempSync(join(dir, 'chatmigrate-rc-'));
  } catch (err) {
    throw new ChatmigrateError('CM_OUTPUT', `cannot create a temp directory in ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const files = {} as Record<Part, { path: string; fd: number; pending: string; bytes: number; count: number }>;
  for (const part of PARTS) {
    const path = join(root, `${part}.json`);
    // Owner-only, in a folder mkdtemp makes owner-only: the selection names every user.
    files[part] = { path, fd: createPrivateFileSync(path), pending: '', bytes: 0, count: 0 };
  }

  function flush(part: Part): void {
    const f = files[part];
    if (f.pending === '') return;
    const buf = Buffer.from(f.pending);
    let at = 0;
    while (at < buf.length) at += writeSync(f.fd, buf, at, buf.length - at);
    f.bytes += buf.length;
    f.pending = '';
  }

  function add(part: Part, text: string): void {
    const f = files[part];
    f.pending += f.count++ === 0 ? text : ',' + text;
    if (f.pending.length >= FLUSH_CHARS) flush(part);
  }

  function body(pieces: Array<string | Part>): StreamedBody {
    let length = 0;
    for (const p of pieces) length += typeof p === 'string' && !(PARTS as readonly string[]).includes(p) ? Buffer.byteLength(p) : files[p as Part].bytes;
    return {
      length,
      async *chunks() {
        for (const p of pieces) {
          if ((PARTS as readonly string[]).includes(p)) {
            if (files[p as Part].bytes > 0) yield* createReadStream(files[p as Part].path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>;
          } else {
            yield Buffer.from(p);
          }
        }
      },
    };
  }

  return {
    entry(kind, json) {
      add(kind, json);
    },
    selectedId(kind, id) {
      add(kind === 'users' ? 'userIds' : 'channelIds', JSON.stringify(id));
    },
    finish() {
      for (const part of PARTS) flush(part);
    },
    arrayBody() {
      return body(['{"input":{"users":[', 'users', '],"channels":[', 'channels', ']}}']);
    },
    shortBody(all) {
      const list = (kind: SelectionKind, part: Part): Array<string | Part> =>
        all[kind] ? [`{"all":true,"list":[]}`] : ['{"all":false,"list":[', part, ']}'];
      return body(['{"input":{"users":', ...list('users', 'userIds'), ',"channels":', ...list('channels', 'channelIds'), '}}']);
    },
    dispose() {
      for (const part of PARTS) {
        try {
          closeSync(files[part].fd);
        } catch {
          // already closed
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
