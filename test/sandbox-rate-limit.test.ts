// The sandbox's sliding-window rate limit: the window itself, 429 replies and their headers,
// refused requests not using budget, and the busiest-window statistic tests rely on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { createRateWindow } from '../src/sandbox/rate-window.js';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';

const KEY = 'rate-key';
const BODY = JSON.stringify({
  members: {
    g_member_u: {
      memberId: 'g_member_u',
      guid: 'g',
      uid: 'u',
      groupDetails: { guid: 'g', name: 'G', type: 'public' },
      userDetails: { uid: 'u', name: 'U' },
    },
  },
});

async function post(sb: Sandbox, path = 'members', apiKey = KEY): Promise<{ status: number; headers: Record<string, unknown>; json: any }> {
  const res = await request(`${sb.baseUrl}/data_import/${path}`, { method: 'POST', headers: { apikey: apiKey }, body: BODY });
  return { status: res.statusCode, headers: res.headers, json: await res.body.json() };
}

test('rate window: admits up to the limit, frees slots as stamps age out, remembers the peak', () => {
  const w = createRateWindow(3, 1000);
  assert.equal(w.tryAdmit(0), 0);
  assert.equal(w.tryAdmit(10), 0);
  assert.equal(w.tryAdmit(20), 0);
  assert.equal(w.tryAdmit(30), 970); // the stamp of t=0 leaves at t=1000
  assert.equal(w.tryAdmit(999), 1);
  assert.equal(w.tryAdmit(1000), 0);
  assert.equal(w.tryAdmit(1005), 5);
  assert.equal(w.current, 3);
  assert.equal(w.maxInWindow, 3);
  w.reset();
  assert.equal(w.current, 0);
  assert.equal(w.maxInWindow, 0);

  // Unlimited windows refuse nothing but still measure the busiest window (and grow past 1024).
  const u = createRateWindow(0, 100);
  for (let i = 0; i < 3000; i++) assert.equal(u.tryAdmit(i % 50), 0);
  assert.equal(u.maxInWindow, 3000);
  for (let t = 1000; t < 2000; t += 10) u.tryAdmit(t);
  assert.equal(u.current, 10);
  assert.equal(u.maxInWindow, 3000);
  const inf = createRateWindow(Number.POSITIVE_INFINITY, 100);
  for (let i = 0; i < 10; i++) assert.equal(inf.tryAdmit(0), 0);
  assert.equal(inf.maxInWindow, 10);
});

test('429 with Retry-After and X-Rate-Limit-Reset; refused requests use no budget (injected clock)', async () => {
  let clock = 1_700_000_000_000;
  const sb = await startSandbox({ apiKey: KEY, rpm: 2, windowMs: 60_000, now: () => clock });
  try {
    assert.equal((await post(sb)).status, 200);
    clock += 500;
    assert.equal((await post(sb)).status, 200);
    clock += 1000;
    const limited = await post(sb);
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.json, {
      error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'Too many requests. Please retry after 59 seconds.' },
    });
    assert.equal(limited.headers['retry-after'], '59'); // 60000 - 1500 ms, rounded up
    assert.equal(limited.headers['x-rate-limit-reset'], '1700000060');
    // Auth failures and 429s do not use the budget: at t0+60000 exactly one slot frees up.
    assert.equal((await post(sb, 'members', 'wrong')).status, 401);
    clock = 1_700_000_060_000;
    assert.equal((await post(sb)).status, 200);
    assert.equal((await post(sb)).status, 429);
    const s = sb.stats();
    assert.deepEqual(s.byStatus, { '200': 3, '429': 2, '401': 1 });
    assert.equal(s.maxRequestsInWindow, 2);
    assert.equal(s.requests, 6);
  } finally {
    await sb.close();
  }
});

test('rpm 5 per 500 ms in real time: the sixth request waits for the window', async () => {
  const sb = await startSandbox({ apiKey: KEY, rpm: 5, windowMs: 500 });
  try {
    const start = Date.now();
    const first = await Promise.all(Array.from({ length: 5 }, () => post(sb)));
    assert.deepEqual(
      first.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    const sixth = await post(sb);
    // On a badly overloaded machine the window may already have moved on; then only the later checks apply.
    if (Date.now() - start < 450) {
      assert.equal(sixth.status, 429);
      assert.equal(sixth.headers['retry-after'], '1');
      const reset = Number(sixth.headers['x-rate-limit-reset']);
      assert.ok(reset >= Math.floor(start / 1000) && reset <= Math.ceil((Date.now() + 500) / 1000), String(reset));
    }
    await sleep(520); // everything admitted so far has left the window by then
    const nextStart = Date.now();
    const next = await Promise.all(Array.from({ length: 5 }, () => post(sb)));
    assert.ok(next.every((r) => r.status === 200), JSON.stringify(next.map((r) => r.status)));
    const after = await post(sb);
    if (Date.now() - nextStart < 450) assert.equal(after.status, 429);
    assert.equal(sb.stats().maxRequestsInWindow, 5, 'never more than rpm admitted in one window');
    assert.ok((sb.stats().byStatus['429'] ?? 0) >= 1);
  } finally {
    await sb.close();
  }
});

test('unlimited rpm measures the busiest window; per-endpoint windows are optional', async () => {
  let clock = 1_000_000;
  const sb = await startSandbox({ apiKey: KEY, rpm: 0, windowMs: 1000, now: () => clock });
  try {
    for (let i = 0; i < 7; i++) assert.equal((await post(sb)).status, 200);
    clock += 1000;
    for (let i = 0; i < 3; i++) await post(sb);
    assert.equal(sb.stats().maxRequestsInWindow, 7);
    assert.equal(sb.stats().byStatus['429'], undefined);
  } finally {
    await sb.close();
  }

  const shared = await startSandbox({ apiKey: KEY, rpm: 1, windowMs: 60_000 });
  const split = await startSandbox({ apiKey: KEY, rpm: 1, windowMs: 60_000, ratePerEndpoint: true });
  try {
    assert.equal((await post(shared, 'members')).status, 200);
    assert.equal((await post(shared, 'users')).status, 429, 'one budget shared by all endpoints by default');
    assert.equal((await post(split, 'members')).status, 200);
    // Admitted by its own window, then refused for its body (members sent to /users).
    assert.equal((await post(split, 'users')).status, 400);
    assert.equal((await post(split, 'users')).status, 429);
  } finally {
    await shared.close();
    await split.close();
  }
});
