// bench:check end to end with real child processes: a baseline written from a real (small)
// validate benchmark run, a fresh run of the same build that passes against it, and a
// deliberately slowed copy of the build (a busy-wait per record in the block function) that fails,
// naming the metric. Noise-proof by design: the slowdown is several times the whole validation
// cost, the tolerance is a generous 50%, and floor and validate alternate on the same pinned core.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Baseline } from '../bench/lib/baseline.js';
import type { BenchResults } from '../bench/lib/types.js';
import { copyBuild, slowBlocks } from './helpers/build-copy.js';

const ROOT = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));
const METRIC = 'validate/ndjson/workers-0';
/** Busy-wait per record: ~30× what validating a record costs, so the ratio falls far below any noise. */
const SPIN_MS = 0.2;
const SUITE = ['validate', '--size', '3MB', '--reps', '3', '--formats', 'ndjson', '--workers', '0'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A copy of the build that spins SPIN_MS per record in the block function (test/helpers/build-copy.ts). */
function slowedBuild(dir: string): string {
  copyBuild(ROOT, dir);
  slowBlocks(dir, SPIN_MS);
  return join(dir, 'dist', 'bench', 'check.js');
}

test('bench:check passes on the build its baseline came from and fails on a slowed build, naming the metric', { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-check-'));
  try {
    const work = join(tmp, 'work'); // cwd of every run: .bench-data/ and results land here
    mkdirSync(work);
    const check = join(ROOT, 'dist', 'bench', 'check.js');
    const slowCheck = slowedBuild(join(tmp, 'slow'));

    // 1. A real benchmark run and a baseline from it.
    const first = await run(join(ROOT, 'dist', 'bench', 'run.js'), [...SUITE, '--out', 'first.json'], work);
    assert.ok(first.code === 0 || first.code === 1, `bench run exited ${first.code}: ${first.stderr.slice(-1000)}`);
    const written = await run(check, ['--write-baseline', '--results', 'first.json', '--baseline', 'baseline.json', '--tolerance', '0.5'], work);
    assert.equal(written.code, 0, written.stderr);
    const baseline = JSON.parse(readFileSync(join(work, 'baseline.json'), 'utf8')) as Baseline;
    const metric = baseline.metrics[METRIC];
    assert.ok(metric, `baseline lacks ${METRIC}: ${Object.keys(baseline.metrics).join(', ')}`);
    assert.equal(metric.better, 'higher');
    assert.equal(metric.tolerance, 0.5);
    assert.ok(metric.value > 0 && metric.value < 3, `ratio ${metric.value}`);
    assert.deepEqual(baseline.settings.suites, ['validate']);

    // 2. The same build, measured again by bench:check itself (it re-runs the baseline's settings): passes.
    const pass = await run(check, ['--baseline', 'baseline.json', '--out', 'again.json'], work);
    assert.equal(pass.code, 0, `${pass.stdout}\n${pass.stderr.slice(-1000)}`);
    assert.match(pass.stdout, new RegExp(`\\| ${METRIC} \\| higher \\|.*\\| ok \\|`));
    assert.match(pass.stdout, /passed: \d+ metrics within tolerance/);

    // 3. The slowed build: fails, and says which metric.
    const fail = await run(slowCheck, ['--baseline', 'baseline.json', '--out', 'slow.json'], work);
    assert.equal(fail.code, 1, `${fail.stdout}\n${fail.stderr.slice(-1000)}`);
    assert.match(fail.stdout, new RegExp(`\\| ${METRIC} \\| higher \\|.*\\| REGRESSED \\|`));
    assert.match(fail.stdout, new RegExp(`FAILED: .*${METRIC} regressed`));
    // The guard caught a real slowdown (the spin ran), not a broken run: counts were checked by the suite.
    const slow = JSON.parse(readFileSync(join(work, 'slow.json'), 'utf8')) as BenchResults;
    const slowRatio = slow.rows.find((r) => r.id === METRIC)!.guard!.value;
    assert.ok(slowRatio < metric.value * 0.5, `slowed ratio ${slowRatio} vs baseline ${metric.value}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
