// Everything chatmigrate creates that holds export data or state is owner-only whatever the
// umask: rejects, report, checkpoint, its journal and lock, the temp files of atomic writes, the
// Rocket.Chat spool, createPrivateDir's folders. An existing output others can read gets one warning.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { generateToString } from '../bench/generate.js';
import { CLI } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';
import { writeFileAtomic } from '../src/accounting/write-json-file.js';
import { createPrivateDir } from '../src/accounting/output-paths.js';
import { createSelectionSpool } from '../src/rocketchat-import/spool.js';
import { createLogger } from '../src/observability/logger.js';

const FIXTURE = 'fixtures/members.ndjson';
const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** The CLI under `umask 022`, the usual default that leaves new files readable by everyone. */
function cliUnderUmask022(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn('sh', ['-c', 'umask 022 && exec "$0" "$@"', process.execPath, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    }),
  );
  return { child, done };
}

/** Every file and folder under `dir` with its mode. */
function modesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      out[name] = modeOf(path);
    } catch {
      // gone between the listing and the stat (a temp file renamed): seen on the next pass
    }
  }
  return out;
}

test('under umask 022 an import with --rejects, --report and --checkpoint leaves only owner-only files, also mid-run (journal, lock, temp files) and after kill -9 and --resume', { timeout: 40_000 }, async () => {
  const dir = tempDir('cm-modes-');
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, generateToString({ format: 'ndjson', count: 600, seed: 9, invalidRate: 0.05 }).text);
  chmodSync(input, 0o644);
  const out = join(dir, 'out');
  mkdirSync(out);
  await withSandbox({ requireKnownGroupsAndUsers: false, faults: { latencyMs: 40 } }, async (sandbox) => {
    const args = ['import', input, '--base-url', sandbox.baseUrl, '--rpm', '0', '--connections', '1', '--batch-size', '20', '--now', String(NOW), '--log-level', 'silent',
      '--rejects', join(out, 'rejects.ndjson'), '--report', join(out, 'report.json'), '--checkpoint', join(out, 'job.ckpt'), '--checkpoint-interval-ms', '100'];
    const seen: Record<string, Set<string>> = {};
    const look = () => {
      for (const [name, mode] of Object.entries(modesUnder(out))) (seen[name] ??= new Set()).add(mode);
    };
    const first = cliUnderUmask022(args, { COMETCHAT_API_KEY: SANDBOX_KEY });
    // Watch the folder while the run writes its journal, lock, checkpoint saves and rejects.
    const deadline = performance.now() + 15_000;
    while (!(existsSync(join(out, 'job.ckpt.lock')) && readdirSync(out).some((n) => n.includes('.journal.')) && sandbox.stats().requests >= 5) && performance.now() < deadline) {
      look();
      await new Promise((r) => setTimeout(r, 5));
    }
    look();
    first.child.kill('SIGKILL');
    assert.equal((await first.done).signal, 'SIGKILL', 'killed mid-run');
    look();
    assert.ok(seen['job.ckpt.lock'] && Object.keys(seen).some((n) => n.includes('.journal.')) && seen['job.ckpt'] && seen['rejects.ndjson'], `the run's files were seen: ${Object.keys(seen).join(', ')}`);
    const resumed = await cliUnderUmask022([...args, '--resume'], { COMETCHAT_API_KEY: SANDBOX_KEY }).done;
    assert.equal(resumed.code, 3, resumed.stderr);
    look();
    assert.ok(seen['report.json'], 'the report was written');
    for (const [name, modes] of Object.entries(seen)) assert.deepEqual([...modes], ['0600'], `${name} was only ever owner-only`);
  });
});

test('an existing rejects file that others can read: one warning line naming it, its mode and chmod 600 (the file keeps its mode)', { timeout: 20_000 }, async () => {
  const dir = tempDir('cm-shared-');
  const rejects = join(dir, 'rejects.ndjson');
  writeFileSync(rejects, '');
  chmodSync(rejects, 0o644);
  const r = await cliUnderUmask022(['validate', FIXTURE, '--rejects', rejects, '--log-level', 'warn', '--report', join(dir, 'report.json')]).done;
  assert.equal(r.code, 3, r.stderr);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('can be read by others'));
  assert.equal(warnings.length, 1, r.stderr);
  const line = JSON.parse(warnings[0]!) as { level: number; flag: string; path: string; mode: string; msg: string };
  assert.deepEqual([line.level, line.flag, line.path, line.mode], [40, '--rejects', rejects, '0644']);
  assert.equal(line.msg, `--rejects ${rejects} can be read by others (mode 0644) and will hold export data: chmod 600 ${rejects}`);
  assert.equal(modeOf(rejects), '0644');
  assert.equal(modeOf(join(dir, 'report.json')), '0600', 'a replaced file is a new, owner-only one');
});

test('atomic writes: the temp file is owner-only from its first byte; createPrivateDir and the Rocket.Chat spool too (umask 022)', { timeout: 20_000 }, async () => {
  const previous = process.umask(0o022);
  try {
    const dir = tempDir('cm-private-');
    const target = join(dir, 'report.json');
    const writing = writeFileAtomic(target, 'x'.repeat(16 << 20));
    const modes = new Set<string>();
    let done = false;
    void writing.finally(() => (done = true));
    while (!done) {
      for (const name of readdirSync(dir)) {
        if (!name.endsWith('.tmp')) continue;
        // Renamed into place between the listing and the stat: nothing to see, not a failure.
        try {
          modes.add(modeOf(join(dir, name)));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    await writing;
    assert.deepEqual([...modes], ['0600'], 'the temp file, whenever it was seen');
    assert.equal(modeOf(target), '0600');

    const nested = join(dir, 'state', 'phase-1', 'attachments');
    createPrivateDir(nested);
    assert.deepEqual([modeOf(join(dir, 'state')), modeOf(join(dir, 'state', 'phase-1')), modeOf(nested)], ['0700', '0700', '0700']);
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    const lines: string[] = [];
    const stream = new PassThrough().setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
    createPrivateDir(shared, createLogger('warn', stream), '--state-dir');
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /--state-dir .*shared can be read by others \(mode 0755\) and will hold export data: chmod 700 /);

    const spool = createSelectionSpool(dir);
    try {
      spool.entry('users', '{"user_id":"u1"}');
      spool.finish();
      const root = readdirSync(dir).find((n) => n.startsWith('chatmigrate-rc-'))!;
      assert.equal(modeOf(join(dir, root)), '0700');
      for (const name of readdirSync(join(dir, root))) assert.equal(modeOf(join(dir, root, name)), '0600', name);
    } finally {
      spool.dispose();
    }
  } finally {
    process.umask(previous);
  }
});
