// `import --to rocketchat` (library flow) on what must not start an import, or must not pass for
// a clean one: short-form or list-less selections, a getImportFileData reply without lists,
// invalid entries (exit 3, each named in the log), server-side import errors (exit 3), and a
// token scrubber that hides secrets without mangling the server's words; the dry run behind
// `validate --to rocketchat`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createLogger } from '../src/observability/logger.js';
import { createScrubber } from '../src/sinks/scrub.js';
import { resolveRocketChatConfig } from '../src/rocketchat-import/config.js';
import { runRocketChatImport } from '../src/rocketchat-import/import-flow.js';
import type { RocketChatReport } from '../src/rocketchat-import/report.js';
import { formatRocketChatSummary } from '../src/rocketchat-import/report.js';
import { tempDir } from './helpers/run.js';

const ENV = { ROCKETCHAT_USER_ID: 'rc-admin', ROCKETCHAT_AUTH_TOKEN: 'rc-token-5e1c0d9a77' };

function logSink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function run(baseUrl: string, input: string | undefined, stdin?: string, logs = logSink()): Promise<RocketChatReport> {
  const config = resolveRocketChatConfig({ to: 'rocketchat', baseUrl, input, pollIntervalMs: 10, retryMinMs: 5, retryMaxMs: 20, progress: false }, ENV);
  return runRocketChatImport(config, { logger: createLogger('warn', logs.stream), ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }) });
}

async function withSandbox<T>(fn: (s: Sandbox) => Promise<T>): Promise<T> {
  const s = await startSandbox({ apiKey: 'unused', rocketchat: { userId: ENV.ROCKETCHAT_USER_ID, authToken: ENV.ROCKETCHAT_AUTH_TOKEN, rateLimit: 0, progressPolls: 1 } });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** A stand-in Rocket.Chat that answers each endpoint with a fixed body (what the sandbox never says). */
async function withFixedServer<T>(replies: Record<string, unknown>, fn: (url: string, hits: string[]) => Promise<T>): Promise<T> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    const name = (req.url ?? '').replace('/api/v1/', '');
    hits.push(name);
    const body = replies[name];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { success: false, error: 'not found [error-not-found]' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

test('a short-form or list-less selection is refused before any request: nothing is started', async () => {
  await withSandbox(async (s) => {
    const cases: Array<[string, RegExp]> = [
      ['{"input":{"users":{"all":false,"list":["a","b"]},"channels":{"all":true,"list":[]}}}', /"users" is in the short form/],
      ['{"users":[{"user_id":"a"}],"channels":{"all":true,"list":[]}}', /"channels" is in the short form/],
      ['{"input":{"users":null,"channels":[]}}', /"users" is not a list/],
      ['{"foo":1}', /holds neither a "users" nor a "channels" list/],
      ['{"input":{"user":[{"user_id":"a"}]}}', /holds neither a "users" nor a "channels" list/],
      // Past the first 4 KB slice the reader is still mid-document when the shape is judged.
      [`{"users":{"all":false,"list":${JSON.stringify(Array.from({ length: 2000 }, (_, i) => `user-${i}`))}},"channels":[]}`, /"users" is in the short form/],
      [`{"users":"everyone","channels":${JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ channel_id: `c${i}`, name: `channel-${i}` })))}}`, /"users" is not a list/],
    ];
    for (const [text, message] of cases) {
      const r = await run(s.url, '-', text);
      assert.equal(r.error?.code, 'CM_INPUT_FORMAT', text);
      assert.match(r.error!.message, message, text);
      assert.deepEqual([r.exitCode, r.requests, r.form], [1, 0, null], text);
    }
    assert.equal(s.accepted('rocketchat-imports').size, 0, 'no import was started');
    // One list alone is a selection (the other is empty).
    const one = await run(s.url, '-', '{"users":[{"user_id":"a","username":"a"}]}');
    assert.deepEqual([one.exitCode, one.valid, one.form], [0, 1, 'array']);
  });
});

test('a startImport that started the import but lost its reply is not sent again; one whose reply was refused is', async () => {
  for (const lost of [1, 2]) {
    const s = await startSandbox({ apiKey: 'unused', rocketchat: { userId: ENV.ROCKETCHAT_USER_ID, authToken: ENV.ROCKETCHAT_AUTH_TOKEN, rateLimit: 0, progressPolls: 2, startRepliesLost: lost } });
    try {
      const logs = logSink();
      const r = await run(s.url, undefined, undefined, logs);
      assert.deepEqual([r.status, r.exitCode, r.form, r.import?.step], ['ok', 0, 'array', 'importer_done'], logs.text());
      assert.equal(s.accepted('rocketchat-imports').size, 1, 'started exactly once');
      assert.equal(r.retries, 1, 'one retry: the progress check answered it');
      assert.match(logs.text(), /startImport got no answer, but the import is running: not sending it again/);
    } finally {
      await s.close();
    }
  }
  // A failure before the import started (the sandbox's 503 comes before the body is read) is sent again.
  const s = await startSandbox({ apiKey: 'unused', faults: { errorRate: 0.5, seed: 7 }, rocketchat: { userId: ENV.ROCKETCHAT_USER_ID, authToken: ENV.ROCKETCHAT_AUTH_TOKEN, rateLimit: 0, progressPolls: 1 } });
  try {
    const r = await run(s.url, undefined);
    assert.deepEqual([r.status, r.exitCode], ['ok', 0]);
    assert.equal(s.accepted('rocketchat-imports').size, 1);
  } finally {
    await s.close();
  }
});

test('a lost startImport reply while the server still shows an earlier import\'s end: the run stops, no second import', async () => {
  // Each run's first startImport is accepted but its reply is lost; with one poll the import ends at once.
  const s = await startSandbox({ apiKey: 'unused', rocketchat: { userId: ENV.ROCKETCHAT_USER_ID, authToken: ENV.ROCKETCHAT_AUTH_TOKEN, rateLimit: 0, progressPolls: 1, startRepliesLost: 2 } });
  try {
    const first = await run(s.url, undefined);
    assert.deepEqual([first.status, first.exitCode], ['ok', 0]);
    assert.equal(s.accepted('rocketchat-imports').size, 1);
    const second = await run(s.url, undefined);
    assert.deepEqual([second.status, second.exitCode, second.error?.code], ['failed', 1, 'CM_TARGET']);
    assert.match(second.error?.message ?? '', /startImport got no answer, and the server still shows the state it showed before \(importer_done/);
    assert.equal(s.accepted('rocketchat-imports').size, 2, 'the lost attempt counted once; nothing sent again');
  } finally {
    await s.close();
  }
});

test('a run stopped while its import runs leaves it running; running the command again does not start a second one', async () => {
  const s = await startSandbox({ apiKey: 'unused', rocketchat: { userId: ENV.ROCKETCHAT_USER_ID, authToken: ENV.ROCKETCHAT_AUTH_TOKEN, rateLimit: 0, progressPolls: 1000 } });
  try {
    const controller = new AbortController();
    const config = resolveRocketChatConfig({ to: 'rocketchat', baseUrl: s.url, pollIntervalMs: 10, retryMinMs: 5, retryMaxMs: 20, progress: false }, ENV);
    const first = runRocketChatImport(config, { logger: createLogger('warn', logSink().stream), signal: controller.signal });
    for (let i = 0; i < 500 && s.accepted('rocketchat-imports').size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    assert.equal((await first).status, 'interrupted');
    assert.equal(s.accepted('rocketchat-imports').size, 1);

    const again = await run(s.url, undefined);
    assert.deepEqual([again.status, again.exitCode, again.error?.code, again.startImportSent, again.form], ['failed', 1, 'CM_TARGET', false, null]);
    assert.match(again.error?.message ?? '', /an import is already running on the server \(importer_importing_\w+, \d+\/\d+ completed\): not starting a second one/);
    assert.match(formatRocketChatSummary(again), /startImport: not sent;/);
    assert.equal(s.accepted('rocketchat-imports').size, 1, 'still one import');
  } finally {
    await s.close();
  }
});

test('a getImportFileData reply without lists is a target error, not an empty import', async () => {
  await withFixedServer({ getImportFileData: { success: true }, startImport: { success: true } }, async (url, hits) => {
    const r = await run(url, undefined);
    assert.equal(r.error?.code, 'CM_TARGET');
    assert.match(r.error!.message, /getImportFileData reply holds neither a "users" nor a "channels" list/);
    assert.equal(r.exitCode, 1);
    assert.deepEqual(hits, ['getImportFileData'], 'startImport was never called');
  });
});

test('invalid entries are not sent, named in the log by kind and index, and make exit 3', async () => {
  await withSandbox(async (s) => {
    const logs = logSink();
    const text = JSON.stringify({ users: [{ user_id: 'ann', username: 'ann' }, 7, { username: 'no-id' }, { user_id: '' }], channels: [{ channel_id: 'gen', name: 'general' }, null] });
    const r = await run(s.url, '-', text, logs);
    assert.deepEqual([r.status, r.exitCode, r.invalid, r.valid], ['some-invalid', 3, 4, 2]);
    assert.equal(r.import?.step, 'importer_done');
    const lines = logs.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const named = lines.filter((l) => l['msg'] === 'rocketchat selection entry is invalid: not imported').map((l) => `${String(l['kind'])}[${String(l['index'])}] ${String(l['reason'])}`);
    assert.deepEqual(named, ['users[1] not an object', 'users[2] no user_id (a non-empty string)', 'users[3] no user_id (a non-empty string)', 'channels[1] not an object']);
    assert.match(formatRocketChatSummary(r), /not everything imported: 4 invalid selection entries were not sent/);
    assert.ok(!logs.text().includes(ENV.ROCKETCHAT_AUTH_TOKEN));
  });
});

test('an import that ends importer_done with errors counted by the server is exit 3; without errors exit 0', async () => {
  const selection = { users: [{ user_id: 'ann', username: 'ann' }], channels: [] };
  const done = (error: number) => ({ success: true, step: 'importer_done', count: { total: 5, completed: 5 - error, error } });
  await withFixedServer({ getImportFileData: selection, startImport: { success: true }, getImportProgress: done(2) }, async (url) => {
    const r = await run(url, undefined);
    assert.deepEqual([r.status, r.exitCode, r.import?.count.error], ['some-invalid', 3, 2]);
    assert.match(formatRocketChatSummary(r), /the server counted 2 import errors/);
  });
  await withFixedServer({ getImportFileData: selection, startImport: { success: true }, getImportProgress: done(0) }, async (url) => {
    const r = await run(url, undefined);
    assert.deepEqual([r.status, r.exitCode], ['ok', 0]);
    assert.doesNotMatch(formatRocketChatSummary(r), /not everything imported/);
  });
});

test('the token scrubber: real tokens go everywhere, toy tokens only where they stand alone', () => {
  const long = createScrubber('DTRPbgzQ0EDlTE3sdd3Nt7WfaWZE-lG1ayi9Pfa28Fm');
  assert.equal(long('token xDTRPbgzQ0EDlTE3sdd3Nt7WfaWZE-lG1ayi9Pfa28Fmx here'), 'token x[redacted]x here');
  const toy = createScrubber('q');
  const said = 'User does not have the permissions required for this action [error-unauthorized]';
  assert.equal(toy(said), said, 'the server words are intact');
  assert.equal(toy('bad token q (q)'), 'bad token [redacted] ([redacted])');
  assert.equal(createScrubber('a.b')('x a.b axb'), 'x [redacted] axb', 'regex characters are literal');
  assert.equal(createScrubber('')('text'), 'text');
});

test('dry run (validate --to rocketchat): the same counts as an import, no credentials, no request, no temp files', async () => {
  const text = JSON.stringify({ input: { users: [{ user_id: 'ann', username: 'ann' }, { user_id: 'ann' }, { user_id: 'bot', is_bot: true }, 7], channels: [{ channel_id: 'gen', name: 'general' }, { channel_id: 'old', is_archived: true }] } });
  const rules = { skipBots: true, skipArchived: true };
  await withSandbox(async (s) => {
    const real = await runRocketChatImport(resolveRocketChatConfig({ to: 'rocketchat', baseUrl: s.url, input: '-', pollIntervalMs: 10, progress: false, ...rules }, ENV), { stdin: Readable.from([Buffer.from(text)]) });
    const tmp = tempDir();
    const dry = await runRocketChatImport(resolveRocketChatConfig({ to: 'rocketchat', input: '-', ...rules }, {}, 'validate'), { stdin: Readable.from([Buffer.from(text)]), tmpDir: tmp });
    assert.deepEqual([dry.command, dry.status, dry.exitCode, dry.requests, dry.form, dry.import], ['validate', 'some-invalid', 3, 0, null, null]);
    assert.deepEqual(dry.selection, real.selection);
    assert.deepEqual([dry.read, dry.invalid, dry.skipped, dry.duplicates, dry.valid], [real.read, real.invalid, real.skipped, real.duplicates, real.valid]);
    assert.deepEqual([dry.valid, dry.skipped, dry.duplicates, dry.invalid], [2, 2, 1, 1]);
    assert.deepEqual(readdirSync(tmp), [], 'a dry run spools nothing');
    assert.equal(s.accepted('rocketchat-imports').size, 1, 'only the real run started an import');
    const summary = formatRocketChatSummary(dry);
    assert.match(summary, /^chatmigrate validate --to rocketchat: some-invalid \(dry run: nothing sent\)/);
    assert.doesNotMatch(summary, /startImport/);
  });
  // Without INPUT a dry run would have to ask the server: a usage error that says so.
  assert.throws(() => resolveRocketChatConfig({ to: 'rocketchat' }, {}, 'validate'), (err: Error & { code?: string }) => err.code === 'CM_USAGE' && /validate --to rocketchat needs INPUT/.test(err.message));
  // A clean selection is exit 0.
  const clean = await runRocketChatImport(resolveRocketChatConfig({ to: 'rocketchat', input: '-' }, {}, 'validate'), { stdin: Readable.from([Buffer.from('{"users":[{"user_id":"a"}],"channels":[]}')]) });
  assert.deepEqual([clean.exitCode, clean.valid], [0, 1]);
});
