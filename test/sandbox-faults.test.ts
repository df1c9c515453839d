// Seeded fault injection: each fault at rate 1.0 over real HTTP, determinism per seed,
// latency, stalls, and that faulted requests store nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { decideFault, uniform } from '../src/sandbox/faults.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';

const KEY = 'fault-key';

function body(uid: string): string {
  const id = `g_member_${uid}`;
  return JSON.stringify({
    members: {
      [id]: { memberId: id, guid: 'g', uid, groupDetails: { guid: 'g', name: 'G', type: 'public' }, userDetails: { uid, name: uid } },
    },
  });
}

async function withSandbox(options: Partial<SandboxOptions>, run: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await startSandbox({ apiKey: KEY, rpm: 0, ...options });
  try {
    await run(sb);
  } finally {
    await sb.close();
  }
}

async function post(sb: Sandbox, uid: string, opts: { dispatcher?: Agent; headersTimeout?: number } = {}) {
  const res = await request(`${sb.baseUrl}/data_import/members`, {
    method: 'POST',
    headers: { apikey: KEY, 'content-type': 'application/json' },
    body: body(uid),
    ...opts,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

test('decisions are a pure function of seed and index, with the configured rates', () => {
  const o = { seed: 42, errorRate: 0.3, resetRate: 0.1, spurious429Rate: 0.2, latencyMs: 5, latencyJitterMs: 10 };
  const a = Array.from({ length: 2000 }, (_, i) => decideFault(o, i));
  const b = Array.from({ length: 2000 }, (_, i) => decideFault(o, i));
  assert.deepEqual(a, b);
  const other = Array.from({ length: 2000 }, (_, i) => decideFault({ ...o, seed: 43 }, i));
  assert.notDeepEqual(a.map((d) => d.kind), other.map((d) => d.kind));

  const n = 20_000;
  const counts = { none: 0, reset: 0, error: 0, spurious429: 0, partialApply: 0, stall: 0 };
  const statuses = new Set<number>();
  let html = 0;
  for (let i = 0; i < n; i++) {
    const d = decideFault(o, i);
    counts[d.kind]++;
    assert.ok(d.delayMs >= 5 && d.delayMs < 15);
    if (d.kind === 'error') {
      statuses.add(d.errorStatus);
      if (d.errorHtml) html++;
    }
  }
  // Precedence reset > error > spurious 429: P(error) = 0.9*0.3, P(429) = 0.9*0.7*0.2.
  assert.ok(Math.abs(counts.reset / n - 0.1) < 0.015, JSON.stringify(counts));
  assert.ok(Math.abs(counts.error / n - 0.27) < 0.015, JSON.stringify(counts));
  assert.ok(Math.abs(counts.spurious429 / n - 0.126) < 0.015, JSON.stringify(counts));
  assert.deepEqual([...statuses].sort(), [500, 502, 503]);
  assert.ok(html > counts.error * 0.4 && html < counts.error * 0.6);
  assert.equal(counts.stall, 0);

  for (let i = 0; i < 1000; i++) {
    const u = uniform(7, i, 3);
    assert.ok(u >= 0 && u < 1);
  }
  assert.equal(decideFault({ stallAfter: 3 }, 2).kind, 'none');
  assert.equal(decideFault({ stallAfter: 3 }, 3).kind, 'stall');
});

test('errorRate 1: every request gets 500/502/503 with a JSON or HTML body, nothing stored', async () => {
  await withSandbox({ faults: { seed: 5, errorRate: 1 } }, async (sb) => {
    let sawHtml = false;
    let sawJson = false;
    for (let i = 0; i < 12; i++) {
      const r = await post(sb, `u${i}`);
      assert.ok([500, 502, 503].includes(r.status), String(r.status));
      if (String(r.headers['content-type']).startsWith('text/html')) {
        sawHtml = true;
        assert.match(r.text, new RegExp(`<title>${r.status} `));
      } else {
        sawJson = true;
        assert.match(JSON.parse(r.text).error.code, /^ERR_/);
      }
    }
    assert.ok(sawHtml && sawJson);
    const s = sb.stats();
    assert.equal(s.accepted.members, 0);
    assert.equal(s.entitiesReceived, 12);
    assert.equal(s.requests, 12);
  });
});

test('resetRate 1: the socket is destroyed without an answer, nothing stored', async () => {
  await withSandbox({ faults: { resetRate: 1 } }, async (sb) => {
    for (let i = 0; i < 3; i++) {
      await assert.rejects(post(sb, `u${i}`), (err: Error & { code?: string }) => {
        assert.match(String(err.code ?? err.name), /SOCKET|ECONNRESET|closed/i);
        return true;
      });
    }
    const s = sb.stats();
    assert.equal(s.resets, 3);
    assert.equal(s.accepted.members, 0);
    assert.deepEqual(s.byStatus, {});
  });
});

test('spurious429Rate 1: 429 with Retry-After 1 although within budget, no budget used', async () => {
  await withSandbox({ rpm: 100, faults: { spurious429Rate: 1 } }, async (sb) => {
    for (let i = 0; i < 3; i++) {
      const r = await post(sb, `u${i}`);
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '1');
      assert.ok(Number(r.headers['x-rate-limit-reset']) >= Math.floor(Date.now() / 1000));
      assert.equal(JSON.parse(r.text).error.code, 'ERR_TOO_MANY_REQUESTS');
    }
    assert.equal(sb.stats().accepted.members, 0);
    assert.equal(sb.stats().maxRequestsInWindow, 0);
  });
});

test('the same seed gives the same outcomes in the same request order', async () => {
  const run = async (seed: number): Promise<string[]> => {
    const seen: string[] = [];
    await withSandbox({ faults: { seed, errorRate: 0.4, spurious429Rate: 0.3 } }, async (sb) => {
      for (let i = 0; i < 24; i++) {
        const r = await post(sb, `u${i}`);
        seen.push(String(r.status));
      }
      // Only the requests answered 200 were stored.
      assert.equal(sb.stats().accepted.members, seen.filter((s) => s === '200').length);
    });
    return seen;
  };
  const a = await run(11);
  const b = await run(11);
  const c = await run(12);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.includes('200') && a.some((s) => s !== '200'), a.join(','));
});

test('latency delays answers; concurrent requests show up as requests in flight', async () => {
  await withSandbox({ faults: { latencyMs: 150, latencyJitterMs: 20 } }, async (sb) => {
    const agent = new Agent({ connections: 4 });
    try {
      const start = Date.now();
      const results = await Promise.all(Array.from({ length: 4 }, (_, i) => post(sb, `u${i}`, { dispatcher: agent })));
      const elapsed = Date.now() - start;
      assert.ok(results.every((r) => r.status === 200));
      assert.ok(elapsed >= 150 && elapsed < 2000, String(elapsed));
      const s = sb.stats();
      assert.equal(s.maxInFlight, 4);
      assert.equal(s.maxOpenConnections, 4);
      assert.equal(s.accepted.members, 4);
    } finally {
      await agent.close();
    }
  });
});

test('stallAfter: later requests are never answered, and close() still ends promptly', { timeout: 5000 }, async () => {
  const sb = await startSandbox({ apiKey: KEY, rpm: 0, faults: { stallAfter: 2 } });
  assert.equal((await post(sb, 'a')).status, 200);
  assert.equal((await post(sb, 'b')).status, 200);
  await assert.rejects(post(sb, 'c', { headersTimeout: 300 }), (err: Error & { code?: string }) => err.code === 'UND_ERR_HEADERS_TIMEOUT');
  const hanging = post(sb, 'd').catch((err: Error) => err);
  await new Promise((r) => setTimeout(r, 50));
  const s = sb.stats();
  assert.equal(s.stalled, 2);
  assert.equal(s.accepted.members, 2);
  const started = Date.now();
  await sb.close();
  assert.ok(Date.now() - started < 1000);
  assert.ok((await hanging) instanceof Error, 'the stalled request fails once the sandbox closes');
});
