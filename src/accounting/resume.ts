// Deciding whether and from where a run goes on: load the checkpoint, refuse what would change
// the result (another target, shard, command, rejects file or "now"), and after the prefix was
// read again, prove it is the same input (same records, bytes, hash and counts). A finished job
// run again is verified the same way and sends nothing: it is already complete.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import { VERSION } from '../version.js';
import { loadCheckpoint, type Checkpoint, type WindowEntry } from './checkpoint-file.js';
import { readDeliveryJournals, removeJournals } from './delivery-journal.js';
import { plural, type Counts } from './report.js';
import type { RejectsFileResume } from './rejects-writer.js';
import type { KindName } from '../entities/kinds.js';

/** What resuming needs of the run's configuration (config.ts's ResumeSettings has it all). */
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
  startOver: boolean;
  rooms: string | undefined;
  users: string | undefined;
  /** --kind, when given (else the input names the kind: checked by verifyKind once it is read). */
  kind: KindName | undefined;
}

/** The run's kind and its settings, once known. */
export interface KindIdentity {
  kind: KindName;
  retentionDays: number | undefined;
}

export interface ResumePoint {
  /** The --checkpoint path. */
  path: string;
  checkpoint: Checkpoint;
  /** What became of sent records beyond the watermark, by key (checkpoint window + journal). */
  window: Map<string, WindowEntry>;
  /** The first journal file number not written yet. */
  nextJournal: number;
  /**
   * The checkpoint's job had finished. The run reads the input again to prove it is that job's
   * (nothing is sent for the records it settled); without --resume, records after them are refused.
   */
  finished: boolean;
  /** --resume: records after the watermark continue the job. */
  continues: boolean;
}

/** The part of a run's identity a checkpoint pins down (job: a new id, or the resumed job's). */
export async function runIdentity(config: ResumeSettings, job: string, kind: KindIdentity): Promise<Checkpoint['run']> {
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
    kind: kind.kind,
    retentionDays: kind.retentionDays ?? null,
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

/** The hint of every refusal of an unfinished or damaged checkpoint names the way out. */
export const START_OVER_HINT = '--start-over to begin a new job (the checkpoint is replaced; records already imported then count as already present)';

/**
 * With --checkpoint: undefined for a new job (none saved yet, or --start-over), or the point to
 * go on from: with --resume, or a finished job run again (it is verified, and nothing is sent).
 * A job that was stopped is never started over without --start-over.
 */
export async function prepareResume(config: ResumeSettings): Promise<ResumePoint | undefined> {
  const path = config.checkpoint;
  if (!path) return undefined;
  if (config.startOver) {
    // A new job: journal files of the old one must never be read as this job's.
    removeJournals(path);
    return undefined;
  }
  const checkpoint = await loadCheckpoint(path);
  if (!checkpoint) {
    if (config.resume) throw new ChatmigrateError('CM_USAGE', `--resume: there is no checkpoint at ${path}`, { hint: 'check the --checkpoint path, or run without --resume to start from the beginning' });
    removeJournals(path);
    return undefined;
  }
  const finished = checkpoint.state === 'complete';
  if (!config.resume && !finished) {
    throw new ChatmigrateError('CM_USAGE', `--checkpoint ${path} holds the progress of an unfinished run (${plural(checkpoint.watermark.records, 'record')} settled)`, {
      hint: `add --resume to continue it, or ${START_OVER_HINT}`,
    });
  }
  const point: ResumePoint = { path, checkpoint, window: new Map(), nextJournal: 0, finished, continues: config.resume };
  await checkIdentity(point, config);
  for (const entry of checkpoint.window) point.window.set(entry[1], entry);
  removeJournals(path, checkpoint.journal); // left by a kill between a save and its clean-up
  const journal = readDeliveryJournals(path, checkpoint.journal, checkpoint.run.job);
  for (const entry of journal.entries) {
    // 'q': its last send was refused unprocessed; it is as if it had never been sent.
    if (entry[0] === 'q') point.window.delete(entry[1]);
    else point.window.set(entry[1], entry);
  }
  point.nextJournal = journal.next;
  return point;
}

/** How the rejects file of the job goes on: cut back to what the checkpoint covers, or, for a finished job that is only verified, left alone. */
export function rejectsResumeOf(point: ResumePoint | undefined): RejectsFileResume | undefined {
  const covered = point?.checkpoint.rejects;
  if (!point || !covered) return undefined;
  return { ...covered, untouched: point.finished && !point.continues };
}

/** A finished job read again, and nothing after it: the run sent nothing and the job stands as it was. */
export function isAlreadyComplete(point: ResumePoint | undefined, recordsRead: number): boolean {
  return point?.finished === true && recordsRead === point.checkpoint.watermark.records;
}

/** A refusal to go on from the checkpoint, worded for --resume or for a finished job run again. */
function refusal(point: ResumePoint, what: string, resumeHint: string): ChatmigrateError {
  if (point.continues) {
    return new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume: ${what}`, { hint: `${resumeHint}, or ${START_OVER_HINT} instead of --resume` });
  }
  return new ChatmigrateError('CM_RESUME_MISMATCH', `--checkpoint ${point.path} holds a finished job, not this run's: ${what}`, {
    hint: `to run this as a new job add --start-over (the finished job's checkpoint is replaced), or choose another --checkpoint path`,
  });
}

async function checkIdentity(point: ResumePoint, config: ResumeSettings): Promise<void> {
  const { checkpoint } = point;
  const was = checkpoint.run;
  // The kind is compared here when --kind names it, else once the input has (verifyKind).
  const now = await runIdentity(config, was.job, { kind: config.kind ?? was.kind, retentionDays: was.retentionDays ?? undefined });
  if (checkpoint.tool !== VERSION) {
    throw refusal(point, `the checkpoint was written by chatmigrate ${checkpoint.tool}, this is ${VERSION} (its rules may judge records differently)`, `resume with chatmigrate ${checkpoint.tool}`);
  }
  const differs = (what: string, before: unknown, after: unknown, hint: string) =>
    refusal(point, `the checkpoint was written for ${what} ${show(before)}, this run has ${show(after)}`, hint);
  const same = 'run with the same options';
  if (was.command !== now.command) throw differs('the command', was.command, now.command, same);
  if (was.kind !== now.kind) throw kindDiffers(point, was.kind, now.kind);
  if (was.to !== now.to || was.target !== now.target) throw differs('the target', was.target ?? was.to, now.target ?? now.to, `resume against ${was.target ?? was.to}`);
  if (was.shard !== now.shard) throw differs('--shard', was.shard ?? 'none', now.shard ?? 'none', same);
  if (was.rejects !== now.rejects) throw differs('--rejects', was.rejects ?? 'none', now.rejects ?? 'none', 'pass the same --rejects file: it holds the rejects of the records already settled');
  for (const flag of new Set([...Object.keys(was.sources ?? {}), ...Object.keys(now.sources ?? {})])) {
    const before = was.sources?.[flag];
    const after = now.sources?.[flag];
    if (before !== after) {
      throw refusal(point, `the ${flag} file ${before && after ? 'changed' : before ? 'is missing' : 'was not given'} since the checkpoint was written`, `give the same ${flag} export as the interrupted run`);
    }
  }
  if (!config.nowFromClock && config.nowSeconds !== was.nowSeconds) {
    throw differs('--now', was.nowSeconds, now.nowSeconds, 'leave --now out when resuming: the checkpoint keeps the original time, so the joinedAt rule judges every record alike');
  }
}

function kindDiffers(point: ResumePoint, was: KindName, now: KindName): ChatmigrateError {
  return refusal(point, `the checkpoint was written for ${was}, this run reads ${now}`, `run with --kind ${was} and the same input as the interrupted run`);
}

/**
 * Once the input named the run's kind: refuses a checkpoint of another kind, or of messages
 * judged with another retention (it would skip other records than the settled prefix did).
 */
export function verifyKind(point: ResumePoint | undefined, now: KindIdentity): void {
  if (!point) return;
  const was = point.checkpoint.run;
  if (was.kind !== now.kind) throw kindDiffers(point, was.kind, now.kind);
  const before = was.retentionDays ?? undefined;
  if (before !== now.retentionDays) {
    throw refusal(point, `the checkpoint was written for --retention-days ${before ?? 'none'}, this run has ${now.retentionDays ?? 'none'}`, `pass --retention-days ${before ?? ''} as the interrupted run did`);
  }
}

/** The input read again is not the one the checkpoint settled. */
function otherInput(point: ResumePoint, inputName: string, why: string): ChatmigrateError {
  return refusal(point, `${inputName} is not the input the checkpoint was written for (${why})`, `give the same export again (the checkpoint read ${point.checkpoint.input.name})`);
}

/**
 * Throws CM_RESUME_MISMATCH when the input's first bytes differ from those the checkpoint
 * settled; call once `kept` covers the checkpoint's head, or at the end of the input.
 */
export function verifyHead(point: ResumePoint, inputName: string, head: { kept: number; hashOf(n: number): string }): void {
  const was = point.checkpoint.input.head;
  if (!was || was.bytes === 0) return;
  const why = head.kept < was.bytes ? `it ${head.kept === 0 ? 'is empty (0 bytes)' : `ends after ${head.kept.toLocaleString('en-US')} bytes`}, but that input was at least ${was.bytes.toLocaleString('en-US')} bytes long and its first ${point.checkpoint.watermark.records.toLocaleString('en-US')} records (${point.checkpoint.watermark.byteEnd.toLocaleString('en-US')} bytes) were settled` : head.hashOf(was.bytes) !== was.sha256 ? `its first ${was.bytes.toLocaleString('en-US')} bytes differ` : undefined;
  if (why) throw otherInput(point, inputName, why);
}

export interface ReplayedPrefix {
  format: string | undefined;
  records: number;
  byteEnd: number;
  sha256: string;
  counts: Counts;
  /** A record follows the settled ones. */
  more: boolean;
}

/**
 * Throws CM_RESUME_MISMATCH unless the prefix read again is the one the checkpoint settled, and,
 * for a finished job run again without --resume, nothing follows it.
 */
export function verifyReplay(point: ResumePoint, inputName: string, got: ReplayedPrefix): void {
  const { checkpoint } = point;
  const w = checkpoint.watermark;
  const mismatch = (why: string) => otherInput(point, inputName, why);
  if (got.records < w.records) throw mismatch(`it has ${got.records} records, the checkpoint settled ${w.records}`);
  if (w.records > 0 && checkpoint.run.format !== null && got.format !== checkpoint.run.format) throw mismatch(`read as ${got.format ?? 'unknown'}, not ${checkpoint.run.format}`);
  if (got.byteEnd !== w.byteEnd) throw mismatch(`its first ${w.records} records end at byte ${got.byteEnd}, not ${w.byteEnd}`);
  if (got.sha256 !== w.sha256) throw mismatch(`its first ${w.byteEnd} bytes have another SHA-256`);
  for (const k of ['read', 'invalid', 'skipped', 'duplicates', 'valid', 'conflicts', 'outOfOrder'] as const) {
    if (got.counts[k] !== checkpoint.counts[k]) throw mismatch(`${k}: ${got.counts[k]} in the first ${w.records} records, the checkpoint counted ${checkpoint.counts[k]}`);
  }
  if (point.finished && !point.continues && got.more) {
    // Records after a finished job: new ones (a grown export) are sent only when asked to.
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `--checkpoint ${point.path} holds a finished job of ${w.records} records, and ${inputName} has more records after them`, {
      hint: `add --resume to send the records after them as part of that job, or --start-over to run ${inputName} as a new job`,
    });
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
