// The real CLI against a closed port on 127.0.0.1, both targets, default retry settings: it stops
// within seconds naming host:port, what the network said and --base-url; exit 1; no request counted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/members.ndjson', import.meta.url));

/** A port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { requests?: number; status: string; exitCode: number; error?: { code: string; message: string } };

test('import to CometChat at a closed port: exit 1 within seconds, "cannot connect" and --base-url, 0 requests', async () => {
  const port = await closedPort();
  const report = join(tempDir(), 'report.json');
  const started = performance.now();
  // Default --retry-min-ms/--max-retries: before the fix this took ~3 minutes and blamed "retries".
  const r = await runCli(['import', FIXTURE, '--base-url', `http://127.0.0.1:${port}/v3`, '--api-key', 'unreachable-key-1f2e3d4c', '--report', report], { timeoutMs: 30_000 });
  const took = performance.now() - started;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(took < 10_000, `took ${Math.round(took)} ms`);
  assert.match(r.stderr, new RegExp(`chatmigrate: cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\); 4 attempts in [\\d.]+ s, nothing was sent \\[CM_UNREACHABLE\\]`));
  assert.match(r.stderr, /hint: check --base-url/);
  assert.match(r.stderr, /requests: 0 \(0 retries, 0 throttled\)/);
  const rep = readReport(report);
  assert.deepEqual([rep.status, rep.exitCode, rep.requests, rep.error?.code], ['failed', 1, 0, 'CM_UNREACHABLE']);
  assert.ok(!r.stderr.includes('unreachable-key-1f2e3d4c'));
});

test('import to Rocket.Chat at a closed port: exit 1 within seconds, "cannot connect" and --base-url, 0 requests', async () => {
  const port = await closedPort();
  const report = join(tempDir(), 'report.json');
  const started = performance.now();
  const env = { ROCKETCHAT_USER_ID: 'rc-admin', ROCKETCHAT_AUTH_TOKEN: 'rc-unreachable-token-77aa' };
  const selection = JSON.stringify({ users: [{ user_id: 'ann', username: 'ann' }], channels: [] });
  // A shorter --retry-min-ms shortens the pauses between the quick attempts (the CometChat test above keeps the defaults).
  const r = await runCli(['import', '--to', 'rocketchat', '--base-url', `http://127.0.0.1:${port}`, '--retry-min-ms', '20', '--report', report, '-'], { env, stdin: selection, timeoutMs: 30_000 });
  const took = performance.now() - started;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(took < 10_000, `took ${Math.round(took)} ms`);
  assert.match(r.stderr, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\); 4 attempts in [\\d.]+ s, nothing was sent \\[CM_UNREACHABLE\\]`));
  assert.match(r.stderr, /hint: check --base-url/);
  const rep = readReport(report);
  assert.deepEqual([rep.status, rep.exitCode, rep.requests, rep.error?.code], ['failed', 1, 0, 'CM_UNREACHABLE']);
  assert.ok(!r.stderr.includes(env.ROCKETCHAT_AUTH_TOKEN));
});
