// Shapes and helpers shared by the A/B suites of `bench:check --against`: the two builds, the
// cases a suite measures (case-runner.ts runs them), one run of a build's CLI with its report
// read back, and the interleaving of both builds rep by rep.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExpectedCounts } from '../generate.js';
import type { BenchSettings } from '../lib/bench-settings.js';
import { runCliTimed, type CliRun } from '../lib/cli-launch.js';
import { onExit } from '../lib/exit-cleanup.js';

/** The `--now` every run gets, so the joinedAt rule judges alike in both builds and every rep. */
export const NOW_SECONDS = 1_767_225_600;

export interface AbBuild {
  /** `this` (the build running the check) or `ref` (the build given to --against). */
  role: 'this' | 'ref';
  label: string;
  cli: string;
}

/** What a build's executable costs before and after any record: loading its code, starting and ending a run. */
export interface FixedCost {
  ms: number;
  cpuMs: number;
}

export interface AbContext {
  settings: BenchSettings;
  /** [this, ref]. */
  builds: readonly [AbBuild, AbBuild];
  /** The fixed cost taken off every run of both builds (startup-ab.ts), so figures are throughput, as in the in-process suites. */
  fixed: FixedCost;
  log(line: string): void;
  setup(line: string): void;
}

/** A figure both builds are measured on, and how it is judged. */
export interface AbMetricSpec {
  id: string;
  suite: string;
  unit: string;
  better: 'higher' | 'lower';
  /** Allowed relative regression of this build against the ref (0.15: 15%). */
  tolerance: number;
  /**
   * How a build's samples become its figure. `best`: the best rep (other work on the machine only
   * ever adds time, so the fastest run is the closest to what the code costs); `median`: for
   * figures that noise moves both ways (a peak RSS).
   */
  estimate: 'best' | 'median';
  /** false: shown for information, never a failure (as in the committed-baseline mode: per-run peaks). */
  guarded?: boolean;
  /**
   * Timed by the wall clock: only meaningful when nothing else takes the machine's cores, so only
   * the measurements not marked DISTURBED count.
   */
  clock?: boolean;
}

/** One figure of both builds, measured interleaved on the same data. */
export interface AbMetric extends Omit<AbMetricSpec, 'estimate'> {
  this: number;
  ref: number;
  /** Samples per build behind the figures. */
  samples?: number;
  /** A clock-timed figure without an undisturbed sample of both builds: not judged. */
  busy?: boolean;
}

/** Something both builds are measured on, rep by rep; one measurement gives a value per metric. */
export interface AbCase {
  label: string;
  reps: number;
  metrics: AbMetricSpec[];
  /** One value per metric id, and DISTURBED when the case has clock-timed metrics. */
  measure(build: AbBuild): Promise<Record<string, number>>;
  /** Runs a round of measurements inside what they need (e.g. a sandbox started before, stopped after). */
  around?(round: () => Promise<void>): Promise<void>;
}

export interface AbSuite {
  name: string;
  question: string;
  /** Prepares the suite's data and setup lines and returns its cases (measured by case-runner.ts). */
  cases(ctx: AbContext): Promise<AbCase[]>;
}

/** What a run's --report says (the fields the A/B suites check). */
export interface RunReport {
  read: number;
  valid: number;
  invalid: number;
  duplicates: number;
  imported?: number;
  exitCode: number;
  status: string;
}

export interface BuildRun extends CliRun {
  report: RunReport;
}

let reportDir: string | undefined;
let reports = 0;

/**
 * Runs `chatmigrate COMMAND args...` of one build with --report (and quiet progress and logs, the
 * fixed --now); fails when the run did not finish with a report (exit 0 or 3).
 */
export async function runBuild(build: AbBuild, command: 'validate' | 'import', args: readonly string[], options: { core?: number; env?: Record<string, string> } = {}): Promise<BuildRun> {
  if (reportDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'chatmigrate-ab-reports-'));
    reportDir = dir;
    onExit(() => rmSync(dir, { recursive: true, force: true }));
  }
  const report = join(reportDir, `report-${reports++}.json`);
  const argv = [command, ...args, '--report', report, '--no-progress', '--log-level', 'warn', '--now', String(NOW_SECONDS)];
  const run = await runCliTimed(build.cli, argv, options);
  if (run.code !== 0 && run.code !== 3) throw new Error(`${build.role} build (${build.label}): \`chatmigrate ${argv.join(' ')}\` exited with ${run.code}:\n${run.stderr.slice(-1500)}`);
  let parsed: RunReport;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    rmSync(report, { force: true });
  } catch (err) {
    throw new Error(`${build.role} build (${build.label}): no readable report after \`chatmigrate ${argv.join(' ')}\`: ${(err as Error).message}`);
  }
  return { ...run, report: parsed };
}

/** A measurement is only worth comparing when the run judged the records as the generator made them. */
export function checkReportCounts(build: AbBuild, report: RunReport, expected: ExpectedCounts): void {
  const got = { read: report.read, valid: report.valid, invalid: report.invalid, duplicates: report.duplicates };
  const want = { read: expected.read, valid: expected.valid, invalid: expected.invalid, duplicates: expected.duplicates };
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${build.role} build (${build.label}) counted ${JSON.stringify(got)}, the generator wrote ${JSON.stringify(want)}`);
}

/** The sample key that marks a measurement disturbed by other work (1) or not (0); see `disturbed`. */
export const DISTURBED = '$disturbed';

/**
 * Other processes used more than this share of one core, on average, while a run was timed: its
 * wall time says as much about them as about the build. (A quiet machine stays under a few %.)
 */
export const DISTURBED_SHARE = 0.25;

/**
 * 1 when other work took the machine's CPU during `run` (its own CPU, and `ownMs` more of ours,
 * e.g. the sandbox it talked to, set aside), else 0; 0 where the machine's CPU time is unknown.
 */
export function disturbed(run: CliRun, ownMs = 0): number {
  if (run.machineCpuMs === undefined) return 0;
  return run.machineCpuMs - run.cpuMs - ownMs > DISTURBED_SHARE * run.ms ? 1 : 0;
}

/** A run's time and CPU without the fixed cost (never below 1 ms). */
export function netOf(ctx: Pick<AbContext, 'fixed'>, run: CliRun): { ms: number; cpuMs: number } {
  return { ms: Math.max(1, run.ms - ctx.fixed.ms), cpuMs: Math.max(1, run.cpuMs - ctx.fixed.cpuMs) };
}

/**
 * Runs `measure` for both builds `reps` times, interleaved: rep 1 this then ref, rep 2 ref then
 * this, and so on, so neither build always runs second (after the other warmed the page cache
 * or while the machine drifts). Returns each build's results in rep order.
 */
export async function interleave<T>(builds: readonly [AbBuild, AbBuild], reps: number, measure: (build: AbBuild) => Promise<T>): Promise<{ this: T[]; ref: T[] }> {
  const out: { this: T[]; ref: T[] } = { this: [], ref: [] };
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? builds : ([builds[1], builds[0]] as const);
    for (const build of order) out[build.role].push(await measure(build));
  }
  return out;
}
