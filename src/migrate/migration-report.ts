// The report of a whole migration: each phase's report as it is, their totals, the plan of what
// is left (or, for a dry run, of all of it), and the exit code of the worst phase.

import { EXIT, type ChatmigrateError, type ExitCode } from '../errors.js';
import { formatDuration, formatInt, formatRate, planDelivery, plural, type Report, type RunStatus } from '../accounting/report.js';
import { formatSummary } from '../observability/summary.js';
import { VERSION } from '../version.js';
import type { UploadFilesReport } from '../mongodump/upload-files.js';
import { PHASES, type MigrateConfig, type Phase } from './migrate-config.js';

export interface MigrationTotals {
  read: number;
  invalid: number;
  skipped: number;
  duplicates: number;
  valid: number;
  imported: number;
  alreadyPresent: number;
  rejected: number;
  unsent: number;
  requests: number;
}

/** --attachments-dir: what became of the dump's uploads (a dry run writes none). */
export type MigrationFiles =
  | { dryRun: true; attachmentsDir: string }
  | (Omit<UploadFilesReport, 'files'> & { attachmentsDir: string });

export interface MigrationReport {
  tool: 'chatmigrate';
  version: string;
  command: 'migrate';
  source: 'rocketchat' | 'cometchat';
  dryRun: boolean;
  stateDir: string;
  /** Each phase that ran (or had run: a resumed migration keeps the reports of phases done before). */
  phases: Partial<Record<Phase, Report>>;
  /** Phases not run: no input given, or stopped before them. */
  notRun: Phase[];
  /** The phases of notRun that had no input (no flag; a dump without rocketchat_message). */
  notGiven?: Phase[];
  totals: MigrationTotals;
  /** Requests and time under the quota: of everything valid (dry run), else of what is still unsent. */
  plan: { requests: number; minutes: number; text: string };
  /** Rocket.Chat: users created for message senders missing from the users export, and their messages. */
  placeholders?: { users: number; messages: number };
  /** --dump-dir with --attachments-dir: the files written. */
  files?: MigrationFiles;
  /** Rocket.Chat messages: already in (ts, _id) order, or sorted (how many, in how many runs). */
  timeOrder?: { inOrder: boolean; records: number; runs: number };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  status: RunStatus;
  exitCode: ExitCode;
  error?: { code: string; message: string; hint?: string };
  /** Set when this run found the migration finished and ran nothing: the report is the one it finished with. */
  alreadyFinished?: true;
}

/** The worst outcome decides: a phase that failed or was stopped, else invalid or rejected records. */
function worst(reports: readonly Report[]): { status: RunStatus; exitCode: ExitCode; error?: Report['error'] } {
  const stopped = reports.find((r) => r.exitCode !== EXIT.ok && r.exitCode !== EXIT.someRejected);
  if (stopped) return { status: stopped.status, exitCode: stopped.exitCode, ...(stopped.error ? { error: stopped.error } : {}) };
  return reports.some((r) => r.exitCode === EXIT.someRejected) ? { status: 'some-invalid', exitCode: EXIT.someRejected } : { status: 'ok', exitCode: EXIT.ok };
}

export function buildMigrationReport(
  config: MigrateConfig,
  phases: Partial<Record<Phase, Report>>,
  startedAt: Date,
  placeholders: MigrationReport['placeholders'],
  extra: Pick<MigrationReport, 'files' | 'timeOrder'> = {},
  /** The run was stopped outside any phase (before one started, or while sorting the messages). */
  stopped?: ChatmigrateError,
): MigrationReport {
  const ran = PHASES.flatMap((p) => (phases[p] ? [phases[p]!] : []));
  const totals: MigrationTotals = { read: 0, invalid: 0, skipped: 0, duplicates: 0, valid: 0, imported: 0, alreadyPresent: 0, rejected: 0, unsent: 0, requests: 0 };
  for (const r of ran) {
    totals.read += r.read;
    totals.invalid += r.invalid;
    totals.skipped += r.skipped;
    totals.duplicates += r.duplicates;
    totals.valid += r.valid;
    totals.imported += r.imported ?? 0;
    totals.alreadyPresent += r.alreadyPresent ?? 0;
    totals.rejected += r.rejected ?? 0;
    totals.unsent += r.unsent ?? 0;
    totals.requests += r.requests ?? 0;
  }
  const { batchSize, rpm, rateWindowMs } = config.base;
  // Requests are counted per phase: each phase's last batch is a request of its own.
  const requests = ran.reduce((n, r) => n + Math.ceil((config.dryRun ? r.valid : (r.unsent ?? 0)) / batchSize), 0);
  const minutes = rpm > 0 ? (requests / rpm) * (rateWindowMs / 60_000) : 0;
  const records = config.dryRun ? totals.valid : totals.unsent;
  const text = `${plural(records, 'record')} → ${plural(requests, 'request')} → ${rpm > 0 ? `${formatDuration(minutes * 60_000)} at ${formatRate(rpm, rateWindowMs)}` : 'no rate limit'}`;
  const finishedAt = new Date();
  let outcome = worst(ran);
  // A file that could not be written is a loss the exit code must show, like a refused record.
  const lostFiles = extra.files && !('dryRun' in extra.files) ? extra.files.missing + extra.files.broken : 0;
  if (outcome.exitCode === EXIT.ok && lostFiles > 0) outcome = { status: 'some-invalid', exitCode: EXIT.someRejected };
  // The phases that ran may all have finished: the stop is what the exit code must show.
  if (stopped && (outcome.exitCode === EXIT.ok || outcome.exitCode === EXIT.someRejected)) {
    outcome = { status: 'interrupted', exitCode: EXIT.interrupted, error: { code: stopped.code, message: stopped.message, ...(stopped.hint ? { hint: stopped.hint } : {}) } };
  }
  return {
    tool: 'chatmigrate',
    version: VERSION,
    command: 'migrate',
    source: config.source,
    dryRun: config.dryRun,
    stateDir: config.stateDir,
    phases,
    notRun: PHASES.filter((p) => !phases[p]),
    notGiven: PHASES.filter((p) => !phases[p] && config.inputs[p] === undefined),
    totals,
    plan: { requests, minutes: Math.round(minutes * 100) / 100, text },
    ...(placeholders ? { placeholders } : {}),
    ...extra,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    ...outcome,
  };
}

/** Each phase's summary under a heading, then the migration's line. */
export function formatMigrationSummary(report: MigrationReport, config: MigrateConfig): string {
  const lines: string[] = [];
  PHASES.forEach((phase, i) => {
    const r = report.phases[phase];
    if (!r) return;
    lines.push(formatSummary(r, { title: `phase ${i + 1}/4, ${phase}`, rejects: `${report.dryRun ? "dry-run/" : ""}${phase}.rejects.ndjson` }));
  });
  const t = report.totals;
  lines.push(`── migrate${report.dryRun ? ' (dry run)' : ''}: ${formatInt(t.read)} read, ${formatInt(t.valid)} valid, ${formatInt(t.invalid)} invalid, ${formatInt(t.duplicates)} duplicates, ${formatInt(t.skipped)} skipped  (${formatDuration(report.durationMs)})`);
  if (!report.dryRun) lines.push(`  delivered: ${formatInt(t.imported)} imported + ${formatInt(t.alreadyPresent)} already present; ${formatInt(t.rejected)} rejected; ${formatInt(t.unsent)} unsent; ${plural(t.requests, 'request')}`);
  if (report.placeholders && report.placeholders.users > 0) lines.push(`  placeholders: ${formatInt(report.placeholders.users)} users stand in for senders missing from --users (${formatInt(report.placeholders.messages)} messages)`);
  const f = report.files;
  if (f && 'dryRun' in f) lines.push(`  files: not written in a dry run (every upload counted as there); the real run writes them to ${f.attachmentsDir}`);
  else if (f) {
    const lost = f.missing + f.broken;
    lines.push(`  files: ${formatInt(f.written + f.kept)} in ${f.attachmentsDir} (${formatInt(f.written)} written${f.kept > 0 ? `, ${formatInt(f.kept)} already there` : ''}, ${formatBytes(f.bytes)})${lost > 0 ? `; ${formatInt(f.missing)} missing, ${formatInt(f.broken)} broken: their messages keep their text (report.json lists them under files.problems)` : ''}`);
  }
  const order = report.timeOrder;
  if (order && !order.inOrder) lines.push(`  time order: the messages export was not oldest first; ${formatInt(order.records)} messages sorted (${formatInt(order.runs)} sorted run${order.runs === 1 ? "" : "s"}) and ${report.dryRun ? 'read' : 'delivered'} in time order`);
  // Not run because no input was given, or because the run stopped before them: two different things.
  const notGiven = report.notRun.filter((p) => report.notGiven?.includes(p));
  const notReached = report.notRun.filter((p) => !notGiven.includes(p));
  if (notGiven.length > 0) lines.push(`  not run: ${notGiven.join(', ')} (no input given for ${notGiven.length === 1 ? 'it' : 'them'})`);
  if (notReached.length > 0) lines.push(`  not run: ${notReached.join(', ')} (the run stopped before ${notReached.length === 1 ? 'it' : 'them'})`);
  // A migration stopped by a failure goes on the same way as one stopped by a signal.
  if (!report.dryRun && report.status === 'failed' && !report.alreadyFinished) lines.push('  to go on: remove the cause (the error below), then run the same command with --resume (finished phases are not run again)');
  if (report.dryRun || t.unsent > 0) lines.push(`  plan${report.dryRun ? '' : ' for what is left'}: ${report.plan.text}`);
  if (report.alreadyFinished) lines.push(`  nothing run now: this migration finished at ${report.finishedAt} (the report above is its own); --start-over runs it again`);
  lines.push(`  state: ${report.stateDir} (report.json, and per phase its report, rejects${report.dryRun ? '' : ' and checkpoint'})`);
  return lines.join('\n');
}

export { planDelivery };

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${formatInt(Math.round(n / 1024))} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
