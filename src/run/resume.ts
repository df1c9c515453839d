// Deciding whether and from where a run resumes: load the checkpoint, refuse what would change
// the result (another target, shard, command, rejects file or "now"), and after the prefix was
// read again, prove it is the same input (same records, bytes, hash and counts).

import { resolve as resolvePath } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import type { RunConfig } from '../config.js';
import { loadCheckpoint, type Checkpoint, type WindowEntry } from './checkpoint-file.js';
import { readDeliveryJournals } from './delivery-journal.js';
import type { Counts } from './report.js';

export interface ResumePoint {
  checkpoint: Checkpoint;
  /** What became of sent records beyond the watermark, by key (checkpoint window + journal). */
  window: Map<string, WindowEntry>;
  /** The first journal file number not written yet. */
  nextJournal: number;
}

/** The part of a run's identity a checkpoint pins down. */
export function runIdentity(config: RunConfig): Checkpoint['run'] {
  return {
    command: config.command,
    to: config.to,
    target: config.command === 'import' ? (config.baseUrl ?? null) : null,
    format: null,
    shard: config.shard ? `${config.shard.index}/${config.shard.count}` : null,
    nowSeconds: config.nowSeconds,
    rejects: config.rejects ? resolvePath(config.rejects) : null,
  };
}

/**
 * With --checkpoint: undefined for a fresh start (refusing to overwrite the checkpoint of an
 * unfinished run), or the point to resume from with --resume.
 */
export async function prepareResume(config: RunConfig): Promise<ResumePoint | undefined> {
  const path = config.checkpoint;
  if (!path) return undefined;
  const checkpoint = await loadCheckpoint(path);
  if (!config.resume) {
    if (checkpoint && checkpoint.state !== 'complete') {
      throw new ChatmigrateError('CM_USAGE', `--checkpoint ${path} holds the progress of an unfinished run (${checkpoint.watermark.records} records settled)`, {
        hint: 'add --resume to continue it, or delete the file to start over',
      });
    }
    return undefined;
  }
  if (!checkpoint) {
    throw new ChatmigrateError('CM_USAGE', `--resume: there is no checkpoint at ${path}`, { hint: 'check the --checkpoint path, or run without --resume to start from the beginning' });
  }
  checkIdentity(checkpoint, config);
  const window = new Map<string, WindowEntry>();
  for (const entry of checkpoint.window) window.set(entry[1], entry);
  const journal = readDeliveryJournals(path, checkpoint.journal);
  for (const entry of journal.entries) window.set(entry[1], entry);
  return { checkpoint, window, nextJournal: journal.next };
}

function checkIdentity(checkpoint: Checkpoint, config: RunConfig): void {
  const was = checkpoint.run;
  const now = runIdentity(config);
  const differs = (what: string, before: unknown, after: unknown, hint: string) =>
    new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume: the checkpoint was written for ${what} ${show(before)}, this run has ${show(after)}`, { hint });
  const startOver = 'run with the same options, or start over without --resume';
  if (was.command !== now.command) throw differs('the command', was.command, now.command, startOver);
  if (was.to !== now.to || was.target !== now.target) throw differs('the target', was.target ?? was.to, now.target ?? now.to, `resume against ${was.target ?? was.to}, or start over without --resume for another target`);
  if (was.shard !== now.shard) throw differs('--shard', was.shard ?? 'none', now.shard ?? 'none', startOver);
  if (was.rejects !== now.rejects) throw differs('--rejects', was.rejects ?? 'none', now.rejects ?? 'none', 'pass the same --rejects file: it holds the rejects of the records already settled');
  if (!config.nowFromClock && config.nowSeconds !== was.nowSeconds) {
    throw differs('--now', was.nowSeconds, now.nowSeconds, 'leave --now out when resuming: the checkpoint keeps the original time, so the joinedAt rule judges every record alike');
  }
}

/** Throws CM_RESUME_MISMATCH when the input's first bytes differ from the checkpointed run's. */
export function verifyHead(checkpoint: Checkpoint, inputName: string, head: { bytes: number; sha256: string }): void {
  const was = checkpoint.input.head;
  if (!was) return;
  if (was.bytes !== head.bytes || was.sha256 !== head.sha256) {
    const why = was.bytes !== head.bytes ? `it has ${head.bytes} bytes, the checkpointed input had at least ${was.bytes}` : `its first ${head.bytes} bytes differ`;
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume: ${inputName} is not the input the checkpoint was written for (${why})`, {
      hint: `give the same export again (the checkpoint read ${checkpoint.input.name}), or start over without --resume`,
    });
  }
}

export interface ReplayedPrefix {
  format: string | undefined;
  records: number;
  byteEnd: number;
  sha256: string;
  counts: Counts;
}

/** Throws CM_RESUME_MISMATCH unless the prefix read again is the one the checkpoint settled. */
export function verifyReplay(checkpoint: Checkpoint, inputName: string, got: ReplayedPrefix): void {
  const w = checkpoint.watermark;
  const mismatch = (why: string) =>
    new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume: ${inputName} is not the input the checkpoint was written for (${why})`, {
      hint: `give the same export again (the checkpoint read ${checkpoint.input.name}), or start over without --resume`,
    });
  if (got.records < w.records) throw mismatch(`it has ${got.records} records, the checkpoint settled ${w.records}`);
  if (w.records > 0 && checkpoint.run.format !== null && got.format !== checkpoint.run.format) throw mismatch(`read as ${got.format ?? 'unknown'}, not ${checkpoint.run.format}`);
  if (got.byteEnd !== w.byteEnd) throw mismatch(`its first ${w.records} records end at byte ${got.byteEnd}, not ${w.byteEnd}`);
  if (got.sha256 !== w.sha256) throw mismatch(`its first ${w.byteEnd} bytes have another SHA-256`);
  for (const k of ['read', 'invalid', 'skipped', 'duplicates', 'valid', 'conflicts'] as const) {
    if (got.counts[k] !== checkpoint.counts[k]) throw mismatch(`${k}: ${got.counts[k]} in the first ${w.records} records, the checkpoint counted ${checkpoint.counts[k]}`);
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
