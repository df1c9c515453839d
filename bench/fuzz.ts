// Bench-style long run of the hostile-input property (npm test runs a few hundred cases of it in
// test/fuzz-hostile-input.test.ts). Generates --runs cases from --seed, runs each in process
// (imports against an in-process sandbox), and prints the outcomes, the time per case, and every
// distinct problem with the case that showed it first (--only INDEX reruns one case of a seed).
// --shrink instead runs fast-check's assert, which stops at the first failure and shrinks it.
// Run from the repository root (the seeds are read from fixtures/):
//
//   node dist/bench/fuzz.js --runs 5000 [--seed 1] [--timeout-ms 10000] [--only INDEX] [--shrink]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { startSandbox } from '../src/sandbox/index.js';
import { fuzzCase, describeCase } from './lib/fuzz-exports.js';
import { runFuzzCase } from './lib/fuzz-property.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, 'timeout-ms': { type: 'string' }, only: { type: 'string' }, shrink: { type: 'boolean' } } });
const runs = Number(values.runs ?? 1000);
const seed = Number(values.seed ?? process.env['CHATMIGRATE_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const timeoutMs = Number(values['timeout-ms'] ?? 10_000);
const log = (line: string): void => void process.stdout.write(line + '\n');

const API_KEY = 'fuzz-bench-key';
const sandbox = await startSandbox({ apiKey: API_KEY, rpm: 0 });
const dir = mkdtempSync(join(tmpdir(), 'cm-fuzz-'));
const env = { dir, sandbox: { baseUrl: sandbox.baseUrl, apiKey: API_KEY }, timeoutMs };
let failed = false;
try {
  log(`seed ${seed}, ${runs} runs (CHATMIGRATE_FUZZ_SEED=${seed} reproduces them)`);
  if (values.shrink) {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const { problems } = await runFuzzCase(c, env);
        if (problems.length > 0) throw new Error(`${describeCase(c)}\n${problems.join('\n')}`);
      }),
      { numRuns: runs, seed },
    );
  } else {
    const cases = fc.sample(fuzzCase, { numRuns: runs, seed });
    const only = values.only === undefined ? undefined : Number(values.only);
    const outcomes = new Map<string, number>();
    const problems = new Map<string, { first: number; count: number; detail: string; what: string }>();
    const times: number[] = [];
    const started = performance.now();
    for (let i = 0; i < cases.length; i++) {
      if (only !== undefined && i !== only) continue;
      const c = cases[i]!;
      if (only !== undefined) log(`case ${i}: ${describeCase(c)}\n${fc.stringify(c)}`);
      const r = await runFuzzCase(c, env);
      times.push(r.ms);
      if (r.ms > 2000) log(`  slow: case ${i} took ${(r.ms / 1000).toFixed(1)} s (${r.outcome}): ${describeCase(c)}`);
      const key = `${c.command} ${r.outcome || 'threw'}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      for (const p of r.problems) {
        // One entry per kind of problem: its first line without the numbers in it.
        const sig = p.split('\n')[0]!.replace(/\d+/g, 'N').slice(0, 160);
        const seen = problems.get(sig);
        if (seen) seen.count++;
        else problems.set(sig, { first: i, count: 1, detail: p.slice(0, 3000), what: describeCase(c) });
      }
      if ((i + 1) % 500 === 0) log(`  ${i + 1} cases, ${problems.size} distinct problems, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    times.sort((a, b) => a - b);
    const total = times.reduce((a, b) => a + b, 0);
    log(`${times.length} cases in ${(total / 1000).toFixed(1)} s: median ${times[Math.floor(times.length / 2)]?.toFixed(1)} ms, p99 ${times[Math.floor(times.length * 0.99)]?.toFixed(1)} ms, max ${times.at(-1)?.toFixed(1)} ms`);
    log('outcomes:');
    for (const [k, n] of [...outcomes].sort((a, b) => b[1] - a[1])) log(`  ${String(n).padStart(6)}  ${k}`);
    log(problems.size === 0 ? 'no problem found' : `${problems.size} distinct problems:`);
    for (const [sig, p] of problems) {
      failed = true;
      log(`\n* ${sig}\n  ${p.count}× — first: case ${p.first} (--seed ${seed} --only ${p.first}): ${p.what}\n  ${p.detail.replace(/\n/g, '\n  ')}`);
    }
  }
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
