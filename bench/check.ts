// `npm run bench:check`: guards throughput in CI. Runs the benchmark suite with the settings
// stored in bench/baseline.json (or reads a results file given with --results), compares every
// guarded metric with the baseline, prints metric / baseline / now / allowed / verdict, and exits
// 1 when any metric regressed beyond its tolerance (or went missing), 0 otherwise, 2 on misuse.
// `--write-baseline` (npm run bench:baseline) writes the baseline from a results file or a fresh run.
// `--against GIT_REF|DIR` compares this build with another one instead, in the same run (ab-check.ts).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AbUsageError, runAbCheck } from './ab-check.js';
import { checkFailed, compareWithBaseline, createBaseline, formatCheckTable, settingsDifferences, type Baseline } from './lib/baseline.js';
import { SETTINGS_HELP, SETTINGS_OPTIONS, settingsToArgs } from './lib/bench-settings.js';
import type { BenchResults } from './lib/types.js';

const RUNNER = fileURLToPath(new URL('./run.js', import.meta.url));
const HELP = `Usage:
  npm run bench:check [-- --results FILE] [--baseline FILE] [--out FILE]
      Runs the suite with the baseline's settings (or reads FILE) and compares every guarded
      metric with the baseline. Exit 0: all within tolerance; 1: a metric regressed or is missing;
      2: usage error or the suite failed to run.
  npm run bench:check -- --against GIT_REF|DIR [SUITE...] [settings] [--tolerance X] [--out FILE]
      Builds GIT_REF (a branch, tag or commit of this repository) in a temporary directory, or
      takes DIR (a checkout already built), and runs both builds' executables interleaved on the
      same generated data. Exit 1 only when this build is worse than the ref beyond a metric's
      tolerance; 2 on a usage error or a run that crashed. Settings default to the baseline's;
      A/B mode runs the suites validate, import, rss and resume (parse and dedupe probe build
      internals and are skipped). Results: bench/results/ab-check.json.
  npm run bench:baseline [-- --results FILE] [--tolerance 0.15] [--note TEXT] [SUITE...] [settings]
      Writes the baseline from FILE, or from a fresh run with the given settings.

Options:
  --results FILE     a results file written by \`npm run bench\` (default: run the suite now)
  --baseline FILE    the baseline (default bench/baseline.json)
  --out FILE         where a fresh run writes its results (default bench/results/check.json)
  --against REF      compare with another build (a git ref or a built checkout's directory)
  --write-baseline   write the baseline instead of checking against it
  --tolerance X      with --write-baseline or --against: one tolerance for every metric (default: each suite's own)
  --note TEXT        with --write-baseline: a note kept in the file (e.g. how quiet the machine was)

${SETTINGS_HELP}`;

const { values, positionals } = parseArgs({
  options: {
    ...SETTINGS_OPTIONS,
    results: { type: 'string' },
    baseline: { type: 'string', default: 'bench/baseline.json' },
    out: { type: 'string' },
    against: { type: 'string' },
    'write-baseline': { type: 'boolean' },
    tolerance: { type: 'string' },
    note: { type: 'string' },
    help: { type: 'boolean' },
  },
  allowPositionals: true,
});

function usage(message: string): never {
  process.stderr.write(`bench:check: ${message}\n`);
  process.exit(2);
}

if (values.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
const settingArgs = Object.keys(SETTINGS_OPTIONS).flatMap((k) => {
  const v = values[k as keyof typeof SETTINGS_OPTIONS];
  return v === undefined ? [] : [`--${k}`, v];
});
const baselinePath = values.baseline!;
const out = values.out ?? 'bench/results/check.json';
const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
if (tolerance !== undefined && !(tolerance >= 0 && tolerance < 1)) usage(`--tolerance expects a share from 0 to 1 (e.g. 0.15), got ${JSON.stringify(values.tolerance)}`);

if (values.against !== undefined) {
  if (values.results !== undefined || values['write-baseline']) usage('--against measures both builds now: it cannot be combined with --results or --write-baseline');
  try {
    process.exitCode = await runAbCheck({
      against: values.against,
      suites: positionals,
      settings: Object.fromEntries(Object.keys(SETTINGS_OPTIONS).map((k) => [k, values[k as keyof typeof SETTINGS_OPTIONS]])),
      baselineSettings: existsSync(baselinePath) ? readBaseline().settings : undefined,
      tolerance,
      out: values.out ?? 'bench/results/ab-check.json',
    });
  } catch (err) {
    if (err instanceof AbUsageError) usage(err.message);
    process.stderr.write(`bench:check --against: the comparison could not be run: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  }
  process.exit();
}

if (values['write-baseline']) {
  const results = values.results ? readResults(values.results) : await runSuite([...positionals, ...settingArgs]);
  const baseline = createBaseline(results, tolerance);
  if (values.note) baseline.about = `${values.note} — ${baseline.about}`;
  mkdirSync(dirname(baselinePath), { recursive: true });
  writeFileSync(baselinePath, JSON.stringify(baseline, null, 2) + '\n');
  process.stdout.write(`wrote ${baselinePath}: ${Object.keys(baseline.metrics).length} guarded metrics from ${values.results ?? out} (${results.machine.date}, Node ${results.machine.node})\n`);
  process.exit(0);
}

if (positionals.length > 0 || settingArgs.length > 0) usage('a check runs the settings stored in the baseline; pass settings only with --write-baseline (or check a results file with --results)');
if (!existsSync(baselinePath)) usage(`no baseline at ${baselinePath}: write one with \`npm run bench:baseline -- --results FILE\``);
const baseline = readBaseline();
const results = values.results ? readResults(values.results) : await runSuite(settingsToArgs(baseline.settings));
const differences = settingsDifferences(baseline.settings, results.settings);
const rows = compareWithBaseline(results, baseline);
const failed = checkFailed(rows);
process.stdout.write(
  `bench:check: ${values.results ?? out} (${results.machine.date}, Node ${results.machine.node}, ${results.machine.cpus} cores) against ${baselinePath} (${baseline.source.date}, Node ${baseline.source.node})\n` +
    (differences.length > 0 ? `warning: settings differ, figures may not be comparable: ${differences.join('; ')}\n` : '') +
    `\n${formatCheckTable(rows)}\n\n` +
    (failed
      ? `FAILED: ${rows.filter((r) => r.verdict === 'REGRESSED' || r.verdict === 'MISSING').map((r) => `${r.id} ${r.verdict.toLowerCase()}`).join(', ')}\n`
      : `passed: ${rows.filter((r) => r.verdict === 'ok').length} metrics within tolerance\n`),
);
process.exitCode = failed ? 1 : 0;

function readBaseline(): Baseline {
  try {
    const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as Baseline;
    if (baseline.schema !== 1 || typeof baseline.metrics !== 'object' || !baseline.settings) throw new Error('expected { schema: 1, settings, metrics }');
    return baseline;
  } catch (err) {
    usage(`${baselinePath} is not a baseline file: ${(err as Error).message}`);
  }
}

function readResults(path: string): BenchResults {
  let results: BenchResults;
  try {
    results = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  } catch (err) {
    usage(`cannot read results ${path}: ${(err as Error).message}`);
  }
  if (results.schema !== 1 || !Array.isArray(results.rows) || !results.settings) usage(`${path} is not a results file of \`npm run bench\` (schema 1)`);
  return results;
}

/** Runs `npm run bench` in a child process (its table goes to stderr) and reads what it wrote. */
async function runSuite(args: string[]): Promise<BenchResults> {
  const argv = [RUNNER, ...args, '--out', out];
  process.stderr.write(`bench:check: node ${argv.join(' ')}\n`);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(process.stderr);
    child.on('error', reject);
    child.on('close', resolve);
  });
  // Exit 1 means "a target of the issue was missed": a finding of the run, not a failure to run.
  if (code !== 0 && code !== 1) usage(`the benchmark run exited with ${code}`);
  const results = readResults(out);
  if (Date.parse(results.machine.date) < started - 1000) usage(`${out} was not rewritten by the run`);
  return results;
}
