// The sandbox's Rocket.Chat endpoints over 127.0.0.1: the seed's curl example (real curl when
// installed), permission and auth answers, both body forms, no operation, getImportFileData
// waiting, progress steps, the per-endpoint rate limit with its headers, and the CLI flags.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSandboxArgs } from '../src/cli/sandbox-command.js';
import { isChatmigrateError } from '../src/errors.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';
import { tempDir } from './helpers/run.js';

// The seed's example credentials and body (docs/rocketchat-start-import seed), verbatim apart from the email.
const SEED_USER = 'GonjPyg3gB3Z9ur9s';
const SEED_TOKEN = 'DTRPbgzQ0EDlTE3sdd3Nt7WfaWZE-lG1ayi9Pfa28Fm';
const SEED_BODY = `{
"input":
{
"users": [{
"user_id": "testbh", "username": "testbh", "email": "[email protected]",
"is_deleted": false,
"is_bot": false,
"do_import": true,
"is_email_taken": false
}],
"channels": [{
"channel_id": "WDuJLFkjwk6L7LdFC",
"name": "dlp",
"is_archived": false,
"do_import": true,
"is_private": false,
"is_direct": false
}]
}
}`;
const NO_PERMISSION = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };

async function withRc<T>(rc: SandboxOptions['rocketchat'], fn: (s: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox({ apiKey: 'unused-key', rocketchat: { userId: SEED_USER, authToken: SEED_TOKEN, plainUsers: [{ userId: 'plain', authToken: 'plain-token' }], ...rc } });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** The seed's curl command line, run with real curl; undefined when curl is not installed. */
function curl(url: string, userId: string, token: string): Promise<{ status: number; body: unknown } | undefined> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['--silent', '--show-error', '--location', `${url}/api/v1/startImport`, '--header', `x-auth-token: ${token}`, '--header', `x-user-id: ${userId}`,
      '--header', 'Content-Type: application/json', '--data-raw', SEED_BODY, '--write-out', '\n%{http_code}'], { timeout: 10_000 }, (err, stdout) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(undefined);
      if (err) return reject(err);
      const nl = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(nl + 1)), body: JSON.parse(stdout.slice(0, nl)) });
    });
  });
}

/** The same request with fetch (identical headers and body), the fallback without curl. */
async function send(url: string, path: string, userId: string | undefined, token: string | undefined, body?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (userId !== undefined) headers['X-User-Id'] = userId;
  if (token !== undefined) headers['X-Auth-Token'] = token;
  const res = await fetch(`${url}${path}`, body === undefined ? { headers } : { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

test("acceptance: the seed's curl example succeeds; a user without run-import gets the seed's No Permission body", async () => {
  await withRc({}, async (s) => {
    const ok = (await curl(s.url, SEED_USER, SEED_TOKEN)) ?? (await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, SEED_BODY));
    assert.deepEqual([ok.status, ok.body], [200, { success: true }]);
    const denied = (await curl(s.url, 'plain', 'plain-token')) ?? (await send(s.url, '/api/v1/startImport', 'plain', 'plain-token', SEED_BODY));
    assert.deepEqual([denied.status, denied.body], [403, NO_PERMISSION]);
    assert.deepEqual([...s.accepted('rocketchat-imports').values()], [{ form: 'array', users: { received: 1, selected: 1, all: false }, channels: { received: 1, selected: 1, all: false } }]);
    assert.deepEqual([...s.accepted('rocketchat-users').values()].map((u) => (u as { user_id: string }).user_id), ['testbh']);
  });
});

test('unknown or missing credentials get 401; headers are matched case-insensitively', async () => {
  await withRc({}, async (s) => {
    for (const [id, token] of [[SEED_USER, 'wrong'], [undefined, undefined], ['nobody', SEED_TOKEN]] as const) {
      const r = await send(s.url, '/api/v1/getImportProgress', id, token);
      assert.deepEqual([r.status, r.body], [401, { status: 'error', message: 'You must be logged in to do this.' }]);
      assert.ok(!JSON.stringify(r.body).includes(SEED_TOKEN));
    }
    assert.equal((await send(s.url, '/api/v1/getImportProgress', SEED_USER, SEED_TOKEN)).status, 200);
  });
});

test('body forms: each server accepts one and answers the other 400 invalid-params; missing fields too', async () => {
  const short = '{"input":{"users":{"all":false,"list":["testbh"]},"channels":{"all":true}}}';
  await withRc({ bodyForm: 'short' }, async (s) => {
    const refused = await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, SEED_BODY);
    assert.equal(refused.status, 400);
    assert.equal(refused.body['errorType'], 'invalid-params');
    const ok = await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, short);
    assert.deepEqual([ok.status, ok.body], [200, { success: true }]);
    assert.deepEqual([...s.accepted('rocketchat-users').values()], [{ id: 'testbh' }]);
  });
  await withRc({}, async (s) => {
    assert.equal((await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, short)).body['errorType'], 'invalid-params');
    const missing = await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, '{"input":{"users":[{"user_id":"a","username":"a"}],"channels":[]}}');
    assert.equal(missing.status, 400);
    assert.match(String(missing.body['error']), /required property 'email'.*\[invalid-params\]/);
    assert.equal(s.accepted('rocketchat-imports').size, 0, 'refused bodies are not recorded');
  });
});

test('no prepared operation: 400 error-operation-not-found', async () => {
  await withRc({ operationPrepared: false }, async (s) => {
    const r = await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, SEED_BODY);
    assert.equal(r.status, 400);
    assert.equal(r.body['errorType'], 'error-operation-not-found');
    assert.match(String(r.body['error']), /\[error-operation-not-found\]$/);
  });
});

test('getImportFileData waits N polls; progress walks the steps to importer_done or importer_import_failed', async () => {
  await withRc({ fileDataWaits: 2, progressPolls: 3 }, async (s) => {
    const data = [];
    for (let i = 0; i < 3; i++) data.push((await send(s.url, '/api/v1/getImportFileData', SEED_USER, SEED_TOKEN)).body);
    assert.deepEqual(data.slice(0, 2), [{ waiting: true, success: true }, { waiting: true, success: true }]);
    assert.equal((data[2]!['users'] as unknown[]).length, 3);
    assert.equal((await send(s.url, '/api/v1/getImportProgress', SEED_USER, SEED_TOKEN)).body['step'], 'importer_user_selection');
    await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, SEED_BODY);
    const steps = [];
    for (let i = 0; i < 3; i++) steps.push((await send(s.url, '/api/v1/getImportProgress', SEED_USER, SEED_TOKEN)).body);
    assert.deepEqual(steps.map((b) => b['step']), ['importer_importing_users', 'importer_importing_messages', 'importer_done']);
    assert.deepEqual(steps[2]!['count'], { total: 2, completed: 2, error: 0 });
  });
  await withRc({ progressPolls: 1, importFails: true }, async (s) => {
    await send(s.url, '/api/v1/startImport', SEED_USER, SEED_TOKEN, SEED_BODY);
    assert.equal((await send(s.url, '/api/v1/getImportProgress', SEED_USER, SEED_TOKEN)).body['step'], 'importer_import_failed');
  });
});

test('rate limit: per endpoint per client, X-RateLimit-* headers (reset in epoch ms), then 429', async () => {
  await withRc({ rateLimit: 3, rateWindowMs: 400 }, async (s) => {
    const before = Date.now();
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await send(s.url, '/api/v1/getImportProgress', SEED_USER, SEED_TOKEN));
    assert.deepEqual(seen.map((r) => r.status), [200, 200, 200, 429]);
    assert.deepEqual(seen.map((r) => r.headers.get('x-ratelimit-remaining')), ['2', '1', '0', '0']);
    const reset = Number(seen[3]!.headers.get('x-ratelimit-reset'));
    assert.ok(reset >= before + 400 && reset <= Date.now() + 400, `reset ${reset} is epoch ms, one window after the first call`);
    assert.match(String(seen[3]!.body['error']), /\[too-many-requests\]$/);
    // Another endpoint and another client have budgets of their own.
    assert.equal((await send(s.url, '/api/v1/getImportFileData', SEED_USER, SEED_TOKEN)).status, 200);
    assert.equal((await send(s.url, '/api/v1/getImportProgress', 'plain', 'plain-token')).status, 403);
    await new Promise((r) => setTimeout(r, Math.max(0, reset - Date.now() + 20)));
    assert.equal((await send(s.url, '/api/v1/getImportProgress', SEED_USER, SEED_TOKEN)).status, 200);
    assert.equal(s.stats().maxRequestsInWindow, 3);
  });
});

test('sandbox flags map to the Rocket.Chat options; bad values name the flag', () => {
  const dir = tempDir();
  const file = join(dir, 'data.json');
  writeFileSync(file, JSON.stringify({ users: [{ user_id: 'x' }], channels: [] }));
  const { options } = parseSandboxArgs(['--user-id', 'adm', '--auth-token', 'tok', '--plain-user', 'p1:t1', '--plain-user', 'p2:t:2', '--rc-body-form', 'short',
    '--rc-no-operation', '--rc-file-data', file, '--rc-file-data-waits', '2', '--rc-progress-polls', '4', '--rc-import-fails', '--rc-start-replies-lost', '3', '--rc-rate-limit', '5', '--rc-rate-window-ms', '1000'], {});
  assert.deepEqual(options.rocketchat, {
    userId: 'adm', authToken: 'tok', plainUsers: [{ userId: 'p1', authToken: 't1' }, { userId: 'p2', authToken: 't:2' }], bodyForm: 'short', operationPrepared: false,
    fileData: { users: [{ user_id: 'x' }], channels: [] }, fileDataWaits: 2, progressPolls: 4, importFails: true, startRepliesLost: 3, rateLimit: 5, rateWindowMs: 1000,
  });
  assert.equal(parseSandboxArgs([], { ROCKETCHAT_USER_ID: 'env-id', ROCKETCHAT_AUTH_TOKEN: 'env-tok' }).options.rocketchat?.authToken, 'env-tok');
  const usage = (args: string[], flag: string) => assert.throws(() => parseSandboxArgs(args, {}), (e) => isChatmigrateError(e) && e.code === 'CM_USAGE' && e.message.includes(flag));
  usage(['--rc-body-form', 'both'], '--rc-body-form');
  usage(['--plain-user', 'nocolon'], '--plain-user');
  usage(['--rc-rate-limit', '-1'], '--rc-rate-limit');
  usage(['--rc-start-replies-lost', 'x'], '--rc-start-replies-lost');
  assert.throws(() => parseSandboxArgs(['--plain-user', 'p:'], {}), (e) => isChatmigrateError(e) && !e.message.includes('secret'));
});
