// `chatmigrate migrate --dump-dir` through the real CLI: a generated workspace written both as
// mongoexport files and as a mongodump folder (GridFS files of several chunks, one FileSystem-store
// upload, planted broken and missing files, messages slightly out of time order) delivers from the
// dump exactly what the export delivers, messages in time order; the attachments folder holds
// every file byte-identical; kill -9 in the messages phase then --resume ends in the same report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateRocketChatWorkspace } from '../bench/generate-rocketchat.js';
import { fileContent, generateMongodump, type GeneratedDump } from '../bench/generate-mongodump.js';
import type { MigrationReport } from '../src/migrate/migration-report.js';
import type { Report } from '../src/accounting/report.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { safeFileName } from '../src/sources/rocketchat/file-name.js';
import { CLI, runCli } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';

const FILE_URL = 'https://files.example.com/{fileId}/{name}';
const SHAPE = { seed: 5, now: NOW, retentionDays: 180, messages: 600, fileUrl: true };
const KINDS = ['users', 'groups', 'members', 'messages'] as const;

const dir = tempDir('cm-migrate-dump-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

function target(sandbox: Sandbox, stateDir: string): string[] {
  return ['--state-dir', stateDir, '--file-url', FILE_URL, '--base-url', sandbox.baseUrl, '--api-key', SANDBOX_KEY, '--rpm', '0', '--now', String(NOW), '--json', '--log-level', 'warn', '--retry-min-ms', '5', '--retry-max-ms', '50'];
}

function dumpArgs(dump: GeneratedDump, dumpDir: string, sandbox: Sandbox, stateDir: string, attachments: string): string[] {
  return ['migrate', '--dump-dir', dumpDir, '--attachments-dir', attachments, '--uploads-dir', dump.uploadsDir, ...target(sandbox, stateDir)];
}

type Accepted = Record<(typeof KINDS)[number], Array<[string, Record<string, unknown>]>>;

function acceptedOf(sandbox: Sandbox): Accepted {
  return Object.fromEntries(KINDS.map((k) => [k, [...(sandbox.accepted(k) as Map<string, Record<string, unknown>>)]])) as Accepted;
}

/** The file ids a message's attachments point at (from their URLs). */
function fileIdsOf(message: Record<string, unknown>): string[] {
  const attachments = ((message['data'] as Record<string, unknown> | undefined)?.['attachments'] ?? []) as Array<{ url: string }>;
  return attachments.map((a) => new URL(a.url).pathname.split('/')[1]!);
}

/** The dump run's report, and what the sandbox holds, with the export's to compare against. */
async function migrateBoth(gzip: boolean): Promise<{ dump: GeneratedDump; fromExport: Accepted; fromDump: Accepted; report: MigrationReport; attachments: string }> {
  const base = join(dir, gzip ? 'gzip' : 'plain');
  const exported = await generateRocketChatWorkspace({ ...SHAPE, dir: join(base, 'export') });
  const dump = await generateMongodump({ ...SHAPE, dir: join(base, 'dump', 'rocketchat'), gzip, chunkBytes: 1024 });
  const f = exported.files;
  const fromExport = await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const run = await runCli(['migrate', '--from', 'rocketchat', '--users', f.users, '--rooms', f.rooms, '--subscriptions', f.subscriptions, '--messages', f.messages, ...target(sandbox, join(base, 'state-export'))]);
    assert.equal(run.code, 3, run.stderr);
    return acceptedOf(sandbox);
  });
  const attachments = join(base, 'files');
  return withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const run = await runCli(dumpArgs(dump, join(base, 'dump', 'rocketchat'), sandbox, join(base, 'state-dump'), attachments));
    assert.equal(run.code, 3, run.stderr);
    return { dump, fromExport, fromDump: acceptedOf(sandbox), report: JSON.parse(run.stdout) as MigrationReport, attachments };
  });
}

function assertSameAsExport(r: Awaited<ReturnType<typeof migrateBoth>>): void {
  for (const kind of ['users', 'groups', 'members'] as const) assert.deepEqual(r.fromDump[kind], r.fromExport[kind], `${kind}: the same records in the same order`);
  // Messages: the same, in the export's (time) order, except those whose files the dump lacks:
  // they keep their text without those files, or are skipped (file-missing) when they have none.
  const lost = new Set(r.dump.uploads.filter((u) => u.fate === 'gap' || u.fate === 'no-chunks' || u.fate === 'incomplete').map((u) => u.id));
  const dumped = new Map(r.fromDump.messages);
  const expectedOrder: string[] = [];
  let changed = 0;
  for (const [muid, message] of r.fromExport.messages) {
    const ids = fileIdsOf(message);
    const got = dumped.get(muid);
    if (!ids.some((id) => lost.has(id))) {
      assert.deepEqual(got, message, `message ${muid}`);
      expectedOrder.push(muid);
      continue;
    }
    changed++;
    if (got === undefined) continue; // skipped: file-missing
    expectedOrder.push(muid);
    assert.deepEqual(fileIdsOf(got), ids.filter((id) => !lost.has(id)), `message ${muid}: only the files that were written`);
  }
  assert.ok(changed >= 1, 'some messages point at a planted missing or broken file');
  assert.deepEqual(r.fromDump.messages.map(([muid]) => muid), expectedOrder, 'messages arrive in time order');
  assert.equal(r.report.timeOrder?.inOrder, false, 'the dump was out of order, and sorted');
  assert.equal(r.report.timeOrder?.records, r.report.phases.messages!.read);
}

function assertFiles(r: Awaited<ReturnType<typeof migrateBoth>>): void {
  const files = r.report.files;
  assert.ok(files && !('dryRun' in files));
  const wanted = r.dump.uploads.filter((u) => u.fate === 'written' || u.fate === 'filesystem');
  assert.equal(files.written, wanted.length);
  assert.equal(files.thumbnails, r.dump.uploads.filter((u) => u.fate === 'thumbnail').length);
  assert.equal(files.missing + files.broken, 3, 'the planted gap, no-chunks and incomplete uploads');
  assert.ok(wanted.some((u) => u.size > 1024 * 2), 'a file of several chunks');
  for (const u of wanted) assert.ok(readFileSync(join(r.attachments, safeFileName(u.id), safeFileName(u.name))).equals(fileContent(u.id, u.size)), `${u.id}/${u.name} byte-identical`);
}

/** A resumed run's report against an uninterrupted one: the same counts in every phase, the same files. */
function assertSameReport(report: MigrationReport, first: MigrationReport, attachments: string): void {
  assert.deepEqual(report.files, { ...first.files, attachmentsDir: attachments }, 'the files report of the run that wrote them');
  for (const kind of KINDS) {
    const a: Report = report.phases[kind]!;
    const b: Report = first.phases[kind]!;
    assert.deepEqual([a.read, a.valid, a.invalid, a.skipped, (a.imported ?? 0) + (a.alreadyPresent ?? 0), a.reasons, a.skippedBy], [b.read, b.valid, b.invalid, b.skipped, (b.imported ?? 0) + (b.alreadyPresent ?? 0), b.reasons, b.skippedBy], kind);
  }
}

let plain: Awaited<ReturnType<typeof migrateBoth>> | undefined;

test('migrate --dump-dir delivers what the mongoexport files of the same workspace deliver, in time order; every file byte-identical', async () => {
  plain = await migrateBoth(false);
  assertSameAsExport(plain);
  assertFiles(plain);
});

test('the same with mongodump --gzip', async () => {
  const r = await migrateBoth(true);
  assertSameAsExport(r);
  assertFiles(r);
  // The decompressed chunks were written under the state directory, and nothing of them is left.
  assert.equal(existsSync(join(dir, 'gzip', 'state-dump', 'files-work')), false, 'no empty files-work folder left behind');
});

test('kill -9 in the messages phase of a dump migration, then --resume: the same report, files not written again', async () => {
  const first = plain;
  assert.ok(first, 'the first test ran');
  await withSandbox({ now: () => NOW * 1000, faults: { latencyMs: 30 } }, async (sandbox) => {
    const stateDir = join(dir, 'state-killed');
    const attachments = join(dir, 'files-killed');
    const args = [...dumpArgs(first.dump, join(dir, 'plain', 'dump', 'rocketchat'), sandbox, stateDir, attachments), '--connections', '1', '--checkpoint-interval-ms', '100'];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const messagesRequests = (): number => sandbox.stats().byKind['messages']?.requests ?? 0;
    for (let i = 0; i < 2000 && messagesRequests() < 3 && child.exitCode === null; i++) await sleep(5);
    assert.equal(child.exitCode, null, 'still running in the messages phase');
    child.kill('SIGKILL');
    await exited;
    const resumed = await runCli([...args, '--resume']);
    assert.equal(resumed.code, 3, resumed.stderr);
    const report = JSON.parse(resumed.stdout) as MigrationReport;
    assert.ok(report.phases.messages!.resumed, 'the messages phase went on from its checkpoint');
    assertSameReport(report, first.report, attachments);
    assert.deepEqual(report.timeOrder, first.report.timeOrder);
    // Every message arrived, in time order, once (a batch in flight at the kill may be sent twice: already present).
    assert.deepEqual([...sandbox.accepted('messages').keys()], first.fromDump.messages.map(([muid]) => muid));
  });
});

test('kill -9 during the time-order sort (--sort-memory 16KiB: many runs), then --resume: the sort goes on, the same report and order', async () => {
  const first = plain;
  assert.ok(first, 'the first test ran');
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const stateDir = join(dir, 'state-killed-sort');
    const attachments = join(dir, 'files-killed-sort');
    const args = [...dumpArgs(first.dump, join(dir, 'plain', 'dump', 'rocketchat'), sandbox, stateDir, attachments), '--sort-memory', '16KiB'];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // The sort records each finished run in its manifest: kill once one is there and more are due.
    const manifest = join(stateDir, 'messages-order', 'manifest.json');
    let seen: { runs: unknown[]; built: boolean; plannedRuns: number } | undefined;
    for (let i = 0; i < 30_000 && child.exitCode === null && seen === undefined; i++) {
      try {
        const m = JSON.parse(readFileSync(manifest, 'utf8')) as { runs: unknown[]; built: boolean; plannedRuns: number };
        if (m.runs.length >= 1) seen = m;
      } catch {
        // not written yet (it is renamed into place whole)
      }
      if (seen === undefined) await sleep(1);
    }
    child.kill('SIGKILL');
    await exited;
    assert.ok(seen && !seen.built && seen.plannedRuns > 2, `killed while the runs were written (${JSON.stringify(seen && { runs: seen.runs.length, planned: seen.plannedRuns, built: seen.built })})`);
    assert.equal(sandbox.stats().byKind['messages']?.requests ?? 0, 0, 'no message sent before the sort was done');
    const resumed = await runCli([...args, '--resume']);
    assert.equal(resumed.code, 3, resumed.stderr);
    const report = JSON.parse(resumed.stdout) as MigrationReport;
    assertSameReport(report, first.report, attachments);
    assert.deepEqual([report.timeOrder?.inOrder, report.timeOrder?.records, report.timeOrder?.runs], [false, first.report.timeOrder?.records, seen.plannedRuns], 'sorted in the runs the killed run planned');
    assert.deepEqual([...sandbox.accepted('messages').keys()], first.fromDump.messages.map(([muid]) => muid), 'every message once, in time order');
  });
});
