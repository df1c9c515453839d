// `npm run bench:check -- --against GIT_REF|DIR`: guards a change against the build it changes,
// on the same machine in the same run. Builds the ref (ref-build.ts), then this build's harness
// drives both builds' executables interleaved on the same generated files (bench/ab/), and fails
// only when this build is worse than the ref by more than a metric's tolerance, in a first round
// of measurements and again once its cases were measured more (case-runner.ts).

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importAb } from './ab/import-ab.js';
import { resumeAb } from './ab/resume-ab.js';
import { rssAb } from './ab/rss-ab.js';
import { validateAb } from './ab/validate-ab.js';
import { DISTURBED_SHARE, type AbBuild, type AbSuite } from './ab/ab-context.js';
import { confirmationReps, describeCase, disturbedCount, figuresOf, measureCase, type CaseSamples } from './ab/case-runner.js';
import { fixedCostOf, startupCase, STARTUP_QUESTION } from './ab/startup-ab.js';
import { compareBuilds, formatAbTable } from './lib/ab-compare.js';
import { DEFAULT_SETTINGS, resolveSettings, type BenchSettings } from './lib/bench-settings.js';
import { HAS_TASKSET } from './lib/measure.js';
import { describeCheckout, prepareRef, RefBuildError } from './lib/ref-build.js';
import { CLI } from './lib/sandbox-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const AB_SUITES: readonly AbSuite[] = [validateAb, importAb, rssAb, resumeAb];
/** Suites of `npm run bench` that A/B mode does not run, and why. */
export const NOT_IN_AB: Readonly<Record<string, string>> = {
  parse: "its probe calls the splitter module directly, a build internal; the splitters' speed is part of validate's figures",
  dedupe: "its probe builds the dedupe index directly, a build internal; the index's cost is part of validate's figures",
  'validate-20m': 'opt-in capacity check (20M members, ~minutes per build), not a speed comparison',
};

export class AbUsageError extends Error {}

export interface AbCheckOptions {
  against: string;
  /** Suite names given on the command line (none: the baseline's suites). */
  suites: string[];
  /** Settings given on the command line, raw, overriding the baseline's. */
  settings: Partial<Record<string, string>>;
  /** The committed baseline's settings, when there is a baseline. */
  baselineSettings: BenchSettings | undefined;
  tolerance: number | undefined;
  out: string;
}

/** Runs the A/B check; returns the exit code (0 passed, 1 regressed). Throws AbUsageError on misuse. */
export async function runAbCheck(o: AbCheckOptions): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const wanted = o.suites.length > 0 ? o.suites : (o.baselineSettings?.suites ?? AB_SUITES.map((s) => s.name));
  for (const name of wanted) {
    if (!AB_SUITES.some((s) => s.name === name) && !(name in NOT_IN_AB)) throw new AbUsageError(`unknown suite ${JSON.stringify(name)}; A/B mode runs ${AB_SUITES.map((s) => s.name).join(', ')}`);
  }
  const settings = abSettings(o, wanted);
  const chosen = AB_SUITES.filter((s) => wanted.includes(s.name));
  const notes: string[] = wanted.filter((n) => n in NOT_IN_AB).map((n) => `${n}: skipped in A/B mode (${NOT_IN_AB[n]})`);

  const started = performance.now();
  const thisLabel = await describeCheckout(ROOT);
  let ref;
  try {
    ref = await prepareRef(o.against, { root: ROOT, log });
  } catch (err) {
    if (err instanceof RefBuildError) throw new AbUsageError(err.message);
    throw err;
  }
  try {
    const builds: readonly [AbBuild, AbBuild] = [
      { role: 'this', label: thisLabel, cli: CLI },
      { role: 'ref', label: ref.label, cli: ref.cli },
    ];
    log(
      `bench:check A/B: this ${thisLabel} vs ref ${ref.label}; ${cpus().length} cores, Node ${process.version}, pinning ${HAS_TASKSET ? 'with taskset' : 'unavailable (taskset missing)'}\n` +
        `settings: suites ${chosen.map((s) => s.name).join(',') || '(none)'}, size ${settings.size}, large ${settings.large}, reps ${settings.reps}, formats ${settings.formats.join(',')}, workers ${settings.workers.join(',')}, quota run ${settings.quotaSeconds} s`,
    );
    const setups: Record<string, string[]> = { startup: [] };
    log(`\n# startup: ${STARTUP_QUESTION}`);
    const startupSetup = (l: string) => {
      setups['startup']!.push(l);
      log(`  setup: ${l}`);
    };
    const first = await startupCase({ settings, setup: startupSetup });
    const startup = await measureCase(first, builds, first.reps);
    log(`  ${describeCase(startup)}`);
    const fixed = fixedCostOf(startup);
    log(`  taken off every run below: ${fixed.ms.toFixed(0)} ms, ${fixed.cpuMs.toFixed(0)} ms CPU`);
    const measured: CaseSamples[] = [startup];
    for (const suite of chosen) {
      log(`\n# ${suite.name}: ${suite.question}`);
      const t0 = performance.now();
      const setup: string[] = (setups[suite.name] = []);
      const cases = await suite.cases({
        settings,
        builds,
        fixed,
        log: (l) => log(`  ${l}`),
        setup: (l) => {
          setup.push(l);
          log(`  setup: ${l}`);
        },
      });
      for (const c of cases) {
        const samples = await measureCase(c, builds, c.reps);
        measured.push(samples);
        log(`  ${describeCase(samples)}`);
      }
      log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
    const judge = () => compareBuilds(measured.flatMap(figuresOf), o.tolerance);
    let rows = judge();
    // A regression must survive a second look: its cases are measured again, pooled with the first round.
    const suspects = measured.filter((m) => figuresOf(m).some((f) => rows.find((r) => r.id === f.id)?.verdict === 'REGRESSED'));
    if (suspects.length > 0) {
      log(`\n# confirming: ${suspects.map((m) => m.case.label).join(', ')} (more reps, pooled with the first round)`);
      const before = new Set(rows.filter((r) => r.verdict === 'REGRESSED').map((r) => r.id));
      for (const m of suspects) {
        await measureCase(m.case, builds, confirmationReps(m.case), m);
        log(`  ${describeCase(m)}`);
      }
      rows = judge();
      const cleared = [...before].filter((id) => rows.find((r) => r.id === id)?.verdict === 'ok');
      const held = [...before].filter((id) => !cleared.includes(id));
      notes.push(`measured again before judging (${suspects.map((m) => m.case.label).join(', ')}): ${held.length > 0 ? `still regressed: ${held.join(', ')}` : 'none still regressed'}${cleared.length > 0 ? `; within tolerance once pooled: ${cleared.join(', ')}` : ''}`);
    }
    // Other work on the machine slows whichever build runs at that moment: clock-timed figures count only undisturbed runs.
    const counts = measured.map(disturbedCount);
    const disturbedRuns = counts.reduce((n, c) => n + c.disturbed, 0);
    if (disturbedRuns > 0) {
      const unjudged = rows.filter((r) => r.verdict === 'busy');
      notes.push(
        `other work used the machine during ${disturbedRuns} of ${counts.reduce((n, c) => n + c.runs, 0)} timed runs (over ${DISTURBED_SHARE * 100}% of a core besides the run; load average now ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores): ` +
          `figures timed by the clock count only the other runs${unjudged.length > 0 ? `; not judged, no undisturbed run of a build: ${unjudged.map((r) => `${r.id} ${r.change.toFixed(2)}x`).join(', ')}` : ''}. Run it on a machine doing nothing else`,
      );
    }
    const metrics = measured.flatMap(figuresOf);
    const regressed = rows.filter((r) => r.verdict === 'REGRESSED');
    const seconds = Math.round((performance.now() - started) / 1000);
    process.stdout.write(
      `bench:check --against ${o.against}: this ${thisLabel} vs ref ${ref.label}, measured interleaved in one run (${seconds} s)\n` +
        notes.map((n) => `note: ${n}\n`).join('') +
        `\n${formatAbTable(rows)}\n\n` +
        (regressed.length > 0
          ? `FAILED: ${regressed.map((r) => `${r.id} regressed (${r.change.toFixed(2)}x the ref)`).join(', ')}\n`
          : `passed: ${rows.filter((r) => r.verdict === 'ok').length} metrics within tolerance of the ref\n`),
    );
    const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', platform: platform(), date: new Date().toISOString(), taskset: HAS_TASKSET };
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify({ schema: 1, kind: 'ab', machine, settings, this: thisLabel, ref: ref.label, against: o.against, seconds, setup: setups, notes, metrics, rows, samples: measured.map((m) => ({ case: m.case.label, this: m.this, ref: m.ref })) }, null, 2) + '\n');
    log(`wrote ${o.out}`);
    return regressed.length > 0 ? 1 : 0;
  } finally {
    ref.dispose();
  }
}

/** The baseline's settings (the defaults without a baseline), with those given on the command line on top. */
function abSettings(o: AbCheckOptions, suites: string[]): BenchSettings {
  const base = o.baselineSettings ?? { ...DEFAULT_SETTINGS, suites };
  const raw = {
    size: base.size,
    large: base.large,
    keys: base.keys,
    reps: String(base.reps),
    formats: base.formats.join(','),
    workers: base.workers.join(','),
    'quota-seconds': String(base.quotaSeconds),
    ...Object.fromEntries(Object.entries(o.settings).filter(([, v]) => v !== undefined)),
  };
  try {
    return resolveSettings(raw, suites);
  } catch (err) {
    throw new AbUsageError((err as Error).message);
  }
}
