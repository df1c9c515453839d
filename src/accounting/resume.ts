// Deciding whether and from where a run resumes: load the checkpoint, refuse what would change
// the result (another target, shard, command, rejects file or "now"), and after the prefix was
// read again, prove it is the same input (same records, bytes, hash and counts).

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import { VERSION } from '../version.js';
import { loadCheckpoint, type Checkpoint, type WindowEntry } from './checkpoint-file.js';
import { readDeliveryJournals, removeJournals } from './delivery-journal.js';
import type { Counts } from './report.js';

/** What resuming needs of the run's configuration (config.ts's RunConfig has it all). */
export interface ResumeSettings {
  command: 'validate' | 'import';
  to: string;
  baseUrl: string | undefined;
  shard: { index: number; count: number } | undefined;
  nowSeconds: number;
  nowFromClock: boolean;
  rejects: string | undefined;
  checkpoint: string | undefined;
  resume: boolean;
  rooms: string | undefined;
  users: string | undefined;
}

export interface ResumePoint {
  checkpoint: Checkpoint;
  /** What became of sent records beyond the watermark, by key (checkpoint window + journal). */
  window: Map<string, WindowEntry>;
  /** The first journal file number not written yet. */
  nextJournal: number;
}

/** The part of a run's identity a checkpoint pins down (job: a new id, or the resumed job's). */
export async function runIdentity(config: ResumeSettings, job: string): Promise<Checkpoint['run']> {
  return {
    job,
    command: config.command,
    to: config.to,
    target: config.command === 'import' && config.baseUrl ? normalizeUrl(config.baseUrl) : null,
    format: null,
    shard: config.shard && config.shard.count > 1 ? `${config.shard.index}/${config.shard.count}` : null,
    nowSeconds: config.nowSeconds,
    rejects: config.rejects ? resolvePath(config.rejects) : null,
    sources: await hashSources(config),
  };
}

export function newJobId(): string {
  return randomBytes(8).toString('hex');
}

/** The extra inputs that shape the records: their content counts, not their paths (files move). */
async function hashSources(config: ResumeSettings): Promise<Record<string, string> | null> {
  if (!config.rooms && !config.users) return null;
  const out: Record<string, string> = {};
  for (const [flag, path] of [['--rooms', config.rooms], ['--users', config.users]] as const) {
    if (!path) continue;
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    } catch (err) {
      throw new ChatmigrateError('CM_INPUT_UNREADABLE', `cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    out[flag] = hash.digest('hex');
  }
  return out;
}

function normalizeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}

/**
 * With --checkpoint: undefined for a fresh start (refusing to overwrite the checkpoint of an
 * unfinished run), or the point to resume from with --resume.
 */
export async function prepareResume(config: ResumeSettings): Promise<ResumePoint | undefined> {
  const path = config.checkpoint;
  if (!path) return undefined;
  if (config.rejects && existsSync(config.rejects) && !statSync(config.rejects).isFile()) {
    // A resumed run cuts the rejects file back to the checkpoint's length: a pipe cannot be.
    throw new ChatmigrateError('CM_USAGE', `--rejects ${config.rejects} is not a regular file, which --checkpoint needs`, { hint: 'write the rejects to a file' });
  }
  const checkpoint = await loadCheckpoint(path);
  if (!config.resume) {
    if (checkpoint && checkpoint.state !== 'complete') {
      throw new ChatmigrateError('CM_USAGE', `--checkpoint ${path} holds the progress of an unfinished run (${checkpoint.watermark.records} records settled)`, {
        hint: 'add --resume to continue it, or delete the file to start over',
      });
    }
    // A new job: journal files of an old one must never be read as this job's.
    removeJournals(path);
    return undefined;
  }
  if (!checkpoint) {
    throw new ChatmigrateError('CM_USAGE', `--resume: there is no checkpoint at ${path}`, { hint: 'check the --checkpoint path, or run without --resume to start from the beginning' });
  }
  await checkIdentity(checkpoint, config);
  const window = new Map<string, WindowEntry>();
  for (const entry of checkpoint.window) window.set(entry[1], entry);
  removeJournals(path, checkpoint.journal); // left by a kill between a save and its clean-up
  const journal = readDeliveryJournals(path, checkpoint.journal, checkpoint.run.job);
  for (const entry of journal.entries) {
    // 'q': its last send was refused unprocessed; it is as if it had never been sent.
    if (entry[0] === 'q') window.delete(entry[1]);
    else window.set(entry[1], entry);
  }
  return { checkpoint, window, nextJournal: journal.next };
}

async function checkIdentity(checkpoint: Checkpoint, config: ResumeSettings): Promise<void> {
  const was = checkpoint.run;
  const now = await runIdentity(config, was.job);
  if (checkpoint.tool !== VERSION) {
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume: the checkpoint was written by chatmigrate ${checkpoint.tool}, this is ${VERSION} (its rules may judge records differently)`, {
      hint: `resume with chatmigrate ${checkpoint.tool}, or start over without --resume`,
    });
  }
  const differs = (what: string, before: unknown, after: unknown, hint: string) =>
    new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume: the checkpoint was written for ${what} ${show(before)}, this run has ${show(after)}`, { hint });
  const startOver = 'run with the same options, or start over without --resume';
  if (was.command !== now.command) throw differs('the command', was.command, now.command, startOver);
  if (was.to !== now.to || was.target !== now.target) throw differs('the target', was.target ?? was.to, now.target ?? now.to, `resume against ${was.target ?? was.to}, or start over without --resume for another target`);
  if (was.shard !== now.shard) throw differs('--shard', was.shard ?? 'none', now.shard ?? 'none', startOver);
  if (was.rejects !== now.rejects) throw differs('--rejects', was.rejects ?? 'none', now.rejects ?? 'none', 'pass the same --rejects file: it holds the rejects of the records already settled');
  for (const flag of new Set([...Object.keys(was.sources ?? {}), ...Object.keys(now.sources ?? {})])) {
    const before = was.sources?.[flag];
    const after = now.sources?.[flag];
    if (before !== after) {
      throw new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume: the ${flag} file ${before && after ? 'changed' : before ? 'is missing' : 'was not given'} since the checkpoint was written`, {
        hint: `give the same ${flag} export as the interrupted run, or start over without --resume`,
      });
    }
  }
  if (!config.nowFromClock && config.nowSeconds !== was.nowSeconds) {
    throw differs('--now', was.nowSeconds, now.nowSeconds, 'leave --now out when resuming: the checkpoint keeps the original time, so the joinedAt rule judges every record alike');
  }
}

/**
 * Throws CM_RESUME_MISMATCH when the input's first bytes differ from those the checkpoint
 * settled; call once `kept` covers the checkpoint's head, or at the end of the input.
 */
export function verifyHead(checkpoint: Checkpoint, inputName: string, head: { kept: number; hashOf(n: number): string }): void {
  const was = checkpoint.input.head;
  if (!was || was.bytes === 0) return;
  const why = head.kept < was.bytes ? `it ${head.kept === 0 ? 'is empty (0 bytes)' : `ends after ${head.kept.toLocaleString('en-US')} bytes`}, but that input was at least ${was.bytes.toLocaleString('en-US')} bytes long and its first ${checkpoint.watermark.records.toLocaleString('en-US')} records (${checkpoint.watermark.byteEnd.toLocaleString('en-US')} bytes) were settled` : head.hashOf(was.bytes) !== was.sha256 ? `its first ${was.bytes.toLocaleString('en-US')} bytes differ` : undefined;
  if (why) {
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
