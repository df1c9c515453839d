// The delivery journal beside the checkpoint: which records beyond the watermark were sent and
// what the server answered, appended synchronously as it happens. A checkpoint is saved every few
// seconds; this file covers the gap, so after `kill -9` a resumed run re-sends only what was in
// flight and still counts its own earlier deliveries as imported, not as "already present".

import { closeSync, existsSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import type { JournalEntry } from './checkpoint-file.js';
import { createPrivateFileSync } from './private-files.js';

export interface DeliveryJournal {
  /** Queues a line; nothing reaches the file before commit(). */
  add(entry: JournalEntry): void;
  /** Writes the queued lines (one write: a process kill cannot tear it). */
  commit(): void;
  /**
   * Starts the next file of the series and returns its number. Called when a checkpoint takes its
   * snapshot: that checkpoint names this number, so it covers lines from here on; the files
   * before it can go once the checkpoint is on disk (dropBefore).
   */
  rotate(): number;
  readonly generation: number;
  /** Deletes the files numbered below `generation`. */
  dropBefore(generation: number): void;
  close(): void;
}

/** File `generation` of the journal series that belongs to a checkpoint. */
export function journalPath(checkpointPath: string, generation: number): string {
  return `${checkpointPath}.journal.${generation}`;
}

/**
 * Starts writing the series at `generation` (a fresh file); `oldest` is the first file that may
 * still exist (a resumed run's predecessors), deleted once a checkpoint no longer needs it.
 */
export function openDeliveryJournal(checkpointPath: string, job: string, generation: number, oldest = generation): DeliveryJournal {
  let current = generation;
  // Each file starts with its job's id: a file left behind by another job is never read as ours.
  const header = JSON.stringify(['j', job]) + '\n';
  let fd = openFresh(journalPath(checkpointPath, current), header);
  let queued = '';
  return {
    add(entry) {
      queued += JSON.stringify(entry) + '\n';
    },
    commit() {
      if (queued.length === 0) return;
      writeAll(fd, queued);
      queued = '';
    },
    rotate() {
      this.commit();
      const next = openFresh(journalPath(checkpointPath, current + 1), header);
      closeSync(fd);
      fd = next;
      current++;
      return current;
    },
    get generation() {
      return current;
    },
    dropBefore(gen) {
      const upTo = Math.min(gen, current + 1);
      for (; oldest < upTo; oldest++) rmSync(journalPath(checkpointPath, oldest), { force: true });
    },
    close() {
      this.commit();
      closeSync(fd);
    },
  };
}

/** A new file, owner-only (the keys it names are export data); one left by another job is replaced. */
function openFresh(path: string, header: string): number {
  try {
    rmSync(path, { force: true });
    const fd = createPrivateFileSync(path);
    writeAll(fd, header);
    return fd;
  } catch (err) {
    throw new ChatmigrateError('CM_OUTPUT', `cannot write the delivery journal ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** A short write (a full disk) must not leave half a line that later lines would follow. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Deletes the checkpoint's journal files numbered below `below` (all of them by default). */
export function removeJournals(checkpointPath: string, below = Number.POSITIVE_INFINITY): void {
  const dir = dirname(checkpointPath);
  const prefix = `${basename(checkpointPath)}.journal.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const n = Number(name.slice(prefix.length));
    if (Number.isInteger(n) && n >= 0 && n < below) rmSync(join(dir, name), { force: true });
  }
}

/**
 * The entries of journal files `from`, `from + 1`, … in order (stopping at the first missing
 * file), and the number after the last file found. A torn last line (power loss) is ignored.
 */
export function readDeliveryJournals(checkpointPath: string, from: number, job: string): { entries: JournalEntry[]; next: number } {
  const entries: JournalEntry[] = [];
  let gen = from;
  for (;; gen++) {
    const path = journalPath(checkpointPath, gen);
    if (!existsSync(path) || !readJournalFile(path, job, entries)) break;
  }
  return { entries, next: gen };
}

/** Appends the file's entries; false (nothing read) when it belongs to another job. */
function readJournalFile(path: string, job: string, entries: JournalEntry[]): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `cannot read the delivery journal ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const lines = text.split('\n');
  if (lines[0] !== JSON.stringify(['j', job])) return false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) break; // the last line, cut short
      throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `the delivery journal ${path} is damaged at line ${i + 1}`, {
        hint: 'delete the journal files to resume anyway (records sent after the last checkpoint are then sent again and count as already present)',
      });
    }
    if (!isEntry(value)) throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `the delivery journal ${path} has an unexpected entry at line ${i + 1}`);
    entries.push(value);
  }
  return true;
}

function isEntry(v: unknown): v is JournalEntry {
  if (!Array.isArray(v) || typeof v[1] !== 'string') return false;
  if (v[0] === 'r') return v.length === 4 && typeof v[2] === 'string' && typeof v[3] === 'string';
  return v.length === 2 && (v[0] === 's' || v[0] === 'i' || v[0] === 'a' || v[0] === 'q');
}
