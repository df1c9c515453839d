// The --ids file: one NDJSON line {"muid", "id"} per message CometChat imported, with the numeric
// id it gave the message (every later REST call about it, a thread reply, a reaction, a pin, needs
// that id, not the muid). Only appended to, so it keeps every run's lines across --resume and new
// jobs; lines are written synchronously once per settled batch, before the delivery journal
// records the batch, so a record the journal calls imported has its line (when its reply had one).

import { closeSync, openSync, writeSync } from 'node:fs';
import { ChatmigrateError } from '../errors.js';
import { createPrivateFileSync } from './private-files.js';

export interface IdsWriter {
  add(muid: string, id: string): void;
  /** Writes the lines added since the last flush. */
  flush(): void;
  /** Lines added in this run. */
  readonly written: number;
  close(): void;
}

export function openIdsWriter(path: string): IdsWriter {
  let fd: number;
  try {
    // A new file is owner-only (it names the app's messages); an existing one is appended to.
    fd = createPrivateFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw failure(path, err);
    try {
      fd = openSync(path, 'a');
    } catch (again) {
      throw failure(path, again);
    }
  }
  let queued = '';
  let written = 0;
  let closed = false;
  return {
    add(muid, id) {
      queued += `{"muid":${JSON.stringify(muid)},"id":${JSON.stringify(id)}}\n`;
      written++;
    },
    flush() {
      if (queued.length === 0 || closed) return;
      const bytes = Buffer.from(queued, 'utf8');
      queued = '';
      try {
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      } catch (err) {
        throw failure(path, err);
      }
    },
    get written() {
      return written;
    },
    close() {
      if (closed) return;
      this.flush();
      closed = true;
      closeSync(fd);
    },
  };
}

function failure(path: string, err: unknown): ChatmigrateError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new ChatmigrateError('CM_OUTPUT', `cannot write the --ids file ${path}: ${code}`, { hint: 'choose a path you can write to' });
}
