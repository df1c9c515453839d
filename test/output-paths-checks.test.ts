// Every output is checked the same way before anything is read or sent: a missing folder, a
// directory, /proc, a folder or file without write permission, a pipe where --checkpoint needs a
// file. The message names the flag, the path and why; the hint says what to do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';
import { guardRunFiles, pipelineFiles } from '../src/accounting/output-paths.js';
import { isChatmigrateError } from '../src/errors.js';

const FIXTURE = 'fixtures/members.ndjson';
const HINT_END = ' \\(outputs are checked before anything is read or sent\\)';
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a missing folder, a directory and /proc are refused alike for --rejects, --report and --checkpoint (CM_OUTPUT: flag, path, why, what to do)', async () => {
  const dir = tempDir('cm-checks-');
  const missing = join(dir, 'no', 'such');
  for (const flag of ['--rejects', '--report', '--checkpoint'] as const) {
    const key = flag.slice(2) as 'rejects' | 'report' | 'checkpoint';
    for (const { path, why, todo } of [
      { path: join(missing, 'out'), why: `its directory does not exist \\(${escape(missing)}\\)`, todo: `create it first \\(mkdir -p ${escape(missing)}\\), or choose another ${flag} path` },
      { path: dir, why: 'it is a directory', todo: `give a file path, e.g. ${escape(dir)}/\\S+` },
      { path: '/proc/x', why: "it is on /proc \\(the kernel's process file system\\), which shows the kernel's state and stores no files", todo: `choose another ${flag} path on a disk, e.g. \\./x` },
    ]) {
      await assert.rejects(guardRunFiles(pipelineFiles({ input: FIXTURE, [key]: path }, false)), (e: unknown) => {
        assert.ok(isChatmigrateError(e) && e.code === 'CM_OUTPUT', String(e));
        assert.match(e.message, new RegExp(`^${flag} ${escape(JSON.stringify(path))} cannot be written: ${why}$`));
        assert.match(e.hint ?? '', new RegExp(`^${todo}${HINT_END}$`));
        return true;
      });
    }
  }
  // The CLI prints it with its code and hint, exit 1: the raw ENOENT for --rejects.
  const r = await runCli(['validate', FIXTURE, '--rejects', join(missing, 'rejects.ndjson')]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, `chatmigrate: --rejects ${JSON.stringify(join(missing, 'rejects.ndjson'))} cannot be written: its directory does not exist (${missing}) [CM_OUTPUT]\n  hint: create it first (mkdir -p ${missing}), or choose another --rejects path (outputs are checked before anything is read or sent)\n`);
});

test('a file in /proc, and a pipe where --checkpoint needs a rejects file, are refused before the run', { timeout: 20_000 }, async () => {
  const [status, pipe] = await Promise.all([
    runCli(['validate', FIXTURE, '--rejects', '/proc/self/status']),
    runCli(['validate', FIXTURE, '--rejects', '/dev/null', '--checkpoint', join(tempDir('cm-checks-'), 'job.ckpt')]),
  ]);
  assert.equal(status.code, 1, status.stderr);
  assert.match(status.stderr, /--rejects "\/proc\/self\/status" cannot be written: it is on \/proc/);
  assert.equal(pipe.code, 2, pipe.stderr);
  assert.match(pipe.stderr, /--rejects "\/dev\/null" cannot be written: it is not a regular file but a terminal or device, and --checkpoint needs a file: a resumed run cuts the rejects file back to what the checkpoint covers \[CM_USAGE\]\n {2}hint: write the rejects to a file/);
});

test('no permission: a folder that refuses new files, a file that cannot be written (as another user)', { timeout: 20_000 }, async () => {
  const dir = tempDir('cm-perm-');
  chmodSync(dir, 0o755);
  const locked = join(dir, 'locked');
  mkdirSync(locked, { mode: 0o755 });
  const readOnly = join(dir, 'rejects.ndjson');
  writeFileSync(readOnly, '');
  chmodSync(readOnly, 0o644);
  const root = process.getuid?.() === 0;
  if (!root) {
    chmodSync(locked, 0o555);
    chmodSync(readOnly, 0o444);
  }
  // root may write anywhere: the CLI runs as nobody, to whom these belong to someone else.
  const asOther = root ? { uid: 65534, gid: 65534 } : {};
  const [folder, file] = await Promise.all([
    run(['validate', resolve(FIXTURE), '--report', join(locked, 'r.json')], asOther),
    run(['validate', resolve(FIXTURE), '--rejects', readOnly], asOther),
  ]);
  assert.equal(folder.code, 1, folder.stderr);
  assert.match(folder.stderr, new RegExp(`--report ${escape(JSON.stringify(join(locked, 'r.json')))} cannot be written: its directory ${escape(locked)} refuses new files \\(permission denied\\) \\[CM_OUTPUT\\]\n  hint: choose another --report path in a folder you can write to`));
  assert.equal(file.code, 1, file.stderr);
  assert.match(file.stderr, new RegExp(`--rejects ${escape(JSON.stringify(readOnly))} cannot be written: it is not writable \\(permission denied\\) \\[CM_OUTPUT\\]\n  hint: make it writable \\(chmod u\\+w\\), or choose another --rejects path`));
});

test('import: an output that cannot be written stops the run before anything is sent', { timeout: 20_000 }, async () => {
  await withSandbox({}, async (sandbox) => {
    const r = await runCli(['import', FIXTURE, '--base-url', sandbox.baseUrl, '--rejects', join(tempDir('cm-checks-'), 'missing', 'r.ndjson')], { env: { COMETCHAT_API_KEY: SANDBOX_KEY } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--rejects ".*" cannot be written: its directory does not exist/);
    assert.equal(sandbox.stats().requests, 0);
  });
});

function run(args: string[], as: { uid?: number; gid?: number }): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { ...as, cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolveRun({ code, stderr });
    });
  });
}
