// Unit tests for the in-flight semaphore: cap, FIFO, raising the limit, abort and close.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as flush } from 'node:timers/promises';
import { createInFlightLimit } from '../src/sinks/in-flight-limit.js';

test('never more than the limit in use; FIFO admission; release is idempotent', async () => {
  const limit = createInFlightLimit(2);
  const order: number[] = [];
  const r1 = await limit.acquire();
  const r2 = await limit.acquire();
  const waiting = [3, 4, 5].map((n) => limit.acquire().then((release) => (order.push(n), release)));
  await flush();
  assert.equal(limit.inUse, 2);
  assert.equal(limit.waiting, 3);
  r1();
  r1(); // a second call must not free a second slot
  await flush();
  assert.deepEqual(order, [3]);
  assert.equal(limit.inUse, 2);
  r2();
  await flush();
  assert.deepEqual(order, [3, 4]);
  const releases = await Promise.all(waiting.slice(0, 2));
  releases.forEach((r) => r());
  await waiting[2];
  assert.deepEqual(order, [3, 4, 5]);
  assert.equal(limit.maxInUse, 2);
});

test('raising the limit admits waiters at once', async () => {
  const limit = createInFlightLimit(1);
  await limit.acquire();
  const got: number[] = [];
  const all = [1, 2, 3].map((n) => limit.acquire().then(() => got.push(n)));
  await flush();
  assert.deepEqual(got, []);
  limit.setLimit(3);
  await Promise.all(all.slice(0, 2));
  assert.deepEqual(got, [1, 2]);
  assert.equal(limit.inUse, 3);
  assert.equal(limit.waiting, 1);
  assert.throws(() => limit.setLimit(0), /integer >= 1/);
});

test('abort removes a waiter; close rejects waiters and later calls', async () => {
  const limit = createInFlightLimit(1);
  const held = await limit.acquire();
  const ac = new AbortController();
  const aborted = limit.acquire(ac.signal);
  const closed = limit.acquire();
  ac.abort(new Error('gone'));
  await assert.rejects(aborted, /gone/);
  limit.close(new Error('shut'));
  await assert.rejects(closed, /shut/);
  await assert.rejects(limit.acquire(), /shut/);
  held();
  assert.equal(limit.inUse, 0);
  assert.equal(limit.waiting, 0);
});
