// `bench:check --against` end to end with real builds and child processes, on a tiny suite
// (validate, 10 MB NDJSON, one rep, --workers 0): against the git HEAD of this checkout, built in
// a temporary directory with our node_modules symlinked, it passes and leaves no directory
// behind; a copy of this build slowed by a busy-wait per record fails against this build, naming
// the metric, also after the regressed case was measured again. Noise-proof: the slowdown is several
// times the cost of a record, the tolerance a generous 50%, and the input large enough that a run's
// own time outweighs the noise in the fixed cost taken off it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBuild, slowBlocks } from './helpers/build-copy.js';

const ROOT = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));
const METRIC = 'validate/ndjson/workers-0';
const SUITE = ['validate', '--size', '10MB', '--reps', '1', '--formats', 'ndjson', '--workers', '0', '--tolerance', '0.5'];
/** Busy-wait per record: several times what a record costs, so the figure falls far below any noise. */
const SPIN_MS = 0.05;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], cwd: string, timeoutMs = 100_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Why the git case cannot run here quickly (undefined: it can): it needs git, and HEAD's lock file equal to ours (no npm ci). */
function gitCaseSkip(): string | undefined {
  try {
    const lock = execFileSync('git', ['-C', ROOT, 'show', 'HEAD:package-lock.json'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    return lock.equals(readFileSync(join(ROOT, 'package-lock.json'))) ? undefined : "HEAD's package-lock.json differs from the working tree's (the ref would need npm ci)";
  } catch {
    return 'not a git checkout';
  }
}

test('bench:check --against HEAD builds the ref in a temporary directory, passes, and removes the directory', { timeout: 180_000, skip: gitCaseSkip() }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'bench-ab-git-'));
  try {
    const r = await run(join(ROOT, 'dist', 'bench', 'check.js'), ['--against', 'HEAD', ...SUITE, '--out', 'ab.json'], work, 170_000);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr.slice(-2000)}`);
    assert.match(r.stderr, /package-lock\.json is identical to ours, so our node_modules is symlinked in/);
    assert.match(r.stdout, new RegExp(`\\| ${METRIC} \\| MB per CPU-second \\| higher \\|.*\\| ok \\|`));
    assert.match(r.stdout, /\| startup\/validate-one-record \| ms \| lower \|/);
    assert.match(r.stdout, /passed: \d+ metrics within tolerance of the ref/);
    assert.match(r.stdout, /vs ref HEAD \([0-9a-f]{7}\)/);
    const tree = /exported to (\S+);/.exec(r.stderr)?.[1];
    assert.ok(tree, r.stderr);
    assert.equal(existsSync(dirname(tree)), false, `${dirname(tree)} was left behind`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('bench:check --against a built directory fails when this build is slower, naming the metric', { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-ab-slow-'));
  try {
    const work = join(tmp, 'work');
    mkdirSync(work);
    const slow = copyBuild(ROOT, join(tmp, 'slow'));
    slowBlocks(slow, SPIN_MS);
    // The slowed copy is "this" build (its harness and executable); this checkout is the ref.
    const r = await run(join(slow, 'dist', 'bench', 'check.js'), ['--against', ROOT, ...SUITE, '--out', 'ab.json'], work);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr.slice(-2000)}`);
    assert.match(r.stdout, new RegExp(`\\| ${METRIC} \\| MB per CPU-second \\| higher \\|.*\\| REGRESSED \\|`));
    assert.match(r.stdout, new RegExp(`FAILED: .*${METRIC} regressed`));
    // The first round's verdict was measured again before it counted.
    assert.match(r.stdout, new RegExp(`note: measured again before judging \\(validate ndjson --workers 0\\): still regressed: ${METRIC}`));
    const saved = JSON.parse(readFileSync(join(work, 'ab.json'), 'utf8')) as { metrics: Array<{ id: string; this: number; ref: number }> };
    const m = saved.metrics.find((x) => x.id === METRIC)!;
    assert.ok(m.this < m.ref * 0.5, `slowed ${m.this} MB per CPU-second vs ref ${m.ref}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
