// Unit tests for the reachability rule: quick attempts while a target never answered, bounded by
// count and time; patience once it has answered; the stop names host:port and what to check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReachability, QUICK_CONNECT_ATTEMPTS } from '../src/sinks/reachability.js';
import { describeTransportFailure } from '../src/sinks/transport-errors.js';

const refused = describeTransportFailure('ECONNREFUSED', 'connect ECONNREFUSED');
const options = { origin: 'https://app.api-us.cometchat.io', maxRetries: 8, retryMinMs: 1000, checkHint: 'check --base-url' };

test('never answered: quick attempts 250, 500, 1000 ms apart, then a stop naming host:port', () => {
  const r = createReachability(options);
  const verdicts = Array.from({ length: QUICK_CONNECT_ATTEMPTS }, (_, i) => r.connectFailed(refused, i * 100, i * 100 + 5));
  assert.deepEqual(verdicts.slice(0, 3), [{ kind: 'quick', delayMs: 250 }, { kind: 'quick', delayMs: 500 }, { kind: 'quick', delayMs: 1000 }]);
  const last = verdicts[3]!;
  assert.equal(last.kind, 'stop');
  assert.equal(last.kind === 'stop' && last.error.code, 'CM_UNREACHABLE');
  assert.equal(last.kind === 'stop' && last.error.message, 'cannot connect to app.api-us.cometchat.io:443 (connection refused); 4 attempts in 0.3 s, nothing was sent');
  assert.equal(last.kind === 'stop' && last.error.hint, 'check --base-url');
});

test('short retry settings shorten the pauses; --max-retries bounds the attempts', () => {
  const quick = createReachability({ ...options, retryMinMs: 5 });
  assert.deepEqual(quick.connectFailed(refused, 0, 1), { kind: 'quick', delayMs: 5 });
  assert.deepEqual(quick.connectFailed(refused, 10, 11), { kind: 'quick', delayMs: 10 });
  const none = createReachability({ ...options, maxRetries: 0 });
  assert.equal(none.connectFailed(refused, 0, 1).kind, 'stop', 'no retries: the first failure stops');
  const one = createReachability({ ...options, maxRetries: 1 });
  assert.deepEqual([one.connectFailed(refused, 0, 1).kind, one.connectFailed(refused, 2, 3).kind], ['quick', 'stop']);
});

test('slow failures (connect timeouts) stop after 15 s however few attempts were made', () => {
  const r = createReachability(options);
  const timedOut = describeTransportFailure('UND_ERR_CONNECT_TIMEOUT', '');
  assert.equal(r.connectFailed(timedOut, 0, 10_000).kind, 'quick');
  const second = r.connectFailed(timedOut, 10_300, 20_300);
  assert.equal(second.kind, 'stop');
  assert.match(second.kind === 'stop' ? second.error.message : '', /\(connection timed out\); 2 attempts in 20\.3 s/);
});

test('once the target answered, failed connections are patient; a connection that worked resets the count', () => {
  const r = createReachability(options);
  r.connectFailed(refused, 0, 1);
  r.connectFailed(refused, 2, 3);
  r.connected();
  assert.deepEqual(r.connectFailed(refused, 4, 5), { kind: 'quick', delayMs: 250 }, 'counting starts again');
  r.answered();
  for (let i = 0; i < 10; i++) assert.deepEqual(r.connectFailed(refused, 10 + i, 11 + i), { kind: 'patient' });
});
