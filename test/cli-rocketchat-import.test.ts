// The real `chatmigrate import --to rocketchat` binary in a child process against the sandbox's
// Rocket.Chat endpoints: array and short-form servers, 401/403/no operation, rate-limited
// polling, selection rules and dedupe from stdin, getImportFileData waiting, a failed import,
// usage errors, --help, and the auth token absent from every output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';
import type { RocketChatReport } from '../src/rocketchat-import/report.js';
import { CLI, runCli, type CliResult } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';

const ADMIN = 'rc-admin-id';
const TOKEN = 'rc-tok-9f3b27c1d84e6a05'; // distinctive: a leak is easy to grep for
const ENV = { ROCKETCHAT_USER_ID: ADMIN, ROCKETCHAT_AUTH_TOKEN: TOKEN };

async function withRc<T>(rc: SandboxOptions['rocketchat'], fn: (s: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox({ apiKey: 'unused-key', rocketchat: { userId: ADMIN, authToken: TOKEN, plainUsers: [{ userId: 'plain', authToken: 'plain-token-x' }], rateLimit: 0, progressPolls: 2, ...rc } });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

const SELECTION = {
  users: [
    { user_id: 'ann', username: 'ann', email: 'ann@example.com', is_deleted: false, is_bot: false, do_import: true, is_email_taken: false },
    { user_id: 'rocket.cat', username: 'rocket.cat', email: '', is_deleted: false, is_bot: true, do_import: true, is_email_taken: false },
    { user_id: 'gone', username: 'gone', email: 'g@example.com', is_deleted: true, is_bot: false, do_import: true, is_email_taken: false },
    { user_id: 'ann', username: 'ann-duplicate', email: '', is_deleted: false, is_bot: false, do_import: true, is_email_taken: false },
    { user_id: 'tmp-1', username: 'temp', email: '', is_deleted: false, is_bot: false, do_import: true, is_email_taken: false },
  ],
  channels: [
    { channel_id: 'gen', name: 'general', is_archived: false, do_import: true, is_private: false, is_direct: false },
    { channel_id: 'old', name: 'old', is_archived: true, do_import: true, is_private: false, is_direct: false },
    { channel_id: '__directMessages__', name: 'Direct Messages', is_archived: false, do_import: true, is_private: true, is_direct: true },
    { channel_id: 'gen', name: 'general-again', is_archived: false, do_import: true, is_private: false, is_direct: false },
  ],
};
const RULES = ['--skip-bots', '--skip-deleted', '--skip-archived', '--skip-direct', '--exclude', '^tmp-'];

function flags(s: Sandbox, report: string, ...more: string[]): string[] {
  return ['import', '--to', 'rocketchat', '--base-url', s.url, '--poll-interval-ms', '20', '--retry-min-ms', '5', '--retry-max-ms', '50', '--report', report, ...more];
}

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RocketChatReport;

function assertNoSecret(r: CliResult, ...files: string[]): void {
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), 'the auth token is not printed');
  for (const f of files) {
    try {
      assert.ok(!readFileSync(f, 'utf8').includes(TOKEN), `the auth token is not in ${f}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

test('array-form server: the input file is selected by the rules, deduplicated, imported; exit 0', async () => {
  const dir = tempDir();
  const input = join(dir, 'selection.json');
  writeFileSync(input, JSON.stringify({ input: SELECTION }));
  const report = join(dir, 'report.json');
  await withRc({}, async (s) => {
    const r = await runCli([...flags(s, report, ...RULES, '--progress'), input], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const rep = readReport(report);
    assert.deepEqual(rep.selection.users, { read: 5, invalid: 0, duplicates: 1, skipped: 3, skippedBy: { bot: 1, deleted: 1, exclude: 1 }, selected: 1 });
    assert.deepEqual(rep.selection.channels, { read: 4, invalid: 0, duplicates: 1, skipped: 2, skippedBy: { archived: 1, direct: 1 }, selected: 1 });
    assert.equal(rep.read, rep.invalid + rep.skipped + rep.duplicates + rep.valid);
    assert.deepEqual([rep.form, rep.fellBack, rep.status, rep.exitCode], ['array', false, 'ok', 0]);
    assert.deepEqual(rep.import, { step: 'importer_done', count: { total: 2, completed: 2, error: 0 } });
    assert.equal(rep.requests, 1 + 1 + 2, 'a progress check, one startImport, two progress polls');
    // Skipped entries travel with do_import false; duplicates not at all.
    assert.deepEqual([...s.accepted('rocketchat-imports').values()], [{ form: 'array', users: { received: 4, selected: 1, all: false }, channels: { received: 3, selected: 1, all: false } }]);
    assert.deepEqual([...s.accepted('rocketchat-users').values()], [SELECTION.users[0]]);
    assert.deepEqual([...s.accepted('rocketchat-channels').values()], [SELECTION.channels[0]]);
    assert.match(r.stderr, /users: 5 read = 1 selected \+ 3 skipped/);
    assert.match(r.stderr, /\rrocketchat import: importer_done {2}2\/2/, '--progress draws the step and counts');
    assertNoSecret(r, report);
  });
});

test('short-form server: the array form is refused with invalid-params, the short form is sent once', async () => {
  const dir = tempDir();
  const report = join(dir, 'report.json');
  await withRc({ bodyForm: 'short' }, async (s) => {
    // getImportFileData's own shape, through stdin.
    const r = await runCli([...flags(s, report, '--skip-bots'), '-'], { env: ENV, stdin: JSON.stringify(SELECTION) });
    assert.equal(r.code, 0, r.stderr);
    const rep = readReport(report);
    assert.deepEqual([rep.form, rep.fellBack, rep.input.source], ['short', true, 'stdin']);
    assert.equal(rep.requests, 1 + 2 + 2, 'a progress check, two startImport, two polls');
    assert.deepEqual([...s.accepted('rocketchat-users').values()], [{ id: 'ann' }, { id: 'gone' }, { id: 'tmp-1' }]);
    assert.deepEqual([...s.accepted('rocketchat-channels').values()], [{ id: 'gen' }, { id: 'old' }, { id: '__directMessages__' }]);
    assert.deepEqual([...s.accepted('rocketchat-imports').values()].map((i) => (i as { users: { all: boolean } }).users.all), [false], 'stdin may be a subset: never all');
  });
});

test('no INPUT: getImportFileData is polled while it answers waiting, then the whole list goes as all', async () => {
  const dir = tempDir();
  const report = join(dir, 'report.json');
  await withRc({ fileDataWaits: 2, bodyForm: 'short' }, async (s) => {
    const r = await runCli(flags(s, report), { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const rep = readReport(report);
    assert.equal(rep.input.source, 'server');
    assert.equal(rep.requests, 3 + 1 + 2 + 2, 'three getImportFileData, a progress check, two startImport, two polls');
    assert.deepEqual(rep.selection.users.selected, 3);
    assert.deepEqual([...s.accepted('rocketchat-imports').values()], [{ form: 'short', users: { received: 0, selected: 0, all: true }, channels: { received: 0, selected: 0, all: true } }]);
  });
});

test('401, 403 and no operation are clear, final errors (exit 1, one request each)', async () => {
  const dir = tempDir();
  const input = join(dir, 'selection.json');
  writeFileSync(input, JSON.stringify(SELECTION));
  const report = join(dir, 'report.json');
  await withRc({}, async (s) => {
    const bad = await runCli([...flags(s, report), input], { env: { ...ENV, ROCKETCHAT_AUTH_TOKEN: 'not-the-token' } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /refused the credentials \(HTTP 401.*\[CM_AUTH\]/);
    assert.equal(readReport(report).requests, 1);
    const plain = await runCli([...flags(s, report, '--user-id', 'plain'), input], { env: { ...ENV, ROCKETCHAT_AUTH_TOKEN: 'plain-token-x' } });
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /lacks the run-import permission.*\[CM_AUTH\]/);
    assert.match(plain.stderr, /hint: .*run-import/);
  });
  await withRc({ operationPrepared: false }, async (s) => {
    const r = await runCli([...flags(s, report), input], { env: ENV });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no import operation.*\[CM_TARGET\]/);
    assert.match(r.stderr, /hint: upload and prepare an import file first \(Administration → Import/);
    const rep = readReport(report);
    assert.deepEqual([rep.status, rep.error?.code, rep.form, rep.requests], ['failed', 'CM_TARGET', null, 1]);
    assertNoSecret(r, report);
  });
});

test('the import fails on the server: exit 1 with the final counts', async () => {
  const dir = tempDir();
  const report = join(dir, 'report.json');
  await withRc({ importFails: true, progressPolls: 2 }, async (s) => {
    const r = await runCli([...flags(s, report), '-'], { env: ENV, stdin: JSON.stringify(SELECTION) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /importer_import_failed/);
    assert.equal(readReport(report).import?.step, 'importer_import_failed');
  });
});

test("rate-limited polling: the server's X-RateLimit-Remaining/-Reset are honoured, so no 429", async () => {
  const dir = tempDir();
  const report = join(dir, 'report.json');
  await withRc({ rateLimit: 2, rateWindowMs: 700, progressPolls: 5 }, async (s) => {
    const started = Date.now();
    // A client budget far above the server's: only the server's headers can pace the polls.
    const r = await runCli([...flags(s, report, '--rpm', '1000', '--log-level', 'debug', '--auth-token', TOKEN), '-'], { env: { ROCKETCHAT_USER_ID: ADMIN }, stdin: JSON.stringify(SELECTION) });
    assert.equal(r.code, 0, r.stderr);
    const stats = s.stats();
    assert.equal(stats.byStatus['429'] ?? 0, 0, JSON.stringify(stats));
    assert.ok(stats.maxRequestsInWindow <= 2);
    // Five polls at two per window need at least two more windows.
    assert.ok(Date.now() - started >= 2 * 700, `took ${Date.now() - started} ms`);
    assert.match(r.stderr, /show up in ps/, 'a flag credential draws a warning');
    assertNoSecret(r, report);
  });
});

test('a 429 (budget used by another client of the same user) waits for X-RateLimit-Reset and goes on', async () => {
  const dir = tempDir();
  const report = join(dir, 'report.json');
  await withRc({ rateLimit: 2, rateWindowMs: 5000, progressPolls: 1 }, async (s) => {
    // Another session of the same user spends the getImportProgress budget first.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${s.url}/api/v1/getImportProgress`, { headers: { 'X-User-Id': ADMIN, 'X-Auth-Token': TOKEN } });
      await res.arrayBuffer();
    }
    const r = await runCli([...flags(s, report, '--rpm', '1000'), '-'], { env: ENV, stdin: JSON.stringify(SELECTION) });
    assert.equal(r.code, 0, r.stderr);
    const rep = readReport(report);
    assert.equal(rep.throttled, 1);
    assert.equal(rep.import?.step, 'importer_done');
    assert.equal(s.stats().byStatus['429'], 1, 'one 429, then the client waited for the reset');
  });
});

test('SIGINT while the import runs: exit 130, report says interrupted', async () => {
  const dir = tempDir();
  const report = join(dir, 'report.json');
  await withRc({ progressPolls: 1_000_000 }, async (s) => {
    const child = spawn(process.execPath, [CLI, ...flags(s, report), '-'], { env: { ...process.env, ...ENV }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(JSON.stringify(SELECTION));
    // Wait until the import has started (the sandbox recorded the startImport), then interrupt.
    for (let i = 0; i < 200 && s.accepted('rocketchat-imports').size === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 130, stderr);
    const rep = readReport(report);
    assert.deepEqual([rep.status, rep.exitCode, rep.form], ['interrupted', 130, 'array']);
    assert.match(stderr, /keeps running on the server/);
  });
});

test('usage: missing credentials, CometChat-only flags, bad regex exit 2; --help lists the Rocket.Chat flags', async () => {
  const base = ['import', '--to', 'rocketchat', '--base-url', 'http://127.0.0.1:9'];
  const noToken = await runCli(base, { env: { ROCKETCHAT_USER_ID: 'x', ROCKETCHAT_AUTH_TOKEN: '' } });
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /no Rocket.Chat auth token: pass --auth-token-file FILE, set ROCKETCHAT_AUTH_TOKEN_FILE or ROCKETCHAT_AUTH_TOKEN, or pass --auth-token/);
  const batch = await runCli([...base, '--batch-size', '5'], { env: ENV });
  assert.equal(batch.code, 2);
  assert.match(batch.stderr, /--batch-size does not apply to --to rocketchat/);
  const regex = await runCli([...base, '--exclude', '(['], { env: ENV });
  assert.equal(regex.code, 2);
  assert.match(regex.stderr, /--exclude expects a JavaScript regular expression/);
  const help = await runCli(['import', '--help']);
  for (const flag of ['--user-id', '--auth-token', '--skip-bots', '--skip-deleted', '--skip-archived', '--skip-direct', '--exclude REGEX', '--poll-interval-ms', '--import-timeout-ms', 'ROCKETCHAT_AUTH_TOKEN']) {
    assert.ok(help.stdout.includes(flag), `help lists ${flag}`);
  }
});

test('credentials from a CRLF file are trimmed and work; a control character inside is refused (exit 2) without showing the value', async () => {
  await withRc({}, async (s) => {
    const dir = tempDir('rc-crlf');
    const crlf = await runCli(flags(s, join(dir, 'r.json')), { env: { ROCKETCHAT_USER_ID: `${ADMIN}\r\n`, ROCKETCHAT_AUTH_TOKEN: `${TOKEN}\r\n` } });
    assert.equal(crlf.code, 0, crlf.stderr);
    assert.equal(readReport(join(dir, 'r.json')).import?.step, 'importer_done');
    const before = s.stats().requests;
    const broken = `${TOKEN.slice(0, 6)}\u0001${TOKEN.slice(6)}`;
    const bad = await runCli(flags(s, join(dir, 'bad.json')), { env: { ROCKETCHAT_USER_ID: ADMIN, ROCKETCHAT_AUTH_TOKEN: broken } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ROCKETCHAT_AUTH_TOKEN holds a character an HTTP header cannot carry/);
    assert.ok(!bad.stderr.includes(TOKEN.slice(6)), 'the value is not shown');
    assert.equal(s.stats().requests, before, 'nothing sent');
  });
});
