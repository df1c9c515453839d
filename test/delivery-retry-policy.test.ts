// Unit tests for the p-retry wiring: backoff bounds, exhaustion message, abort, free throttled attempts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatmigrateError } from '../src/errors.js';
import { RetryableFailure, runWithRetries, stopRetrying, type RetryInfo } from '../src/sinks/retry-policy.js';

const base = { operation: 'POST /data_import/members', retryMinMs: 5, retryMaxMs: 40 };

test('retries a retryable failure with jittered exponential delays between min and max', async () => {
  const stamps: number[] = [];
  const infos: RetryInfo[] = [];
  const result = await runWithRetries(
    async (n) => {
      stamps.push(performance.now());
      if (n < 5) throw new RetryableFailure('HTTP 503');
      return 'done';
    },
    { ...base, maxRetries: 8, onRetry: (i) => infos.push(i) },
  );
  assert.equal(result, 'done');
  assert.equal(stamps.length, 5);
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
  // attempt k waits min*2^(k-1)*[1,2) capped at max: 5–10, 10–20, 20–40, 40 (timers may run ~1 ms early).
  const floors = [5, 10, 20, 40];
  gaps.forEach((gap, i) => {
    assert.ok(gap >= floors[i]! - 1.5, `gap ${i} = ${gap}`);
    assert.ok(gap < 40 * 1 + 60, `gap ${i} = ${gap}`);
  });
  assert.deepEqual(infos.map((i) => [i.attempt, i.reason, i.throttled]), [[1, 'HTTP 503', false], [2, 'HTTP 503', false], [3, 'HTTP 503', false], [4, 'HTTP 503', false]]);
});

test('exhaustion becomes CM_RETRIES_EXHAUSTED naming the operation, the retries and the last reason', async () => {
  let attempts = 0;
  const err = await runWithRetries(
    async () => {
      attempts++;
      throw new RetryableFailure(attempts < 4 ? 'ECONNRESET' : 'HTTP 503');
    },
    { ...base, retryMinMs: 1, retryMaxMs: 2, maxRetries: 3 },
  ).then(
    () => assert.fail('should reject'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ChatmigrateError);
  assert.equal(err.code, 'CM_RETRIES_EXHAUSTED');
  assert.equal(err.message, 'POST /data_import/members failed after 3 retries: HTTP 503');
  assert.equal(attempts, 4);
});

test('a fatal error wrapped with stopRetrying ends after one attempt with that error', async () => {
  let attempts = 0;
  const fatal = new ChatmigrateError('CM_AUTH', 'refused');
  await assert.rejects(
    runWithRetries(async () => {
      attempts++;
      throw stopRetrying(fatal);
    }, { ...base, maxRetries: 8 }),
    (e: unknown) => e === fatal,
  );
  assert.equal(attempts, 1);
});

test('unexpected errors are not retried', async () => {
  let attempts = 0;
  await assert.rejects(
    runWithRetries(async () => {
      attempts++;
      throw new Error('bug');
    }, { ...base, maxRetries: 8 }),
    /bug/,
  );
  assert.equal(attempts, 1);
});

test('throttled failures with a wait do not spend retries (up to maxFreeThrottles)', async () => {
  let attempts = 0;
  const started = performance.now();
  const result = await runWithRetries(
    async () => {
      attempts++;
      if (attempts <= 6) throw new RetryableFailure('HTTP 429', { throttled: true, waitMs: 1 });
      return attempts;
    },
    { ...base, retryMinMs: 200, retryMaxMs: 400, maxRetries: 1 },
  );
  assert.equal(result, 7);
  // No backoff sleep either: the wait belongs to the rate governor, not to p-retry.
  assert.ok(performance.now() - started < 150);

  let capped = 0;
  const err = await runWithRetries(
    async () => {
      capped++;
      throw new RetryableFailure('HTTP 429', { throttled: true, waitMs: 1 });
    },
    { ...base, retryMinMs: 1, retryMaxMs: 2, maxRetries: 1, maxFreeThrottles: 2 },
  ).then(
    () => assert.fail('should reject'),
    (e: unknown) => e as ChatmigrateError,
  );
  assert.equal(capped, 4); // 2 free, then 1 retry spent, then exhausted
  assert.equal(err.message, 'POST /data_import/members failed after 1 retry: HTTP 429');
});

test('an abort signal stops a backoff wait at once', async () => {
  const ac = new AbortController();
  const started = performance.now();
  setTimeout(() => ac.abort(new Error('closing')), 30);
  await assert.rejects(
    runWithRetries(async () => {
      throw new RetryableFailure('HTTP 500');
    }, { ...base, retryMinMs: 5_000, retryMaxMs: 10_000, maxRetries: 3, signal: ac.signal }),
    /closing/,
  );
  assert.ok(performance.now() - started < 1_000);
});
