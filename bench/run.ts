// `npm run bench`: runs the benchmark suites (the default set, or those named), prints each
// suite's question and setup and a table, and writes everything as JSON (bench/results/latest.json)
// for `npm run bench:check` and bench/RESULTS.md. Exit code 1 when a row misses its target.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveSettings, SETTINGS_HELP, SETTINGS_OPTIONS } from './lib/bench-settings.js';
import { HAS_TASKSET } from './lib/measure.js';
import { formatResultsTable } from './lib/results-table.js';
import type { BenchResults, BenchSuite, SuiteResult } from './lib/types.js';
import { dedupeSuite } from './suites/dedupe-suite.js';
import { importSuite } from './suites/import-throughput.js';
import { kindsThroughput } from './suites/kinds-throughput.js';
import { messagesLarge } from './suites/messages-1g.js';
import { migrateMessages } from './suites/migrate-messages.js';
import { parseThroughput } from './suites/parse-throughput.js';
import { resumeSpeed } from './suites/resume-speed.js';
import { rssFlat } from './suites/rss-flat.js';
import { validateManyMembers } from './suites/validate-20m.js';
import { validateThroughput } from './suites/validate-throughput.js';
import { validateRich } from './suites/validate-rich.js';

/** The default suite must finish within this on a quiet 2-core machine (issue 6), data generation included. */
export const BUDGET_SECONDS = 600;
const DEFAULT_SUITES: BenchSuite[] = [parseThroughput, validateThroughput, validateRich, dedupeSuite, importSuite, kindsThroughput, rssFlat, resumeSpeed];
const OPT_IN_SUITES: BenchSuite[] = [validateManyMembers(20_000_000), migrateMessages, messagesLarge];
const ALL = [...DEFAULT_SUITES, ...OPT_IN_SUITES];

const { values, positionals } = parseArgs({ options: { ...SETTINGS_OPTIONS, out: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
if (values.help) {
  process.stdout.write(
    `Usage: npm run bench -- [SUITE...] [settings] [--out FILE]\n\n` +
      `Suites (default: ${DEFAULT_SUITES.map((s) => s.name).join(', ')}; opt-in: ${OPT_IN_SUITES.map((s) => s.name).join(', ')}):\n` +
      ALL.map((s) => `  ${s.name.padEnd(14)} ${s.question}`).join('\n') +
      `\n\n${SETTINGS_HELP}\n  --out FILE           results JSON (default bench/results/latest.json)\n\n` +
      `The default suite at default settings is budgeted at ${BUDGET_SECONDS / 60} minutes on a quiet 2-core machine.\n`,
  );
  process.exit(0);
}
for (const name of positionals) if (!ALL.some((s) => s.name === name)) fail(`unknown suite ${JSON.stringify(name)}; known: ${ALL.map((s) => s.name).join(', ')}`);
const chosen = positionals.length === 0 ? DEFAULT_SUITES : positionals.map((n) => ALL.find((s) => s.name === n)!);
let settings;
try {
  settings = resolveSettings(values, chosen.map((s) => s.name));
} catch (err) {
  fail((err as Error).message);
}
const out = values.out ?? 'bench/results/latest.json';

function fail(message: string): never {
  process.stderr.write(message + '\n');
  process.exit(2);
}

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', platform: platform(), date: new Date().toISOString(), taskset: HAS_TASKSET };
process.stderr.write(
  `chatmigrate bench: ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, pinning ${HAS_TASKSET ? 'with taskset' : 'unavailable (taskset missing)'}\n` +
    `settings: size ${settings.size}, large ${settings.large}, keys ${settings.keys}, reps ${settings.reps}, formats ${settings.formats.join(',')}, workers ${settings.workers.join(',')}, quota run ${settings.quotaSeconds} s\n` +
    `budget: the default suite at default settings takes under ${BUDGET_SECONDS / 60} minutes on a quiet 2-core machine\n`,
);
const started = performance.now();
const results: BenchResults = { schema: 1, machine, settings, budget: { seconds: BUDGET_SECONDS, elapsedSeconds: 0 }, suites: [], rows: [] };
for (const suite of chosen) {
  process.stderr.write(`\n# ${suite.name}: ${suite.question}\n`);
  const t0 = performance.now();
  const entry: SuiteResult = { name: suite.name, question: suite.question, setup: [], seconds: 0 };
  const rows = await suite.run({
    settings,
    log: (l) => process.stderr.write(`  ${l}\n`),
    setup: (l) => {
      entry.setup.push(l);
      process.stderr.write(`  setup: ${l}\n`);
    },
  });
  results.rows.push(...rows.map((r) => ({ suite: suite.name, ...r })));
  entry.seconds = Math.round((performance.now() - t0) / 100) / 10;
  results.suites.push(entry);
  process.stderr.write(`  (${entry.seconds.toFixed(0)} s)\n`);
}
results.budget.elapsedSeconds = Math.round((performance.now() - started) / 100) / 10;

process.stdout.write(`\n${formatResultsTable(results)}\n`);
const over = results.budget.elapsedSeconds > BUDGET_SECONDS;
process.stdout.write(`\ntotal ${results.budget.elapsedSeconds.toFixed(0)} s (budget ${BUDGET_SECONDS} s${over ? ': OVER' : ''}); ${results.suites.map((s) => `${s.name} ${s.seconds.toFixed(0)} s`).join(', ')}\n`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
process.stderr.write(`wrote ${out}\n`);
process.exitCode = results.rows.some((r) => r.pass === false) ? 1 : 0;
