// `chatmigrate migrate` through the real CLI into an in-process sandbox: a generated Rocket.Chat
// workspace lands in CometChat exactly as the generator planted it (every phase's counts by rule
// and reason, every delivered key once), a dry run counts the same and sends nothing, a finished
// migration is not run twice, kill -9 in any phase then --resume ends in the same report and the
// same records, and CometChat-shaped files per kind (messages from stdin) go the same way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateRocketChatWorkspace, type GeneratedWorkspace } from '../bench/generate-rocketchat.js';
import type { PhaseExpectation } from '../bench/rocketchat-workspace.js';
import type { MigrationReport } from '../src/migrate/migration-report.js';
import type { Report } from '../src/accounting/report.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { CLI, runCli } from './helpers/cli.js';
import { kindExport } from './helpers/kind-records.js';
import { NOW, tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';

const PHASES = ['users', 'groups', 'members', 'messages'] as const;
type Phase = (typeof PHASES)[number];

const dir = tempDir('cm-migrate-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

let workspace: Promise<GeneratedWorkspace> | undefined;
/** One generated workspace for the tests of this file (about 60 KB of messages). */
function generated(): Promise<GeneratedWorkspace> {
  workspace ??= generateRocketChatWorkspace({ dir: join(dir, 'workspace'), now: NOW, messages: 400, arrays: ['rooms'], gzip: ['messages'] });
  return workspace;
}

function rocketChatArgs(ws: GeneratedWorkspace, sandbox: Sandbox, stateDir: string): string[] {
  const f = ws.files;
  return ['migrate', '--from', 'rocketchat', '--users', f.users, '--rooms', f.rooms, '--subscriptions', f.subscriptions, '--messages', f.messages, ...common(sandbox, stateDir)];
}

function common(sandbox: Sandbox, stateDir: string): string[] {
  return ['--state-dir', stateDir, '--base-url', sandbox.baseUrl, '--api-key', SANDBOX_KEY, '--rpm', '0', '--now', String(NOW), '--json', '--log-level', 'warn', '--retry-min-ms', '5', '--retry-max-ms', '50'];
}

function reportOf(stdout: string): MigrationReport {
  return JSON.parse(stdout) as MigrationReport;
}

/** A phase's counts by rule and reason, in the generator's terms. */
function phaseCounts(r: Report): PhaseExpectation {
  return { read: r.read, valid: r.valid, skippedBy: r.skippedBy ?? {}, invalidBy: r.reasons };
}

function sorted(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** Each phase's counts as the generator planted them. */
function assertPlanted(report: MigrationReport, ws: GeneratedWorkspace): void {
  for (const phase of PHASES) {
    const got = phaseCounts(report.phases[phase]!);
    const want = ws.expected[phase];
    assert.deepEqual({ ...got, skippedBy: sorted(got.skippedBy), invalidBy: sorted(got.invalidBy) }, { ...want, skippedBy: sorted(want.skippedBy), invalidBy: sorted(want.invalidBy) }, `${phase} counts`);
  }
}

/** What the sandbox holds is what the generator planted: every key once, each message as meant. */
function assertDelivered(sandbox: Sandbox, ws: GeneratedWorkspace): void {
  assert.deepEqual([...sandbox.accepted('users').keys()].sort(), [...ws.keys.users].sort(), 'users');
  assert.deepEqual([...sandbox.accepted('groups').keys()].sort(), [...ws.keys.groups].sort(), 'groups');
  assert.deepEqual([...sandbox.accepted('members').keys()].sort(), [...ws.keys.members].sort(), 'members');
  const messages = new Map<string, string>();
  for (const [muid, m] of sandbox.accepted('messages') as Map<string, Record<string, string>>) messages.set(muid, `${m['sender']}|${m['receiverType']}|${m['receiver']}|${m['type']}`);
  assert.deepEqual(new Map([...messages].sort()), new Map([...ws.keys.messages!].sort()), 'messages');
}

/** Counts that must not depend on how many runs it took (requests do: kill -9 loses the last ones). */
function settledCounts(report: MigrationReport): Record<string, unknown> {
  return Object.fromEntries(
    PHASES.map((p) => {
      const r = report.phases[p]!;
      return [p, { read: r.read, valid: r.valid, invalid: r.invalid, skipped: r.skipped, duplicates: r.duplicates, delivered: (r.imported ?? 0) + (r.alreadyPresent ?? 0), rejected: r.rejected, unsent: r.unsent, reasons: r.reasons, skippedBy: r.skippedBy, status: r.status }];
    }),
  );
}

let uninterrupted: MigrationReport | undefined;

test('a Rocket.Chat workspace: the dry run counts what the migration then delivers, every record once; a finished migration is not run again', async () => {
  const ws = await generated();
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const stateDir = join(dir, 'state-full');
    const dry = await runCli([...rocketChatArgs(ws, sandbox, stateDir), '--dry-run']);
    assert.equal(dry.code, 3, dry.stderr); // some records are invalid (id collisions, a room not found)
    const planned = reportOf(dry.stdout);
    assert.equal(planned.dryRun, true);
    assert.equal(sandbox.stats().requests, 0, 'a dry run sends nothing');
    assertPlanted(planned, ws);
    assert.equal(planned.placeholders?.users, ws.expected.placeholders.users);
    assert.equal(planned.placeholders?.messages, ws.expected.placeholders.messages);

    const real = await runCli(rocketChatArgs(ws, sandbox, stateDir));
    assert.equal(real.code, 3, real.stderr);
    const report = reportOf(real.stdout);
    assertPlanted(report, ws);
    assertDelivered(sandbox, ws);
    for (const phase of PHASES) {
      const r = report.phases[phase]!;
      assert.equal(r.imported, r.valid, `${phase}: all valid records imported`);
      assert.equal(r.unsent, 0);
    }
    assert.deepEqual(report.notRun, []);
    assert.equal(report.totals.imported, PHASES.reduce((n, p) => n + report.phases[p]!.valid, 0));
    assert.equal(report.plan.requests, 0, 'nothing left to send');
    // Each phase's files are where the summary says, and the state says every phase is done.
    const state = JSON.parse(readFileSync(join(stateDir, 'migration.json'), 'utf8')) as { phases: Record<Phase, string> };
    assert.deepEqual(state.phases, { users: 'done', groups: 'done', members: 'done', messages: 'done' });
    assert.deepEqual(JSON.parse(readFileSync(join(stateDir, 'messages.report.json'), 'utf8')), report.phases.messages);
    const rejects = readFileSync(join(stateDir, 'members.rejects.ndjson'), 'utf8').trim().split('\n');
    assert.equal(rejects.length, report.phases.members!.invalid);
    uninterrupted = report;

    const requests = sandbox.stats().requests;
    const again = await runCli(rocketChatArgs(ws, sandbox, stateDir));
    assert.equal(again.code, 3);
    const shown = reportOf(again.stdout);
    assert.equal(shown.alreadyFinished, true);
    assert.deepEqual(settledCounts(shown), settledCounts(report));
    assert.equal(sandbox.stats().requests, requests, 'a finished migration sends nothing again');
    assert.match(again.stderr, /finished/);
  });
});

/** Starts the CLI and kills it with SIGKILL once `when` holds (polled), or fails if it ends first. */
async function killWhen(args: readonly string[], when: () => boolean, what: string): Promise<void> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let ended: number | null | undefined;
  void exited.then((code) => (ended = code));
  for (let i = 0; i < 2000 && ended === undefined && !when(); i++) await sleep(5);
  assert.equal(ended, undefined, `the migration ended (code ${String(ended)}) before ${what}: ${stderr}`);
  assert.ok(when(), `${what} did not happen within 10 s`);
  child.kill('SIGKILL');
  await exited;
}

test('kill -9 in the members phase, then in the messages phase: --resume ends in the uninterrupted report and delivers every record once', async () => {
  const ws = await generated();
  // Slow answers keep each phase long enough to be killed in.
  await withSandbox({ now: () => NOW * 1000, faults: { latencyMs: 40 } }, async (sandbox) => {
    const stateDir = join(dir, 'state-killed');
    const args = [...rocketChatArgs(ws, sandbox, stateDir), '--connections', '1', '--checkpoint-interval-ms', '100'];
    const byKind = (kind: Phase): number => sandbox.stats().byKind[kind]?.requests ?? 0;
    await killWhen(args, () => byKind('members') >= 1, 'the first members request');
    const afterFirst = JSON.parse(readFileSync(join(stateDir, 'migration.json'), 'utf8')) as { phases: Record<string, string> };
    assert.deepEqual(afterFirst.phases, { users: 'done', groups: 'done' }, 'killed in the members phase');

    await killWhen([...args, '--resume'], () => byKind('messages') >= 3, 'the third messages request');
    const resumed = await runCli([...args, '--resume']);
    assert.equal(resumed.code, 3, resumed.stderr);
    const report = reportOf(resumed.stdout);
    assert.ok(report.phases.messages!.resumed, 'the messages phase took over from its checkpoint');
    assertPlanted(report, ws);
    assertDelivered(sandbox, ws);
    if (uninterrupted) assert.deepEqual(settledCounts(report), settledCounts(uninterrupted));
    // At least once: a batch in flight at a kill may be sent again (CometChat answers "already
    // present"), at most one batch per kill with one connection.
    assert.ok(sandbox.stats().duplicateDeliveries <= 2 * 50, `${sandbox.stats().duplicateDeliveries} records sent twice`);
  });
});

test('CometChat-shaped files per kind, messages from stdin: each phase imports its file; a resume with another file is refused', async () => {
  const users = kindExport('users', 120, 3);
  const groups = kindExport('groups', 60, 4);
  const messages = kindExport('messages', 300, 5);
  const files = { users: join(dir, 'users.ndjson'), groups: join(dir, 'groups.ndjson') };
  writeFileSync(files.users, users.text);
  writeFileSync(files.groups, groups.text);
  await withSandbox({ now: () => NOW * 1000, requireKnownGroupsAndUsers: false }, async (sandbox) => {
    const stateDir = join(dir, 'state-files');
    const args = ['migrate', '--users', files.users, '--groups', files.groups, '--messages', '-', ...common(sandbox, stateDir)];
    const run = await runCli(args, { stdin: messages.text });
    assert.equal(run.code, 3, run.stderr);
    const report = reportOf(run.stdout);
    assert.deepEqual(report.notRun, ['members']);
    for (const [phase, exp] of [['users', users], ['groups', groups], ['messages', messages]] as const) {
      const r = report.phases[phase]!;
      assert.equal(r.read, exp.read, `${phase} read`);
      assert.equal(r.invalid, exp.invalid.length, `${phase} invalid`);
      assert.equal(r.duplicates, exp.duplicates, `${phase} duplicates`);
      assert.equal(r.imported, exp.keys.length, `${phase} imported`);
      assert.deepEqual([...sandbox.accepted(phase).keys()], exp.keys, `${phase}: the keys, in input order`);
    }
    assert.equal(report.phases.messages!.skippedBy?.['retention'], messages.retention);
    assert.equal(report.phases.messages!.input.name, 'stdin');

    // Another file where the users were: refused before anything is sent, whatever the phase.
    const requests = sandbox.stats().requests;
    const other = await runCli(['migrate', '--users', files.groups, '--groups', files.groups, '--messages', '-', ...common(sandbox, stateDir), '--resume'], { stdin: messages.text });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /is not the users input it read .*\[CM_RESUME_MISMATCH\]/);
    assert.equal(sandbox.stats().requests, requests);
  });
});
