// One signal ends a run whose input has stalled: `slow-export | chatmigrate import -` stopped by
// a supervisor's SIGTERM (which reaches chatmigrate alone, not the command before the pipe) must
// not wait for bytes that may never come. Stdin is a real pipe (a FIFO), held open by the test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';

interface Ended {
  code: number | null;
  stderr: string;
  /** ms from the signal to the process's end */
  afterSignalMs: number;
}

/**
 * Runs the CLI with a pipe as stdin that gets `head` and then nothing (never an end), and signals
 * it `settleMs` after `ready` holds (then it waits for input).
 */
async function stalled(args: string[], head: string, signal: NodeJS.Signals, ready: (stderr: string) => boolean, settleMs: number, env: NodeJS.ProcessEnv = process.env): Promise<Ended> {
  const dir = tempDir('cm-stall-');
  const fifo = join(dir, 'stdin.fifo');
  execFileSync('mkfifo', [fifo]);
  // Read and write ends in one descriptor: the pipe never reaches its end while the test holds it.
  const pipe = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  try {
    if (head !== '') writeSync(pipe, head);
    const child = spawn(process.execPath, [CLI, ...args], { stdio: [pipe, 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const closed = new Promise<{ code: number | null; at: number }>((resolve) => child.on('close', (code) => resolve({ code, at: performance.now() })));
    try {
      const deadline = performance.now() + 10_000;
      while (!ready(stderr)) {
        if (performance.now() > deadline) throw new Error(`not ready within 10 s: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, settleMs));
      const sentAt = performance.now();
      child.kill(signal);
      const r = await closed;
      return { code: r.code, stderr, afterSignalMs: r.at - sentAt };
    } finally {
      clearTimeout(guard);
      child.kill('SIGKILL');
    }
  } finally {
    closeSync(pipe);
  }
}

test('validate: one SIGTERM while stdin has sent nothing yet ends the run (exit 130) without waiting for the input', { timeout: 30_000 }, async () => {
  // Nothing is logged before the first bytes: the signal comes once the CLI has surely started.
  const r = await stalled(['validate', '-', '--kind', 'users', '--log-level', 'info'], '', 'SIGTERM', () => true, 2_000);
  assert.equal(r.code, 130, r.stderr);
  assert.ok(r.afterSignalMs < 3_000, `ended ${Math.round(r.afterSignalMs)} ms after the signal: ${r.stderr}`);
  assert.match(r.stderr, /stopped by a signal before the input was finished \[CM_INTERRUPTED\]\n {2}hint: run the same command again: validate sends nothing/);
  // It did not see the input's end, so it says nothing about the input being empty.
  assert.doesNotMatch(r.stderr, /held no records/);
  assert.doesNotMatch(r.stderr, /already present/);
});

test('import --checkpoint: one SIGINT while a piped export has stalled mid-way ends the run (exit 130); --resume then delivers everything', { timeout: 60_000 }, async () => {
  await withSandbox({}, async (sandbox) => {
    const dir = tempDir('cm-stall-import-');
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ uid: `u${i}`, name: `User ${i}` }) + '\n');
    const checkpoint = join(dir, 'job.ckpt');
    const env = { ...process.env, COMETCHAT_API_KEY: SANDBOX_KEY };
    const args = ['--kind', 'users', '--base-url', sandbox.baseUrl, '--checkpoint', checkpoint, '--rpm', '0', '--log-level', 'info'];
    const r = await stalled(['import', '-', ...args], lines.slice(0, 200).join(''), 'SIGINT', (s) => s.includes('"run started"'), 500, env);
    assert.equal(r.code, 130, r.stderr);
    assert.ok(r.afterSignalMs < 3_000, `ended ${Math.round(r.afterSignalMs)} ms after the signal: ${r.stderr}`);
    assert.match(r.stderr, /\[CM_INTERRUPTED\]\n {2}hint: run the same command again with --resume/);

    // The whole export, as the stalled command would have written it.
    const input = join(dir, 'users.ndjson');
    writeFileSync(input, lines.join(''));
    const resumed = await runCli(['import', input, ...args, '--resume'], { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(sandbox.accepted('users').size, 300);
  });
});
