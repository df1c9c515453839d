// What the operator reads on stderr (issue 16.7): short human log lines on a terminal, JSON
// elsewhere, --log-format to choose; log lines clear the progress line first; routine
// throttling is a count on the progress line instead of one log line per 429.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, createRunLogger } from '../src/observability/logger.js';
import { formatLogLine } from '../src/observability/pretty-log.js';
import { createEstimator, formatProgressLine } from '../src/observability/progress.js';
import { statusLine } from '../src/observability/status-line.js';
import { resolveRocketChatConfig } from '../src/rocketchat-import/config.js';
import { runCli } from './helpers/cli.js';

const FIXTURE = 'fixtures/members.ndjson';

/** A stream that keeps what is written, optionally claiming to be a terminal. */
function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY?: boolean };
  if (isTTY) stream.isTTY = true;
  return { stream, text: () => text };
}

test('a JSON log line becomes "time LEVEL message key=value"', () => {
  const time = new Date(2026, 0, 2, 9, 5, 7).getTime();
  const line = JSON.stringify({ level: 40, time, name: 'chatmigrate', msg: 'request failed, will retry', attempt: 2, reason: 'HTTP 503 service unavailable', throttled: false, entities: 50 });
  assert.equal(formatLogLine(line + '\n'), '09:05:07 WARN  request failed, will retry  attempt=2 reason="HTTP 503 service unavailable" throttled=false entities=50');
  // Errors show their code and message; objects stay one line; long values are cut.
  const err = formatLogLine(JSON.stringify({ level: 50, time, msg: 'delivery stopped', err: { type: 'ChatmigrateError', code: 'CM_AUTH', message: 'refused', stack: 'at x' }, counts: { a: 1 }, text: 'x'.repeat(500) }));
  assert.match(err, /^09:05:07 ERROR delivery stopped {2}err="CM_AUTH: refused" counts=\{"a":1\} text=x+…$/);
  assert.ok(!err.includes('at x'), 'no stack on a terminal line');
  assert.ok(err.length < 300);
  // Not JSON: passed through as it came.
  assert.equal(formatLogLine('plain words\n'), 'plain words');
});

test('createLogger pretty: redaction still applies, and each line first clears the progress line on a terminal', () => {
  const out = capture(true);
  let cleared = 0;
  statusLine.set(() => cleared++);
  const env = { NO_COLOR: process.env['NO_COLOR'], TERM: process.env['TERM'] };
  delete process.env['NO_COLOR'];
  process.env['TERM'] = 'xterm';
  try {
    const log = createLogger('info', out.stream, 'pretty');
    log.info({ apiKey: 'SECRET-k3y', batch: 3 }, 'first');
    log.warn('second');
  } finally {
    statusLine.set(undefined);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines.length, 2);
  // On a terminal the level word is coloured.
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d \x1b\[36mINFO \x1b\[0m first {2}apiKey=\[redacted\] batch=3$/);
  assert.match(lines[1]!, /WARN .*second$/);
  assert.equal(cleared, 2, 'the progress line was cleared before each log line');
  assert.ok(!out.text().includes('SECRET-k3y'));
});

test('defaults: pretty lines at warn on a terminal, JSON at info elsewhere; --log-format and --log-level win', () => {
  const tty = capture(true);
  const onTerminal = createRunLogger({ logLevel: undefined, logFormat: undefined }, tty.stream);
  onTerminal.info('not shown at warn');
  onTerminal.warn({ n: 1 }, 'shown');
  assert.match(tty.text().replace(/\x1b\[[\d;]*m/g, ''), /^\d\d:\d\d:\d\d WARN  shown {2}n=1\n$/);

  const pipe = capture(false);
  const elsewhere = createRunLogger({ logLevel: undefined, logFormat: undefined }, pipe.stream);
  elsewhere.info({ n: 2 }, 'as json');
  assert.deepEqual(
    (({ level, msg, n }) => ({ level, msg, n }))(JSON.parse(pipe.text()) as { level: number; msg: string; n: number }),
    { level: 30, msg: 'as json', n: 2 },
  );

  const chosen = capture(true);
  createRunLogger({ logLevel: 'debug', logFormat: 'json' }, chosen.stream).debug('json on a terminal');
  assert.equal((JSON.parse(chosen.text()) as { msg: string }).msg, 'json on a terminal');
});

test('the real CLI: JSON logs when stderr is not a terminal, pretty with --log-format pretty, a bad value is exit 2', { timeout: 20_000 }, async () => {
  const args = ['validate', FIXTURE, '--log-level', 'info', '--workers', '0'];
  const json = await runCli(args);
  assert.equal(json.code, 3, json.stderr);
  assert.match(json.stderr, /^\{"level":30,.*"msg":"run started"/m);

  const pretty = await runCli([...args, '--log-format', 'pretty']);
  assert.equal(pretty.code, 3, pretty.stderr);
  assert.match(pretty.stderr, /^\d\d:\d\d:\d\d INFO  run started  input=fixtures\/members\.ndjson /m);
  assert.doesNotMatch(pretty.stderr, /"level":/);
  // No colour codes when stderr is not a terminal.
  assert.doesNotMatch(pretty.stderr, /\x1b\[/);

  const bad = await runCli([...args, '--log-format', 'yaml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--log-format expects one of json, pretty, got "yaml"/);
  assert.throws(() => resolveRocketChatConfig({ input: '-', logFormat: 'xml' }, {}, 'validate'), /--log-format expects json or pretty, got "xml"/);
});

test('throttled requests are a count on the progress line (and a field of the progress log), shown once there are any', () => {
  const quota = { batchSize: 50, rpm: 60, windowMs: 60_000 };
  const base = { records: 4_000, sourceBytes: 40e6, bytesRead: 40e6, bytesJudged: 40e6, valid: 4_000, delivered: 1_000 };
  const none = createEstimator(0, 100e6, quota).view({ ...base, throttled: 0 }, 60_000);
  assert.doesNotMatch(formatProgressLine('import', none), /throttled/);
  const some = createEstimator(0, 100e6, quota).view({ ...base, throttled: 1_234 }, 60_000);
  assert.match(formatProgressLine('import', some), /1,000 delivered \(\d+\/s\) {2}throttled 1,234 {2}40\.0%/);
  assert.equal(some.fields['throttled'], 1_234);
});
