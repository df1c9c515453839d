// The real `chatmigrate import` binary in a child process against a sandbox started by the test:
// exit codes, the report and rejects files, stdin, fatal errors, signals, and no leaked API key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToString } from '../bench/generate.js';
import type { Report } from '../src/accounting/report.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { CLI, runCli, type CliResult } from './helpers/cli.js';
import { countsOf, NOW, readNdjson, tempDir } from './helpers/run.js';
import { acceptedIds, assertCountsAddUp, FIXTURE_VALID_IDS, SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';

const FIXTURE = 'fixtures/members.ndjson';

/** Flags every run here shares: the sandbox, its key, a fixed "now", no quota, short retry delays. */
function target(sandbox: Sandbox, key = SANDBOX_KEY): string[] {
  return ['--base-url', sandbox.baseUrl, '--api-key', key, '--now', String(NOW), '--rpm', '0', '--retry-min-ms', '5', '--retry-max-ms', '50'];
}

function outputs(dir: string): { report: string; rejects: string; flags: string[] } {
  const report = join(dir, 'report.json');
  const rejects = join(dir, 'rejects.ndjson');
  return { report, rejects, flags: ['--report', report, '--rejects', rejects] };
}

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report;

test('import a file, then the same bytes from stdin: exit 3, the 6 valid members arrive, same report and rejects', { timeout: 20_000 }, async () => {
  const bytes = readFileSync(FIXTURE);
  const runs: Array<{ report: Report; rejects: Array<Record<string, unknown>> }> = [];
  for (const input of [[FIXTURE], ['-'], []]) {
    await withSandbox({}, async (sandbox) => {
      const out = outputs(tempDir());
      const r = await runCli(['import', ...input, ...target(sandbox), ...out.flags], { stdin: input.length === 1 && input[0] === FIXTURE ? '' : bytes });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /14 read = 6 valid \+ 6 invalid \+ 2 duplicates/);
      const report = readReport(out.report);
      assertCountsAddUp(report, input.join(' ') || 'no INPUT');
      assert.deepEqual([report.imported, report.alreadyPresent, report.rejected, report.unsent], [6, 0, 0, 0]);
      assert.equal(report.status, 'some-invalid');
      assert.deepEqual(acceptedIds(sandbox), FIXTURE_VALID_IDS);
      assert.equal(report.requests, sandbox.stats().requests);
      runs.push({ report, rejects: readNdjson(out.rejects) });
    });
  }
  const [file, ...fromStdin] = runs;
  assert.equal(file!.rejects.length, 7);
  assert.deepEqual(file!.rejects.map((l) => l['reason']).sort(), ['DUPLICATE_CONFLICT', 'INVALID_GROUP_DETAILS', 'INVALID_GUID', 'INVALID_SCOPE', 'JOINED_BEFORE_GROUP_CREATED', 'JOINED_IN_FUTURE', 'MISSING_UID']);
  for (const run of fromStdin) {
    assert.deepEqual(countsOf(run.report), countsOf(file!.report), 'stdin gives the same counts as the file');
    assert.deepEqual(run.rejects, file!.rejects, 'and the same rejects, positions included');
    assert.equal(run.report.input.bytes, file!.report.input.bytes);
  }
});

test('a wrong API key: exit 1 with CM_AUTH after exactly one request, and the report is written', { timeout: 20_000 }, async () => {
  const { text } = generateToString({ format: 'ndjson', count: 1000, seed: 2 });
  const dir = tempDir();
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, text);
  await withSandbox({}, async (sandbox) => {
    const out = outputs(dir);
    const r = await runCli(['import', input, ...target(sandbox, 'not-the-key-93c1'), '--connections', '4', ...out.flags]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /CM_AUTH/);
    assert.equal(sandbox.stats().requests, 1);
    const report = readReport(out.report);
    assert.equal(report.error?.code, 'CM_AUTH');
    assert.equal(report.status, 'failed');
    assert.equal(report.exitCode, 1);
    assert.equal(report.imported, 0);
    assertCountsAddUp(report);
  });
});

test('retries exhausted: exit 1 with CM_RETRIES_EXHAUSTED after 1 + --max-retries requests, report written', { timeout: 20_000 }, async () => {
  await withSandbox({ faults: { errorRate: 1 } }, async (sandbox) => {
    const out = outputs(tempDir());
    const r = await runCli(['import', FIXTURE, ...target(sandbox), '--max-retries', '2', '--retry-min-ms', '10', '--retry-max-ms', '20', ...out.flags]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /CM_RETRIES_EXHAUSTED/);
    assert.equal(sandbox.stats().requests, 3);
    const report = readReport(out.report);
    assert.equal(report.error?.code, 'CM_RETRIES_EXHAUSTED');
    assert.equal(report.status, 'failed');
    assert.deepEqual([report.requests, report.retries, report.imported], [3, 2, 0]);
    assertCountsAddUp(report);
  });
});

/** Fails if `secret` occurs in any output of a run (stdout, stderr, report file, rejects file). */
function assertNoSecret(secret: string, r: CliResult, files: string[], label: string): void {
  assert.ok(!r.stdout.includes(secret), `${label}: the key is on stdout`);
  assert.ok(!r.stderr.includes(secret), `${label}: the key is on stderr`);
  for (const f of files) assert.ok(!readFileSync(f, 'utf8').includes(secret), `${label}: the key is in ${f}`);
}

/** A hostile CometChat stand-in that echoes the apikey header in every error message it sends. */
async function startEchoingServer(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const key = String(req.headers['apikey']);
      const members = (JSON.parse(body) as { members: Record<string, unknown> }).members;
      const data: Record<string, unknown> = {};
      for (const id of Object.keys(members)) data[id] = { success: false, error: { code: 'ERR_BAD_REQUEST', message: `the apikey ${key} may not import ${id}` } };
      const text = JSON.stringify({ data });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { server, baseUrl: `http://127.0.0.1:${address.port}/v3` };
}

test('the API key never appears in stdout, stderr (debug logs), the report or the rejects file', { timeout: 20_000 }, async () => {
  const secret = 'KEY-zq8w3x7v5t1r9p4n2m6b';
  const dir = tempDir();
  const input = join(dir, 'members.ndjson');
  // The fixture (invalid records, a conflict) plus one member the sandbox refuses (unknown group).
  writeFileSync(input, readFileSync(FIXTURE, 'utf8') + '{"guid":"ghost","uid":"nobody"}\n');

  await withSandbox({ apiKey: secret }, async (sandbox) => {
    // 1. The key as a flag, accepted: debug logs, the JSON report on stdout, server-side rejects.
    const out = outputs(dir);
    const r = await runCli(['import', input, ...target(sandbox, secret), '--log-level', 'debug', '--json', ...out.flags]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /"level":20/, 'debug lines were logged');
    assert.equal(readReport(out.report).reasons['ERR_GUID_NOT_FOUND'], 1);
    assert.equal(readNdjson(out.rejects).length, 8);
    assert.equal(sandbox.accepted('members').size, 6);
    assertNoSecret(secret, r, [out.report, out.rejects], 'accepted key');

    // 2. A refused key from the environment: the fatal error path.
    const wrong = 'WRONG-k4j7h2g9f5d1s8a3';
    const out2 = outputs(tempDir());
    const args = target(sandbox).filter((a, i, all) => a !== '--api-key' && all[i - 1] !== '--api-key');
    const refused = await runCli(['import', input, ...args, '--log-level', 'debug', '--json', ...out2.flags], { env: { COMETCHAT_API_KEY: wrong } });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /CM_AUTH/);
    assertNoSecret(wrong, refused, [out2.report, out2.rejects], 'refused key');
  });

  // 3. A server that echoes the key back in its messages: they are scrubbed before being written.
  const { server, baseUrl } = await startEchoingServer();
  try {
    const out3 = outputs(tempDir());
    const echoed = await runCli(['import', FIXTURE, '--base-url', baseUrl, '--api-key', secret, '--now', String(NOW), '--rpm', '0', '--log-level', 'debug', '--json', ...out3.flags]);
    assert.equal(echoed.code, 3, echoed.stderr);
    const serverRejects = readNdjson(out3.rejects).filter((l) => l['reason'] === 'ERR_BAD_REQUEST');
    assert.equal(serverRejects.length, 6, 'the server refused every valid member');
    assert.match(String(serverRejects[0]!['message']), /may not import/);
    assertNoSecret(secret, echoed, [out3.report, out3.rejects], 'echoing server');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }
});

/** Starts the CLI without waiting for it, so the test can signal it mid-run. */
function startCli(args: readonly string[]): { signal(name: NodeJS.Signals): void; done: Promise<CliResult & { exitedAt: number }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const done = new Promise<CliResult & { exitedAt: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, exitedAt: performance.now() });
    });
  });
  return { signal: (name) => child.kill(name), done };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during a slow import: exit 130 within seconds, report "interrupted", counts add up`, { timeout: 20_000 }, async () => {
    const dir = tempDir();
    const input = join(dir, 'export.ndjson');
    writeFileSync(input, generateToString({ format: 'ndjson', count: 2000, seed: 8 }).text);
    // 200 requests of 10 members at 300 ms each on one connection: about a minute unless stopped.
    await withSandbox({ faults: { latencyMs: 300 } }, async (sandbox) => {
      const out = outputs(dir);
      const run = startCli(['import', input, ...target(sandbox), '--connections', '1', '--batch-size', '10', ...out.flags]);
      await until(() => sandbox.stats().requests >= 3, 10_000);
      const signalledAt = performance.now();
      run.signal(signal);
      const r = await run.done;
      assert.equal(r.code, 130, r.stderr);
      assert.ok(r.exitedAt - signalledAt < 3_000, `exited ${Math.round(r.exitedAt - signalledAt)} ms after ${signal}`);
      const report = readReport(out.report);
      assert.equal(report.status, 'interrupted');
      assert.equal(report.exitCode, 130);
      assert.equal(report.error?.code, 'CM_INTERRUPTED');
      assert.match(r.stderr, /CM_INTERRUPTED[\s\S]*run the same command again: members already imported/);
      assertCountsAddUp(report, signal);
      assert.ok(report.unsent! > 0, 'the run stopped early');
      assert.ok(report.imported! >= 20, `${report.imported} imported before ${signal}`);
      // The summary plans what is left, not the whole run.
      const left = Math.ceil(report.unsent! / 10);
      assert.match(r.stderr, new RegExp(`left to send: ${report.unsent!.toLocaleString('en-US')} members → ${left.toLocaleString('en-US')} requests`));
      // The request in flight was allowed to finish: what the sandbox holds is what the report says.
      assert.equal(sandbox.stats().accepted.members, report.imported);
    });
  });
}

test('configuration from the environment is checked like flags: COMETCHAT_REGION, the app id, a key a header cannot carry (exit 2, nothing sent)', { timeout: 20_000 }, async () => {
  const region = await runCli(['import', FIXTURE, '--app-id', 'myapp', '--api-key', 'k'], { env: { COMETCHAT_REGION: 'mars' } });
  assert.equal(region.code, 2);
  assert.match(region.stderr, /COMETCHAT_REGION expects one of us, eu, in, got "mars"/);
  assert.match(region.stderr, /run `chatmigrate import --help`/);
  const appId = await runCli(['import', FIXTURE, '--app-id', 'a/b', '--api-key', 'k']);
  assert.equal(appId.code, 2);
  assert.match(appId.stderr, /--app-id expects a CometChat app ID/);
  await withSandbox({}, async (sandbox) => {
    const key = await runCli(['import', FIXTURE, ...target(sandbox, 'K\ninjected: 1')]);
    assert.equal(key.code, 2);
    assert.match(key.stderr, /--api-key holds a character an HTTP header cannot carry/);
    assert.ok(!key.stderr.includes('injected'), 'the value is not shown');
    assert.equal(sandbox.stats().requests, 0);
    // A key pasted with its line end still works.
    const crlf = await runCli(['import', FIXTURE, ...target(sandbox, `${SANDBOX_KEY}\r\n`)]);
    assert.equal(crlf.code, 3, crlf.stderr);
    assert.deepEqual(acceptedIds(sandbox).sort(), [...FIXTURE_VALID_IDS].sort());
  });
});

test('`chatmigrate help import` is the import help', async () => {
  const r = await runCli(['help', 'import']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: chatmigrate import/);
});

test('a --report path that cannot be written is refused before anything is sent (exit 1)', { timeout: 20_000 }, async () => {
  const dir = tempDir('cli-report-dir');
  await withSandbox({}, async (sandbox) => {
    const r = await runCli(['import', FIXTURE, ...target(sandbox), '--report', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--report ".*" cannot be written: it is a directory \[CM_OUTPUT\]/);
    const missing = await runCli(['import', FIXTURE, ...target(sandbox), '--report', join(dir, 'no', 'such', 'r.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /its directory does not exist/);
    // A rename would replace a device rather than write to it.
    const device = await runCli(['import', FIXTURE, ...target(sandbox), '--report', '/dev/null']);
    assert.equal(device.code, 1);
    assert.match(device.stderr, /--report "\/dev\/null" cannot be written: it is not a regular file .*use --json/);
    const checkpoint = await runCli(['import', FIXTURE, ...target(sandbox), '--checkpoint', '/dev/null']);
    assert.equal(checkpoint.code, 1);
    assert.match(checkpoint.stderr, /--checkpoint "\/dev\/null" cannot be written: it is not a regular file/);
    assert.equal(sandbox.stats().requests, 0, 'nothing sent');
  });
});

test('a report that cannot be written at the end: the summary says so, --json stands in with the real exit code (1)', { timeout: 20_000 }, async () => {
  const dir = tempDir('cli-report-lost');
  const reportDir = join(dir, 'reports');
  mkdirSync(reportDir);
  await withSandbox({ faults: { latencyMs: 150 } }, async (sandbox) => {
    // 6 valid members one per request on one connection: about a second to remove the directory in.
    const run = startCli(['import', FIXTURE, ...target(sandbox), '--batch-size', '1', '--connections', '1', '--report', join(reportDir, 'r.json'), '--json']);
    await until(() => sandbox.stats().requests > 0, 10_000);
    rmSync(reportDir, { recursive: true });
    const r = await run.done;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^ {2}report: NOT written \(see the error below\)$/m);
    assert.match(r.stderr, /cannot write .*r\.json: ENOENT \[CM_OUTPUT\]/);
    const shown = JSON.parse(r.stdout) as Report;
    assert.deepEqual([shown.exitCode, shown.status, shown.imported, shown.error?.code], [1, 'some-invalid', 6, 'CM_OUTPUT']);
  });
});
