// An output that is the input's own stream is refused (`--rejects /dev/stdin` while stdin is read,
// or the file stdin was redirected from), and a second signal always ends the run, even while a
// thread-pool thread is blocked for good (a read from a FIFO nobody writes to): process.exit()
// would join that thread and wait forever.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, constants, copyFileSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CLI } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';

const FIXTURE = 'fixtures/members.ndjson';
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

test('`cat export | chatmigrate validate - --rejects /dev/stdin`: refused at once (exit 2) instead of feeding itself and hanging', { timeout: 20_000 }, async () => {
  // Through a shell pipeline, as the issue ran it: stdin is a pipe (node's own spawn would give a socket).
  const child = spawn('sh', ['-c', 'cat "$1" | "$2" "$3" validate - --rejects /dev/stdin', 'sh', FIXTURE, process.execPath, CLI], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // A hang is ended by killing the whole pipeline (its process group).
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(guard);
  assert.equal(code, 2, stderr);
  assert.equal(
    stderr,
    'chatmigrate: --rejects "/dev/stdin" is INPUT (stdin) (both are stdin, a pipe): writing into it would feed the stream being read back into itself (and stall the run) [CM_USAGE]\n  hint: give --rejects a path of its own\n',
  );
});

test('stdin redirected from the export: an output that is that file (by its path or /dev/stdin) is refused and the export is unchanged', { timeout: 20_000 }, async () => {
  const dir = tempDir('cm-stdin-file-');
  const input = join(dir, 'export.ndjson');
  copyFileSync(FIXTURE, input);
  const before = sha256(input);
  for (const args of [['--rejects', input], ['--rejects', '/dev/stdin'], ['--report', input]]) {
    const fd = openSync(input, 'r');
    try {
      const r = await run(['validate', '-', ...args], fd);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${args[0]} ".*" is INPUT \\(stdin\\) \\(both are stdin, a file .*export\\.ndjson\\): writing ${args[0]} would destroy the input`));
    } finally {
      closeSync(fd);
    }
    assert.equal(sha256(input), before, `${args.join(' ')}: the export is unchanged`);
  }
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`a second ${signal} ends a run whose thread pool is blocked in a read (a FIFO nobody writes to), at once`, { timeout: 20_000 }, async () => {
    const dir = tempDir('cm-fifo-');
    const fifo = join(dir, 'export.fifo');
    execFileSync('mkfifo', [fifo]);
    // Held open for writing (without blocking) so the CLI's open succeeds and its read() waits.
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      writeSync(writer, '{"uid":');
      const child = spawn(process.execPath, [CLI, 'validate', fifo, '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig, at: performance.now() })));
      const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        await until(() => stderr.includes('"run started"'), 10_000);
        child.kill(signal);
        await until(() => stderr.includes('stopping: finishing requests in flight'), 5_000);
        // The orderly stop cannot finish (the read never returns): the second signal must end it.
        const sentAt = performance.now();
        child.kill(signal);
        const r = await ended;
        assert.equal(r.signal, signal, `ended by ${signal} itself, not a hang (code ${r.code}): ${stderr}`);
        assert.ok(r.at - sentAt < 3_000, `ended ${Math.round(r.at - sentAt)} ms after the second ${signal}`);
        assert.match(stderr, new RegExp(`second ${signal}: exiting now without waiting`));
      } finally {
        clearTimeout(guard);
        child.kill('SIGKILL');
      }
    } finally {
      closeSync(writer);
    }
  });
}

function run(args: string[], stdinFd: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: [stdinFd, 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
