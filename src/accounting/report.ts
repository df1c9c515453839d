// The run report: counts that always add up (SPEC §4), the delivery plan, and the exit status.

import { ChatmigrateError, EXIT, type ExitCode } from '../errors.js';
import type { DeliveryStats } from '../sinks/sink.js';
import { VERSION } from '../version.js';
import type { Counts } from './counts.js';
import { KINDS, type KindName } from '../entities/kinds.js';

export type { Counts } from './counts.js';

export interface Plan {
  batchSize: number;
  /** Requests allowed per rate window (`--rpm`; 0 = no limit). */
  rpm: number;
  /** The window `rpm` counts in (`--rate-window-ms`; a minute unless set). */
  rateWindowMs: number;
  requests: number;
  minutes: number;
  text: string;
}

export type RunStatus = 'ok' | 'some-invalid' | 'failed' | 'interrupted';

export interface Report {
  tool: 'chatmigrate';
  version: string;
  command: 'validate' | 'import';
  target?: string;
  /** The entity kind the records were read and sent as (users, groups, members, messages). */
  kind: KindName;
  input: { name: string; format: string | undefined; bytes: number; compressed: boolean };
  read: number;
  invalid: number;
  skipped: number;
  duplicates: number;
  valid: number;
  conflicts: number;
  /** Valid records earlier (sentAt) than the valid record before them: messages want oldest first. 0 for other kinds. */
  outOfOrder: number;
  imported?: number;
  alreadyPresent?: number;
  rejected?: number;
  unsent?: number;
  reasons: Record<string, number>;
  /** Reason code → the fields that broke a rule → records: which field a reason's count is about. */
  reasonFields: Record<string, Record<string, number>>;
  /** Why records were skipped (rule → count); {} when none were (always present: a stable shape). */
  skippedBy: Record<string, number>;
  requests?: number;
  retries?: number;
  throttled?: number;
  achievedRpm?: number;
  budgetUsed?: number;
  plan: Plan;
  /** A resumed run: where it took over, and the time its predecessors ran (counts above are cumulative). */
  resumed?: { fromRecord: number; earlierRunsMs: number };
  /** The --checkpoint held this job finished: the input was verified against it and nothing was sent. */
  alreadyComplete?: true;
  /** Most records failed and look like another kind's or source's: the flag that fits, in a sentence. */
  suggestion?: string;
  /** --ids, this run: lines written, and imported messages whose id was never answered (not in the file). */
  ids?: { written: number; missing: number };
  durationMs: number;
  startedAt: string;
  finishedAt: string;
  status: RunStatus;
  exitCode: ExitCode;
  error?: { code: string; message: string; hint?: string };
}

/** Requests needed at the batch size, and the wall-clock time they take under the rate budget (rpm per window). */
export function planDelivery(validRecords: number, batchSize: number, rpm: number, rateWindowMs = 60_000, kind: KindName = 'members'): Plan {
  const requests = Math.ceil(validRecords / batchSize);
  const minutes = rpm > 0 ? ((requests / rpm) * rateWindowMs) / 60_000 : 0;
  const duration = rpm > 0 ? formatDuration(minutes * 60_000) : 'no rate limit';
  const text = `${plural(validRecords, KINDS[kind].entity)} → ${plural(requests, 'request')} → ${duration}${rpm > 0 ? ` at ${formatRate(rpm, rateWindowMs)}` : ''}`;
  return { batchSize, rpm, rateWindowMs, requests, minutes: round(minutes, 2), text };
}

/** 60 per minute → "60 req/min"; another window → "60 req per 30 s". */
export function formatRate(rpm: number, rateWindowMs: number): string {
  return rateWindowMs === 60_000 ? `${formatInt(rpm)} req/min` : `${formatInt(rpm)} req per ${formatDuration(rateWindowMs)}`;
}

export function exitCodeFor(status: RunStatus, errorExit?: ExitCode): ExitCode {
  switch (status) {
    case 'ok':
      return EXIT.ok;
    case 'some-invalid':
      return EXIT.someRejected;
    case 'interrupted':
      return EXIT.interrupted;
    case 'failed':
      return errorExit ?? EXIT.fatal;
  }
}

/** 1234567 → "1,234,567". By hand: toLocaleString's first call loads ICU data (~14 ms of every run). */
export function formatInt(n: number): string {
  const rounded = Math.round(n);
  if (!Number.isFinite(rounded) || Math.abs(rounded) >= 1e21) return String(rounded); // no digit groups in exponent form
  const digits = String(Math.abs(rounded));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = digits.slice(Math.max(0, end - 3), end) + (out === '' ? '' : ',' + out);
  return rounded < 0 ? '-' + out : out;
}

export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 1) return `${Math.round(ms)} ms`;
  if (s < 60) return `${round(s, 1)} s`;
  if (s < 3600) return `${round(s / 60, 1)} min`;
  return `${round(s / 3600, 1)} h`;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function plural(n: number, word: string): string {
  return `${formatInt(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** What the report needs to know of the run's configuration. */
export interface ReportSettings {
  command: 'validate' | 'import';
  to: string;
  /** A checkpoint was given (the hint after a stop names --resume then). */
  checkpoint: string | undefined;
  batchSize: number;
  rpm: number;
  rateWindowMs: number;
}

export interface ReportInputs {
  config: ReportSettings;
  kind: KindName;
  /** Most records failed and look like another kind's or source's: the flag that fits. */
  suggestion?: string | undefined;
  counts: Counts;
  skippedBy: Record<string, number>;
  input: Report['input'];
  delivery: DeliveryStats | undefined;
  /** The runs before a resumed one: their delivery figures are added to this run's. */
  prior?: { delivery: { requests: number; retries: number; throttled: number }; records: number; elapsedMs: number };
  startedAt: Date;
  interrupted: boolean;
  failure: ChatmigrateError | undefined;
  /** The job in the checkpoint had finished and this run found nothing after it. */
  alreadyComplete?: boolean;
  ids?: { written: number; missing: number } | undefined;
}

/** Assembles the report from the run's counts; `unsent` is what was valid but has no outcome. */
export function buildReport(r: ReportInputs): Report {
  const { config, counts, delivery } = r;
  // A stop by signal is reported like any other stop: with its code and what to do next.
  const failure =
    r.failure ??
    (r.interrupted
      ? new ChatmigrateError('CM_INTERRUPTED', 'stopped by a signal before the input was finished', {
          hint: config.checkpoint
            ? 'run the same command again with --resume: it continues after the last checkpoint'
            : config.command === 'validate'
              ? 'run the same command again: validate sends nothing, so it simply starts over'
              : `run the same command again: ${r.kind} already imported are answered "already present" and count as delivered`,
        })
      : undefined);
  const status: RunStatus = r.interrupted && r.failure === undefined ? 'interrupted' : failure ? 'failed' : counts.invalid + counts.rejected > 0 ? 'some-invalid' : 'ok';
  const finishedAt = new Date();
  const durationMs = finishedAt.getTime() - r.startedAt.getTime();
  const isImport = config.command === 'import';
  const unsent = counts.valid - counts.imported - counts.alreadyPresent - counts.rejected;
  return {
    tool: 'chatmigrate',
    version: VERSION,
    command: config.command,
    ...(isImport ? { target: config.to } : {}),
    kind: r.kind,
    input: r.input,
    read: counts.read,
    invalid: counts.invalid,
    skipped: counts.skipped,
    duplicates: counts.duplicates,
    valid: counts.valid,
    conflicts: counts.conflicts,
    outOfOrder: counts.outOfOrder,
    ...(isImport ? { imported: counts.imported, alreadyPresent: counts.alreadyPresent, rejected: counts.rejected, unsent } : {}),
    reasons: counts.reasons,
    reasonFields: counts.reasonFields,
    skippedBy: r.skippedBy,
    ...(delivery ? deliveryFigures(delivery, durationMs, config, r.prior?.delivery) : {}),
    plan: planDelivery(counts.valid, config.batchSize, config.rpm, config.rateWindowMs, r.kind),
    ...(r.prior ? { resumed: { fromRecord: r.prior.records, earlierRunsMs: r.prior.elapsedMs } } : {}),
    ...(r.alreadyComplete ? { alreadyComplete: true as const } : {}),
    ...(r.suggestion !== undefined ? { suggestion: r.suggestion } : {}),
    ...(r.ids !== undefined ? { ids: r.ids } : {}),
    durationMs,
    startedAt: r.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    status,
    exitCode: exitCodeFor(status, failure?.exitCode),
    ...(failure ? { error: { code: failure.code, message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) } } : {}),
  };
}

/** requests, retries and throttled are cumulative over resumed runs; the rates are this run's. */
function deliveryFigures(d: DeliveryStats, durationMs: number, config: ReportSettings, prior: { requests: number; retries: number; throttled: number } | undefined) {
  // The most a sliding window lets through in a run of this length is --rpm per window begun: a
  // burst of 44 requests in 2 s under 60 per minute used 73% of it, not "1,320 per minute".
  const windows = Math.max(1, Math.ceil(durationMs / config.rateWindowMs));
  const perWindow = d.requests / windows;
  return {
    requests: d.requests + (prior?.requests ?? 0),
    retries: d.retries + (prior?.retries ?? 0),
    throttled: d.throttled + (prior?.throttled ?? 0),
    achievedRpm: durationMs > 0 ? Math.round((d.requests / durationMs) * 60_000 * 10) / 10 : 0,
    ...(config.rpm > 0 ? { budgetUsed: Math.round((perWindow / config.rpm) * 1000) / 1000 } : {}),
  };
}
