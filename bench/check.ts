// `npm run bench:check`: guards throughput in CI. Runs the benchmark suite with the settings
// stored in bench/baseline.json (or reads a results file given with --results), compares every
// guarded metric with the baseline, prints metric / baseline / now / allowed / verdict, and exits
// 1 when any metric regressed beyond its tolerance (or went missing), 0 otherwise, 2 on misuse.
// `--write-baseline` (npm run bench:baseline) writes the baseline from a results file or a fresh run.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkFailed, compareWithBaseline, createBaseline, formatCheckTable, settingsDifferences, type Baseline } from './lib/baseline.js';
import { SETTINGS_HELP, SETTINGS_OPTIONS, settingsToArgs } from './lib/bench-settings.js';
import type { BenchResults } from './lib/types.js';

const RUNNER = fileURLToPath(new URL('./run.js', import.meta.url));
const HELP = `Usage:
  npm run bench:check [-- --results FILE] [--baseline FILE] [--out FILE]
      Runs the suite with the baseline's settings (or reads FILE) and compares every guarded
      metric with the baseline. Exit 0: all within tolerance; 1: a metric regressed or is missing;
      2: usage error or the suite failed to run.
  npm run bench:baseline [-- --results FILE] [--tolerance 0.15] [--note TEXT] [SUITE...] [settings]
      Writes the baseline from FILE, or from a fresh run with the given settings.

Options:
  --results FILE     a results file written by \`npm run bench\` (default: run the suite now)
  --baseline FILE    the baseline (default bench/baseline.json)
  --out FILE         where a fresh run writes its results (default bench/results/check.json)
  --write-baseline   write the baseline instead of checking against it
  --tolerance X      with --write-baseline: one tolerance for every metric (default: each suite's own)
  --note TEXT        with --write-baseline: a note kept in the file (e.g. how quiet the machine was)

${SETTINGS_HELP}`;

const { values, positionals } = parseArgs({
  options: {
    ...SETTINGS_OPTIONS,
    results: { type: 'string' },
    baseline: { type: 'string', default: 'bench/baseline.json' },
    out: { type: 'string', default: 'bench/results/check.json' },
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

if (values['write-baseline']) {
  const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
  if (tolerance !== undefined && !(tolerance >= 0 && tolerance < 1)) usage(`--tolerance expects a share from 0 to 1 (e.g. 0.15), got ${JSON.stringify(values.tolerance)}`);
  const results = values.results ? readResults(values.results) : await runSuite([...positionals, ...settingArgs]);
  const baseline = createBaseline(results, tolerance);
  if (values.note) baseline.about = `${values.note} — ${baseline.about}`;
  mkdirSync(dirname(baselinePath), { recursive: true });
  writeFileSync(baselinePath, JSON.stringify(baseline, null, 2) + '\n');
  process.stdout.write(`wrote ${baselinePath}: ${Object.keys(baseline.metrics).length} guarded metrics from ${values.results ?? values.out} (${results.machine.date}, Node ${results.machine.node})\n`);
  process.exit(0);
}

if (positionals.length > 0 || settingArgs.length > 0) usage('a check runs the settings stored in the baseline; pass settings only with --write-baseline (or check a results file with --results)');
if (!existsSync(baselinePath)) usage(`no baseline at ${baselinePath}: write one with \`npm run bench:baseline -- --results FILE\``);
let baseline: Baseline;
try {
  baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as Baseline;
  if (baseline.schema !== 1 || typeof baseline.metrics !== 'object' || !baseline.settings) throw new Error('expected { schema: 1, settings, metrics }');
} catch (err) {
  usage(`${baselinePath} is not a baseline file: ${(err as Error).message}`);
}
const results = values.results ? readResults(values.results) : await runSuite(settingsToArgs(baseline.settings));
const differences = settingsDifferences(baseline.settings, results.settings);
const rows = compareWithBaseline(results, baseline);
const failed = checkFailed(rows);
process.stdout.write(
  `bench:check: ${values.results ?? values.out} (${results.machine.date}, Node ${results.machine.node}, ${results.machine.cpus} cores) against ${baselinePath} (${baseline.source.date}, Node ${baseline.source.node})\n` +
    (differences.length > 0 ? `warning: settings differ, figures may not be comparable: ${differences.join('; ')}\n` : '') +
    `\n${formatCheckTable(rows)}\n\n` +
    (failed
      ? `FAILED: ${rows.filter((r) => r.verdict === 'REGRESSED' || r.verdict === 'MISSING').map((r) => `${r.id} ${r.verdict.toLowerCase()}`).join(', ')}\n`
      : `passed: ${rows.filter((r) => r.verdict === 'ok').length} metrics within tolerance\n`),
);
process.exitCode = failed ? 1 : 0;

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
  const out = values.out!;
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
