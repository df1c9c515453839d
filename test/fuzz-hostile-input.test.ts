// Hostile input is a test, not a hope (issue 18): fast-check generates exports of every kind in
// every format (NDJSON, array, CometChat body, bare map, mongodump BSON, Rocket.Chat mongoexport
// with --rooms/--users; plain or gzip), puts hostile values in them (broken and invalid UTF-8,
// 1 MB strings, 1e309 and 400-digit numbers, nesting 10,000 deep, __proto__ / constructor /
// prototype keys and ids), damages their bytes, and runs each through the pipeline in process
// (validate, some imports into a sandbox, some on a worker thread). Every run must end in a
// report whose counts add up, with every invalid record under a registered reason and in the
// rejects file, or stop with a registered input error (never CM_INTERNAL, never a throw); no run
// may change Object.prototype or Array.prototype or hang. The cases and the checks are in
// bench/lib/fuzz-*.ts; `node dist/bench/fuzz.js --runs N` runs many more.
//
// A failure prints fast-check's seed and path: CHATMIGRATE_FUZZ_SEED=<seed> reruns the same
// cases (CHATMIGRATE_FUZZ_RUNS sets how many).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeCase, fuzzCase } from '../bench/lib/fuzz-exports.js';
import { runFuzzCase } from '../bench/lib/fuzz-property.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';
import { tempDir } from './helpers/run.js';

const SEED = Number(process.env['CHATMIGRATE_FUZZ_SEED'] ?? 18_004);
const RUNS = Number(process.env['CHATMIGRATE_FUZZ_RUNS'] ?? 300);

test(`hostile exports: no crash, no pollution, counts add up, a registered reason or error for each (${RUNS} cases, seed ${SEED})`, { timeout: 600_000 }, async (t) => {
  t.diagnostic(`seed ${SEED}: CHATMIGRATE_FUZZ_SEED=${SEED} reproduces this run`);
  const outcomes = new Map<string, number>();
  await withSandbox({}, async (sandbox) => {
    const env = { dir: tempDir('chatmigrate-fuzz-'), sandbox: { baseUrl: sandbox.baseUrl, apiKey: SANDBOX_KEY }, timeoutMs: 10_000 };
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const r = await runFuzzCase(c, env);
        outcomes.set(`${c.command} ${r.outcome}`, (outcomes.get(`${c.command} ${r.outcome}`) ?? 0) + 1);
        assert.deepEqual(r.problems, [], describeCase(c));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  // The mix reached every way a run ends: records judged, and input refused.
  assert.ok((outcomes.get('validate some-invalid') ?? 0) > RUNS / 10, 'many runs judged records');
  assert.ok((outcomes.get('validate CM_INPUT_MALFORMED') ?? 0) > RUNS / 10, 'many runs met broken bytes');
});
