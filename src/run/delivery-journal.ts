// The delivery journal beside the checkpoint: which records beyond the watermark were sent and
// what the server answered, appended synchronously as it happens. A checkpoint is saved every few
// seconds; this file covers the gap, so after `kill -9` a resumed run re-sends only what was in
// flight and still counts its own earlier deliveries as imported, not as "already present".

import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { ChatmigrateError } from '../errors.js';
import type { WindowEntry } from './checkpoint-file.js';

export interface DeliveryJournal {
  /** Queues a line; nothing reaches the file before commit(). */
  add(entry: WindowEntry): void;
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
export function openDeliveryJournal(checkpointPath: string, generation: number, oldest = generation): DeliveryJournal {
  let current = generation;
  let fd = openFresh(journalPath(checkpointPath, current));
  let queued = '';
  return {
    add(entry) {
      queued += JSON.stringify(entry) + '\n';
    },
    commit() {
      if (queued.length === 0) return;
      const text = queued;
      queued = '';
      writeSync(fd, text);
    },
    rotate() {
      this.commit();
      const next = openFresh(journalPath(checkpointPath, current + 1));
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

function openFresh(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    throw new ChatmigrateError('CM_OUTPUT', `cannot write the delivery journal ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * The entries of journal files `from`, `from + 1`, … in order (stopping at the first missing
 * file), and the number after the last file found. A torn last line (power loss) is ignored.
 */
export function readDeliveryJournals(checkpointPath: string, from: number): { entries: WindowEntry[]; next: number } {
  const entries: WindowEntry[] = [];
  let gen = from;
  for (;; gen++) {
    const path = journalPath(checkpointPath, gen);
    if (!existsSync(path)) break;
    readJournalFile(path, entries);
  }
  return { entries, next: gen };
}

function readJournalFile(path: string, entries: WindowEntry[]): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `cannot read the delivery journal ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
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
}

function isEntry(v: unknown): v is WindowEntry {
  if (!Array.isArray(v) || typeof v[1] !== 'string') return false;
  if (v[0] === 'r') return v.length === 4 && typeof v[2] === 'string' && typeof v[3] === 'string';
  return v.length === 2 && (v[0] === 's' || v[0] === 'i' || v[0] === 'a');
}
