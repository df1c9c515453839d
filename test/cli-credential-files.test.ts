// Secrets from files (issue 18.3): --api-key-file / --auth-token-file and their environment
// variables (COMETCHAT_API_KEY_FILE, ROCKETCHAT_AUTH_TOKEN_FILE), read once and trimmed, one
// clear order of precedence, errors that name the source and never the content, and the secret
// in no output of a whole run, debug logs included.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMETCHAT_API_KEY_SOURCES, resolveCredential, ROCKETCHAT_AUTH_TOKEN_SOURCES } from '../src/credentials.js';
import { isChatmigrateError } from '../src/errors.js';
import { resolveConfig } from '../src/config.js';
import { resolveRocketChatConfig } from '../src/rocketchat-import/config.js';
import { parseSandboxArgs } from '../src/cli/sandbox-command.js';
import { startSandbox } from '../src/sandbox/index.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';
import { withSandbox } from './helpers/sandbox.js';

const FIXTURE = 'fixtures/members.ndjson';
const KEY = 'kf-4b1e9d7c2a8f6035-secret'; // distinctive: a leak is easy to grep for
const TOKEN = 'tf-7c3d1a9e5b2f8046-token';
const CC = COMETCHAT_API_KEY_SOURCES;

function secretFile(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

const refusedWith = (fn: () => unknown, code: string, message: RegExp, content?: string): void =>
  assert.throws(fn, (err) => {
    assert.ok(isChatmigrateError(err), String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    if (content !== undefined) assert.ok(!(err.message + (err.hint ?? '')).includes(content), 'the content is not shown');
    return true;
  });

test('precedence: a flag (value or file) wins over the environment; two flags, or two variables, for one secret are refused', () => {
  const dir = tempDir();
  const file = secretFile(dir, 'key', `${KEY}\r\n`);
  const other = secretFile(dir, 'other', 'other-key\n');
  assert.equal(resolveCredential(CC, {}, {}), undefined);
  assert.deepEqual(resolveCredential(CC, { file }, {}), { value: KEY, source: '--api-key-file' });
  assert.deepEqual(resolveCredential(CC, { value: ` ${KEY} ` }, {}), { value: KEY, source: '--api-key' });
  assert.deepEqual(resolveCredential(CC, {}, { COMETCHAT_API_KEY_FILE: file }), { value: KEY, source: 'COMETCHAT_API_KEY_FILE' });
  assert.deepEqual(resolveCredential(CC, {}, { COMETCHAT_API_KEY: KEY }), { value: KEY, source: 'COMETCHAT_API_KEY' });
  // Flags over the environment, whichever form each takes.
  assert.equal(resolveCredential(CC, { file }, { COMETCHAT_API_KEY: 'env-key', COMETCHAT_API_KEY_FILE: other })?.value, KEY);
  assert.equal(resolveCredential(CC, { value: KEY }, { COMETCHAT_API_KEY_FILE: '/nonexistent' })?.value, KEY, 'an env file is not even read when a flag gives the key');
  // An empty variable counts as unset.
  assert.equal(resolveCredential(CC, {}, { COMETCHAT_API_KEY: '', COMETCHAT_API_KEY_FILE: file })?.value, KEY);
  refusedWith(() => resolveCredential(CC, { value: KEY, file }, {}), 'CM_USAGE', /^--api-key and --api-key-file both give the CometChat API key: pass one of them$/);
  refusedWith(() => resolveCredential(CC, {}, { COMETCHAT_API_KEY: KEY, COMETCHAT_API_KEY_FILE: file }), 'CM_CONFIG', /^COMETCHAT_API_KEY and COMETCHAT_API_KEY_FILE are both set/);
  refusedWith(() => resolveCredential(ROCKETCHAT_AUTH_TOKEN_SOURCES, { value: 't', file }, {}), 'CM_USAGE', /^--auth-token and --auth-token-file both give the Rocket.Chat auth token/);
});

test('a secret file that cannot serve is refused naming the flag or variable and the path, never the content', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'a-directory'));
  refusedWith(() => resolveCredential(CC, { file: join(dir, 'missing') }, {}), 'CM_CONFIG', /^--api-key-file ".*missing": no such file$/);
  refusedWith(() => resolveCredential(CC, { file: join(dir, 'a-directory') }, {}), 'CM_CONFIG', /^--api-key-file ".*a-directory": it is a directory$/);
  refusedWith(() => resolveCredential(CC, { file: secretFile(dir, 'empty', ' \r\n\n') }, {}), 'CM_CONFIG', /^--api-key-file ".*empty" is empty$/);
  refusedWith(() => resolveCredential(CC, {}, { COMETCHAT_API_KEY_FILE: secretFile(dir, 'two', `# prod key\n${KEY}\n`) }), 'CM_CONFIG', /^COMETCHAT_API_KEY_FILE ".*two" holds 2 lines: it must hold the secret alone on one line/, KEY);
  refusedWith(() => resolveCredential(CC, { file: secretFile(dir, 'env-style', `COMETCHAT_API_KEY=${KEY}\nX=1`) }, {}), 'CM_CONFIG', /holds 2 lines/, KEY);
  refusedWith(() => resolveCredential(CC, { file: secretFile(dir, 'big', KEY.repeat(1000)) }, {}), 'CM_CONFIG', /^--api-key-file ".*big" is over 16 KB/, KEY);
  refusedWith(() => resolveCredential(CC, { file: secretFile(dir, 'space', `${KEY} tail`) }, {}), 'CM_CONFIG', /^--api-key-file ".*space" holds a character an HTTP header cannot carry/, KEY);
  refusedWith(() => resolveCredential(CC, { file: '-' }, {}), 'CM_USAGE', /^--api-key-file expects the path of a file/);
  // A BOM and a CRLF line end, as editors on another system write them, are fine.
  assert.equal(resolveCredential(CC, { file: secretFile(dir, 'bom', `\uFEFF${KEY}\r\n`) }, {})?.value, KEY);
});

/** Every file under `dir` (report, rejects, checkpoint, journals) and the run's stdout and stderr. */
function assertAbsent(secret: string, r: CliResult, dir: string, label: string): void {
  assert.ok(!r.stdout.includes(secret), `${label}: on stdout`);
  assert.ok(!r.stderr.includes(secret), `${label}: on stderr`);
  for (const name of readdirSync(dir)) {
    if (name.startsWith('secret')) continue;
    assert.ok(!readFileSync(join(dir, name), 'utf8').includes(secret), `${label}: in ${name}`);
  }
}

test('import with --api-key-file or COMETCHAT_API_KEY_FILE: delivered, and the key is in no output (debug logs, retries, report, rejects, checkpoint)', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const keyFile = secretFile(dir, 'secret-key', `${KEY}\n`);
  const input = join(dir, 'members.ndjson');
  // The fixture (invalid records, a conflict) plus one member the sandbox refuses (unknown group).
  writeFileSync(input, readFileSync(FIXTURE, 'utf8') + '{"guid":"ghost","uid":"nobody"}\n');
  // Failures make the client log retries with what it knows about each request.
  await withSandbox({ apiKey: KEY, faults: { errorRate: 0.4, seed: 1 } }, async (sandbox) => {
    const run = async (label: string, extra: string[], env: NodeJS.ProcessEnv, format: string) => {
      const out = join(dir, label);
      mkdirSync(out);
      const r = await runCli(
        ['import', input, '--base-url', sandbox.baseUrl, '--now', String(NOW), '--rpm', '0', '--batch-size', '2', '--retry-min-ms', '5', '--retry-max-ms', '20', '--workers', '0', '--log-level', 'debug', '--log-format', format, '--json',
          '--report', join(out, 'report.json'), '--rejects', join(out, 'rejects.ndjson'), '--checkpoint', join(out, 'job.ckpt'), ...extra],
        { env },
      );
      assert.equal(r.code, 3, `${label}: ${r.stderr}`);
      assert.equal((JSON.parse(r.stdout) as { imported: number }).imported, 6, label);
      assert.match(r.stderr, format === 'json' ? /"level":20/ : /DEBUG/, `${label}: debug lines were logged`);
      assert.match(r.stderr, /will retry/, `${label}: retries were logged`);
      assertAbsent(KEY, r, out, label);
      sandbox.reset();
    };
    // The file flag wins over a (wrong) key in the environment.
    await run('flag', ['--api-key-file', keyFile], { COMETCHAT_API_KEY: 'wrong-env-key' }, 'json');
    await run('env', [], { COMETCHAT_API_KEY_FILE: keyFile }, 'pretty');
  });

  // A key the server refuses: the fatal path says so without the key.
  const wrong = secretFile(dir, 'secret-wrong', 'wrong-9d8c7b6a5f4e\n');
  await withSandbox({ apiKey: KEY }, async (sandbox) => {
    const out = join(dir, 'refused');
    mkdirSync(out);
    const r = await runCli(['import', input, '--base-url', sandbox.baseUrl, '--api-key-file', wrong, '--now', String(NOW), '--log-level', 'debug', '--json', '--report', join(out, 'report.json'), '--rejects', join(out, 'rejects.ndjson')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /\[CM_AUTH\]/);
    // The hint leads with the file form, the one the key came from here.
    assert.match(r.stderr, /\n {2}hint: use a REST API key with full access for this app and region \(--api-key-file FILE or COMETCHAT_API_KEY_FILE; --api-key or COMETCHAT_API_KEY\)\n/);
    assertAbsent('wrong-9d8c7b6a5f4e', r, out, 'refused key');
  });
});

test('the CLI: a bad key file is exit 2 naming the flag, nothing sent; validate never reads a key file', { timeout: 20_000 }, async () => {
  const dir = tempDir();
  const twoLines = secretFile(dir, 'secret-two', `${KEY}\nsecond-line\n`);
  await withSandbox({ apiKey: KEY }, async (sandbox) => {
    const r = await runCli(['import', FIXTURE, '--base-url', sandbox.baseUrl, '--api-key-file', twoLines]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--api-key-file ".*secret-two" holds 2 lines.*\[CM_CONFIG\]/);
    assert.ok(!r.stderr.includes(KEY) && !r.stderr.includes('second-line'), 'the content is not shown');
    assert.equal(sandbox.stats().requests, 0);
  });
  // Only an import sends the key: a validate beside a stale key file in the environment runs.
  assert.equal(resolveConfig('validate', { input: FIXTURE }, { COMETCHAT_API_KEY_FILE: join(dir, 'missing') }).apiKey, undefined);
});

test('import --to rocketchat with --auth-token-file or ROCKETCHAT_AUTH_TOKEN_FILE: the import runs, the token is in no output', { timeout: 20_000 }, async () => {
  const dir = tempDir();
  const tokenFile = secretFile(dir, 'secret-token', `${TOKEN}\n`);
  const selection = join(dir, 'selection.json');
  writeFileSync(selection, JSON.stringify({ users: [{ user_id: 'ann', username: 'ann', email: '', is_deleted: false, is_bot: false, do_import: true, is_email_taken: false }], channels: [] }));
  const sandbox = await startSandbox({ apiKey: 'unused', rocketchat: { userId: 'admin', authToken: TOKEN, rateLimit: 0, progressPolls: 2 } });
  try {
    // The environment's file form resolves the same way (one function for every command).
    assert.equal(resolveRocketChatConfig({ baseUrl: sandbox.url }, { ROCKETCHAT_USER_ID: 'admin', ROCKETCHAT_AUTH_TOKEN_FILE: tokenFile }).authToken, TOKEN);
    for (const [label, extra, env] of [['flag', ['--auth-token-file', tokenFile], { ROCKETCHAT_USER_ID: 'admin', ROCKETCHAT_AUTH_TOKEN: 'wrong-env-token' }]] as const) {
      const out = join(dir, label);
      mkdirSync(out);
      const r = await runCli(['import', '--to', 'rocketchat', selection, '--base-url', sandbox.url, '--poll-interval-ms', '20', '--log-level', 'debug', '--json', '--report', join(out, 'report.json'), ...extra], { env });
      assert.equal(r.code, 0, `${label}: ${r.stderr}`);
      assert.equal((JSON.parse(r.stdout) as { import: { step: string } }).import.step, 'importer_done');
      assert.match(r.stderr, /"msg":"rocketchat startImport accepted"/, 'the run logged (at debug level: everything)');
      assert.doesNotMatch(r.stderr, /show up in ps/, 'no warning about a flag value: the file form was used');
      assertAbsent(TOKEN, r, out, label);
    }
  } finally {
    await sandbox.close();
  }
});

test('the sandbox takes the same key and token files, so one file serves a rehearsal end to end', () => {
  const dir = tempDir();
  const keyFile = secretFile(dir, 'key', `${KEY}\n`);
  const tokenFile = secretFile(dir, 'token', `${TOKEN}\n`);
  const parsed = parseSandboxArgs(['--api-key-file', keyFile, '--auth-token-file', tokenFile], {});
  assert.equal(parsed.options.apiKey, KEY);
  assert.equal(parsed.options.rocketchat?.authToken, TOKEN);
  assert.equal(parsed.defaultKey, false);
  assert.equal(parseSandboxArgs([], { COMETCHAT_API_KEY_FILE: keyFile }).options.apiKey, KEY);
});
