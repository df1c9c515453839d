// `chatmigrate migrate` stopped and resumed the ways an operator meets: a resume with other
// mapping options (refused) or with a malformed line fixed (goes on from the checkpoint), a second
// run on a state directory in use, a stop before a phase starts or while the messages are sorted,
// a failure (wrong key) and what the summary then says. CLI runs are child processes; the two
// stops that must land at a set moment run runMigration in-process with an AbortSignal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateRocketChatWorkspace, type GeneratedWorkspace } from '../bench/generate-rocketchat.js';
import { resolveMigrateConfig, type MigrateOptions } from '../src/migrate/migrate-config.js';
import type { MigrationReport } from '../src/migrate/migration-report.js';
import { runMigration } from '../src/migrate/run-migration.js';
import { createLogger } from '../src/observability/logger.js';
import { formatSummary } from '../src/observability/summary.js';
import { CLI, runCli } from './helpers/cli.js';
import { kindExport } from './helpers/kind-records.js';
import { sandboxTarget, workspaceInputs } from './helpers/migrate-args.js';
import { NOW, tempDir } from './helpers/run.js';
import { importInto, SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';

const dir = tempDir('cm-migrate-stops-');
const FIXTURE = fileURLToPath(new URL('../../fixtures/members.ndjson', import.meta.url));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let workspace: Promise<GeneratedWorkspace> | undefined;
/** One small generated workspace (40 users: the users phase is one request). */
function generated(): Promise<GeneratedWorkspace> {
  workspace ??= generateRocketChatWorkspace({ dir: join(dir, 'workspace'), now: NOW, messages: 300 });
  return workspace;
}

test('a stopped migration resumed with another --file-url, --deleted-user-name or --retention-days is refused; with the same ones it finishes', async () => {
  const ws = await generated();
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const state = join(dir, 'state-settings');
    const fileUrl = ['--file-url', 'https://files.example.com/{fileId}/{name}'];
    // A wrong key stops the users phase: the migration is left unfinished.
    const stopped = await runCli(['migrate', ...workspaceInputs(ws), ...sandboxTarget(sandbox, state, 'not-the-key'), ...fileUrl]);
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.match(stopped.stderr, /\[CM_AUTH\]/);
    assert.match(stopped.stderr, /; 1 request\n/, 'one request, in the singular');
    assert.match(stopped.stderr, /plan for what is left: \d+ records → 1 request → /);
    assert.match(stopped.stderr, /not run: groups, members, messages \(the run stopped before them\)/);
    assert.match(stopped.stderr, /to go on: remove the cause \(the error below\), then run the same command with --resume/);

    const resume = [...workspaceInputs(ws), ...sandboxTarget(sandbox, state), '--resume'];
    for (const [other, shown] of [
      [['--file-url', 'https://cdn.example.com/{fileId}'], /--file-url "https:\/\/files.example.com\/\{fileId\}\/\{name\}", this run with "https:\/\/cdn.example.com\/\{fileId\}"/],
      [[...fileUrl, '--deleted-user-name', 'Ghost'], /--deleted-user-name "Deleted user", this run with "Ghost"/],
      [[...fileUrl, '--retention-days', '0'], /--retention-days 180, this run with 0/],
    ] as const) {
      const refused = await runCli(['migrate', ...resume, ...other]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, shown);
      assert.match(refused.stderr, /\[CM_RESUME_MISMATCH\]/);
    }
    assert.equal(sandbox.accepted('users').size, 0, 'nothing was accepted by the refused runs');

    const finished = await runCli(['migrate', ...resume, ...fileUrl, '--json']);
    assert.equal(finished.code, 3, finished.stderr);
    const report = JSON.parse(finished.stdout) as MigrationReport;
    assert.deepEqual(report.notRun, []);
    assert.equal(report.totals.unsent, 0);
  });
});

test('a second run on a --state-dir in use is refused at once; after kill -9 the lock is taken over', async () => {
  const ws = await generated();
  await withSandbox({ now: () => NOW * 1000, faults: { latencyMs: 100 } }, async (sandbox) => {
    const state = join(dir, 'state-locked');
    const args = ['migrate', ...workspaceInputs(ws), ...sandboxTarget(sandbox, state), '--connections', '1'];
    const first = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
    const lock = join(state, 'migration.json.lock');
    for (let i = 0; i < 2000 && !existsSync(lock); i++) await sleep(5);
    assert.ok(existsSync(lock), 'the first run holds the lock');
    const second = await runCli([...args, '--resume']);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`another chatmigrate \\(pid ${first.pid}\\) is using --state-dir .*state-locked \\[CM_USAGE\\]`));
    first.kill('SIGKILL');
    await exited;
    const third = await runCli([...args, '--resume', '--json']);
    assert.equal(third.code, 3, third.stderr);
    assert.deepEqual((JSON.parse(third.stdout) as MigrationReport).notRun, []);
    assert.equal(existsSync(lock), false, 'the lock is released at the end');
  });
});

/** A migration run in-process, its logger's lines checked by `onLine` as they are written. */

async function migrateInProcess(options: MigrateOptions, signal: AbortSignal, onLine: (line: string) => void = () => undefined): Promise<MigrationReport> {
  const lines = new Writable({
    write(chunk: Buffer, _enc, done) {
      onLine(chunk.toString());
      done();
    },
  });
  const config = resolveMigrateConfig({ rpm: 0, now: NOW, progress: false, retryMinMs: 5, retryMaxMs: 50, ...options }, {});
  return runMigration(config, { logger: createLogger('info', lines), signal });
}

test('a stop before the first phase (the workspace still loading) starts no phase: interrupted, every phase not run, nothing sent', async () => {
  const ws = await generated();
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const f = ws.files;
    const options: MigrateOptions = { from: 'rocketchat', users: f.users, rooms: f.rooms, subscriptions: f.subscriptions, messages: f.messages, stateDir: join(dir, 'state-stopped-early'), baseUrl: sandbox.baseUrl, apiKey: SANDBOX_KEY };
    const report = await migrateInProcess(options, AbortSignal.abort());
    assert.equal(report.status, 'interrupted');
    assert.equal(report.exitCode, 130);
    assert.deepEqual(report.notRun, ['users', 'groups', 'members', 'messages']);
    assert.deepEqual(report.phases, {});
    assert.equal(report.error?.code, 'CM_INTERRUPTED');
    assert.match(report.error?.message ?? '', /before the users phase started/);
    assert.match(report.error?.hint ?? '', /--resume/);
    assert.equal(sandbox.stats().requests, 0);

    const resumed = await migrateInProcess({ ...options, resume: true }, new AbortController().signal);
    assert.equal(resumed.status, 'some-invalid');
    assert.deepEqual(resumed.notRun, []);
  });
});

test('a stop while the messages are sorted keeps the report of the phases done, and exits 130 with a hint to --resume', async () => {
  const ws = await generated();
  // The export newest first: the messages phase must sort it.
  const reversed = join(dir, 'messages-reversed.json');
  writeFileSync(reversed, readFileSync(ws.files.messages, 'utf8').trim().split('\n').reverse().join('\n') + '\n');
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const f = ws.files;
    const options: MigrateOptions = { from: 'rocketchat', users: f.users, rooms: f.rooms, subscriptions: f.subscriptions, messages: reversed, stateDir: join(dir, 'state-stopped-sorting'), baseUrl: sandbox.baseUrl, apiKey: SANDBOX_KEY };
    const controller = new AbortController();
    const report = await migrateInProcess(options, controller.signal, (line) => {
      if (line.includes('messages are not in time order')) controller.abort();
    });
    assert.equal(controller.signal.aborted, true, 'the sort started');
    assert.equal(report.status, 'interrupted');
    assert.equal(report.exitCode, 130);
    assert.deepEqual(Object.keys(report.phases), ['users', 'groups', 'members']);
    assert.deepEqual(report.notRun, ['messages']);
    assert.match(report.error?.message ?? '', /while sorting the messages/);
    assert.match(report.error?.hint ?? '', /--resume/);
    assert.deepEqual(JSON.parse(readFileSync(join(options.stateDir!, 'report.json'), 'utf8')).notRun, ['messages']);

    const resumed = await migrateInProcess({ ...options, resume: true }, new AbortController().signal);
    assert.deepEqual(resumed.notRun, []);
    assert.equal(resumed.timeOrder?.inOrder, false);
    assert.equal(resumed.phases.messages!.unsent, 0);
  });
});

test('a run stopped before it read a record does not claim its input was empty', async () => {
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) }));
    const report = await importInto(sandbox, { input: FIXTURE }, { signal: AbortSignal.abort(), logger });
    assert.equal(report.status, 'interrupted');
    assert.equal(report.read, 0);
    assert.doesNotMatch(formatSummary(report), /held no records/);
    assert.equal(lines.filter((l) => l.includes('held no records')).length, 0, lines.join(''));
  });
});

test('a malformed line stops the messages phase; fixed in the file, --resume goes on from the checkpoint (the finished phases\' inputs still may not change)', async () => {
  const users = kindExport('users', 60, 7);
  const messages = kindExport('messages', 400, 8);
  const files = { users: join(dir, 'fix-users.ndjson'), messages: join(dir, 'fix-messages.ndjson') };
  writeFileSync(files.users, users.text);
  const lines = messages.text.split('\n');
  const good = lines[250]!;
  lines[250] = '{"muid": broken';
  writeFileSync(files.messages, lines.join('\n'));
  await withSandbox({ now: () => NOW * 1000, requireKnownGroupsAndUsers: false }, async (sandbox) => {
    const state = join(dir, 'state-fixed-line');
    const args = ['migrate', '--users', files.users, '--messages', files.messages, ...sandboxTarget(sandbox, state), '--checkpoint-interval-ms', '100'];
    const stopped = await runCli(args);
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.match(stopped.stderr, /malformed input at byte \d+, line 251.*\[CM_INPUT_MALFORMED\]/);
    // The hint names migrate's way on, not import's flags.
    assert.match(stopped.stderr, /hint: fix or remove the bad record and run again with --resume; .*into the rejects file/);
    assert.doesNotMatch(stopped.stderr, /--checkpoint|--rejects/);
    const sentBefore = sandbox.accepted('messages').size;
    assert.ok(sentBefore > 0, 'the records before the bad line were sent');

    lines[250] = good;
    writeFileSync(files.messages, lines.join('\n'));
    const resumed = await runCli([...args, '--resume', '--json']);
    assert.equal(resumed.code, 3, resumed.stderr);
    assert.match(resumed.stderr, /inputs changed since the migration stopped/);
    const report = JSON.parse(resumed.stdout) as MigrationReport;
    assert.ok(report.phases.messages!.resumed, 'the messages phase went on from its checkpoint');
    assert.equal(report.phases.messages!.read, messages.read);
    assert.equal(report.phases.messages!.unsent, 0);
    assert.deepEqual([...sandbox.accepted('messages').keys()].sort(), [...messages.keys].sort(), 'every message, the fixed one included');

    // The users phase is done: its input may not change under it.
    writeFileSync(files.users, users.text.split('\n').slice(1).join('\n'));
    const refused = await runCli([...args, '--resume']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is not the users input it read .*the users phase that read it is done \[CM_RESUME_MISMATCH\]/);
  });
});
