// Crash safety for messages: the real CLI imports an NDJSON export of messages (--kind messages,
// --ids) into the sandbox, is killed with SIGKILL twice and resumed; every valid message arrives
// once, in input order, the counts (retention and out-of-order included) are the export's, and
// the rejects and --ids files hold each line once. A resume that reads another kind is refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli } from './helpers/cli.js';
import { kindExport } from './helpers/kind-records.js';
import { createRandom } from './helpers/random.js';
import { NOW, readNdjson, tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';
import type { Report } from '../src/accounting/report.js';
import type { Sandbox } from '../src/sandbox/index.js';

const BATCH = 50;
// Slow replies, so the run lasts about a second (messages go one request at a time) and the kills land mid-delivery.
const SANDBOX = { faults: { latencyMs: 25, seed: 3 }, now: () => NOW * 1000 };

function args(sandbox: Sandbox, dir: string, input: string): string[] {
  return [
    'import', input, '--kind', 'messages',
    '--base-url', sandbox.baseUrl, '--rpm', '0', '--now', String(NOW),
    '--retry-min-ms', '5', '--retry-max-ms', '50',
    '--rejects', join(dir, 'rejects.ndjson'), '--report', join(dir, 'report.json'), '--ids', join(dir, 'ids.ndjson'),
    '--checkpoint', join(dir, 'job.ckpt'), '--checkpoint-interval-ms', '150',
    '--log-level', 'silent',
  ];
}

function without(argv: string[], flag: string): string[] {
  const at = argv.indexOf(flag);
  return at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 2)];
}

/** Runs the CLI; with `killAfterMs`, SIGKILLs it that long after its first checkpoint save. */
function run(argv: string[], killAfterMs?: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const checkpoint = argv[argv.indexOf('--checkpoint') + 1]!;
  const spawnedAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--single-threaded-gc', CLI, ...argv], { env: { ...process.env, COMETCHAT_API_KEY: SANDBOX_KEY }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let killer: ReturnType<typeof setTimeout> | undefined;
    const poll = killAfterMs === undefined ? undefined : setInterval(() => {
      if (existsSync(checkpoint) && statSync(checkpoint).mtimeMs >= spawnedAt) {
        clearInterval(poll);
        killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    }, 10);
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    });
  });
}

test('messages: kill -9 twice and --resume: each valid message arrives once, in input order; counts, rejects and ids are exact', { timeout: 60_000 }, async () => {
  const exp = kindExport('messages', 1500, 21);
  const dir = tempDir();
  const input = join(dir, 'messages.ndjson');
  writeFileSync(input, exp.text);
  const random = createRandom(9);
  await withSandbox(SANDBOX, async (sandbox) => {
    const base = args(sandbox, dir, input);
    let kills = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await run(attempt === 0 ? base : [...base, '--resume'], 100 + Math.floor(random() * 300));
      if (r.signal === 'SIGKILL') kills++;
      else assert.fail(`run ${attempt} ended before its kill (code ${r.code}): make the run slower\n${r.stderr}`);
    }

    // Resuming as another kind would judge the settled prefix by other rules: refused, naming both
    // (--kind given: before the input is read; left out: once the input showed it is members).
    const env = { COMETCHAT_API_KEY: SANDBOX_KEY };
    const asUsers = await runCli([...without(base, '--ids').map((a) => (a === 'messages' ? 'users' : a)), '--resume'], { env });
    assert.equal(asUsers.code, 2, asUsers.stderr);
    assert.match(asUsers.stderr, /cannot resume: the checkpoint was written for messages, this run reads users[\s\S]*--kind messages/);
    // One at a time: a checkpoint takes one run at a time.
    const noKind = await runCli([...without(without(base, '--ids'), '--kind'), '--resume'], { env });
    assert.equal(noKind.code, 2, noKind.stderr);
    assert.match(noKind.stderr, /cannot resume: the checkpoint was written for messages, this run reads members/);

    const last = await run([...base, '--resume']);
    assert.equal(last.code, 3, last.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    assert.deepEqual(
      { kind: report.kind, read: report.read, invalid: report.invalid, duplicates: report.duplicates, valid: report.valid, skippedBy: report.skippedBy, outOfOrder: report.outOfOrder },
      { kind: 'messages', read: exp.read, invalid: exp.invalid.length, duplicates: exp.duplicates, valid: exp.keys.length, skippedBy: { retention: exp.retention }, outOfOrder: exp.outOfOrder },
    );
    assert.deepEqual([report.imported, report.alreadyPresent, report.unsent], [exp.keys.length, 0, 0], 'our own re-sends after a kill count as imported');
    assert.ok(report.resumed);

    assert.deepEqual([...sandbox.accepted('messages').keys()], exp.keys, 'each valid message once, in input order');
    const s = sandbox.stats();
    assert.ok(s.duplicateDeliveries <= kills * BATCH, `${s.duplicateDeliveries} re-sent for ${kills} kills (one request in flight)`);

    const rejects = readNdjson(join(dir, 'rejects.ndjson'));
    assert.deepEqual(rejects.filter((l) => l['reason'] !== 'DUPLICATE_CONFLICT').map((l) => l['reason']).sort(), [...exp.invalid].sort());
    assert.deepEqual(rejects.map((l) => (l['position'] as { index: number }).index), [...new Set(rejects.map((l) => (l['position'] as { index: number }).index))].sort((a, b) => a - b), 'each once, in input order');

    const ids = readNdjson(join(dir, 'ids.ndjson'));
    assert.equal(new Set(ids.map((l) => l['muid'])).size, ids.length, 'each message has at most one line');
    assert.ok(ids.length >= exp.keys.length - kills * BATCH, `${ids.length} ids for ${exp.keys.length} messages`);
  });
});
