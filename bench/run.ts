// `npm run bench`: runs the benchmark suites (all by default, or those named), prints a table,
// and writes the rows as JSON (bench/results/latest.json) for `bench:check` and RESULTS.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { parseByteSize } from './generate.js';
import type { BenchRow, BenchSuite } from './lib/types.js';
import { validateThroughput } from './suites/validate-throughput.js';
import { validateManyMembers } from './suites/validate-20m.js';
import { dedupeSuite } from './suites/dedupe-suite.js';
import { importSuite } from './suites/import-throughput.js';
import { resumeSpeed } from './suites/resume-speed.js';

const DEFAULT_SUITES: BenchSuite[] = [validateThroughput, dedupeSuite, importSuite, resumeSpeed];
const OPT_IN_SUITES: BenchSuite[] = [validateManyMembers(20_000_000)];

const { values, positionals } = parseArgs({
  options: { size: { type: 'string', default: '1GB' }, reps: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results/latest.json' }, help: { type: 'boolean' } },
  allowPositionals: true,
});
if (values.help) {
  process.stdout.write(
    `Usage: npm run bench -- [SUITE...] [--size 1GB] [--reps 3] [--out FILE]\n\nSuites (default: ${DEFAULT_SUITES.map((s) => s.name).join(', ')}; opt-in: ${OPT_IN_SUITES.map((s) => s.name).join(', ')}):\n` +
      [...DEFAULT_SUITES, ...OPT_IN_SUITES].map((s) => `  ${s.name.padEnd(16)} ${s.question}`).join('\n') +
      '\n',
  );
  process.exit(0);
}
const sizeBytes = parseByteSize(values.size!);
if (sizeBytes === undefined) throw new Error(`--size expects a size like 1GB or 200MB, got ${JSON.stringify(values.size)}`);
const reps = Number(values.reps);
const all = [...DEFAULT_SUITES, ...OPT_IN_SUITES];
const chosen = positionals.length === 0 ? DEFAULT_SUITES : positionals.map((n) => all.find((s) => s.name === n) ?? fail(`unknown suite ${n}; known: ${all.map((s) => s.name).join(', ')}`));

function fail(message: string): never {
  process.stderr.write(message + '\n');
  process.exit(2);
}

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', date: new Date().toISOString() };
process.stderr.write(`chatmigrate bench: ${machine.cpus} cores (${machine.cpu}), Node ${machine.node}, size ${values.size}, reps ${reps}\n`);
const rows: BenchRow[] = [];
for (const suite of chosen) {
  process.stderr.write(`\n# ${suite.name}: ${suite.question}\n`);
  const started = performance.now();
  rows.push(...(await suite.run({ sizeBytes, reps, log: (l) => process.stderr.write(`  ${l}\n`) })));
  process.stderr.write(`  (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

const table = [
  '| bench | case | value | baseline | ratio | target | pass |',
  '|---|---|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.bench} | ${r.case} | ${fmt(r.value)} ${r.unit} | ${r.baseline === undefined ? '' : fmt(r.baseline)} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'yes' : 'NO'} |`),
].join('\n');
process.stdout.write(`\n${table}\n`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(values.out!, JSON.stringify({ machine, size: values.size, reps, rows }, null, 2) + '\n');
process.stderr.write(`\nwrote ${values.out}\n`);
process.exitCode = rows.some((r) => r.pass === false) ? 1 : 0;

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}
