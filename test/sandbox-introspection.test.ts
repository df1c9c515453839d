// The sandbox's /__sandbox/* routes, its traffic statistics, reset, and a prompt close().

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';

const KEY = 'intro-key';

function batch(from: number, count: number): string {
  const members: Record<string, unknown> = {};
  for (let i = from; i < from + count; i++) {
    const uid = `user-${i}`;
    const id = `room_member_${uid}`;
    members[id] = {
      memberId: id,
      guid: 'room',
      uid,
      scope: i % 2 === 0 ? 'participant' : 'moderator',
      joinedAt: 1673421419 + i,
      groupDetails: { guid: 'room', name: 'A room with a long enough name to make lines longer', type: 'private', createdAt: '1673421419' },
      userDetails: { uid, name: `User number ${i} with a name`, metadata: { note: 'x'.repeat(100) } },
    };
  }
  return JSON.stringify({ members });
}

async function post(sb: Sandbox, text: string, dispatcher?: Agent): Promise<number> {
  const res = await request(`${sb.baseUrl}/data_import/members`, {
    method: 'POST',
    headers: { apikey: KEY },
    body: text,
    ...(dispatcher ? { dispatcher } : {}),
  });
  await res.body.dump();
  return res.statusCode;
}

async function get(url: string, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; type: string; text: string }> {
  const res = await request(url, { method });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

test('stats and accepted records over HTTP, in acceptance order, across many chunks', async () => {
  const sb = await startSandbox({ apiKey: KEY, rpm: 0 });
  try {
    for (let i = 0; i < 40; i++) assert.equal(await post(sb, batch(i * 50, 50)), 200);
    assert.equal(await post(sb, batch(0, 10)), 200); // ten duplicates
    await post(sb, '{"members":');

    const stats = await get(`${sb.url}/__sandbox/stats`);
    assert.equal(stats.status, 200);
    const s = JSON.parse(stats.text);
    assert.deepEqual(withoutCpu(s), withoutCpu(sb.stats()));
    assert.ok(s.cpuMs > 0 && s.cpuMs <= sb.stats().cpuMs, 'CPU time is counted and only grows');
    assert.equal(s.requests, 42, 'introspection requests are not counted');
    assert.deepEqual(s.byStatus, { '200': 41, '400': 1 });
    assert.equal(s.entitiesReceived, 2010);
    assert.equal(s.maxEntitiesPerRequest, 50);
    assert.equal(s.duplicateDeliveries, 10);
    assert.deepEqual(s.accepted, { members: 2000, users: 0, groups: 0, messages: 0 });
    assert.equal(s.maxRequestsInWindow, 42);

    const nd = await get(`${sb.url}/__sandbox/accepted/members`);
    assert.equal(nd.status, 200);
    assert.match(nd.type, /ndjson/);
    assert.ok(nd.text.length > 3 * 65536, 'long enough to be written in several chunks');
    const lines = nd.text.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 2000);
    const records = lines.map((l) => JSON.parse(l));
    records.forEach((r, i) => assert.equal(r.memberId, `room_member_user-${i}`));
    assert.equal(records[7].scope, 'moderator');
    assert.deepEqual([...sb.accepted('members').values()], records);

    assert.equal((await get(`${sb.url}/__sandbox/accepted/users`)).text, '');
    assert.equal((await get(`${sb.url}/__sandbox/accepted/groups`)).text, '');
    assert.equal((await get(`${sb.url}/__sandbox/accepted/messages`)).status, 200, 'messages are a kind');
    assert.equal((await get(`${sb.url}/__sandbox/accepted/reactions`)).status, 404);
    assert.equal((await get(`${sb.url}/__sandbox/nothing`)).status, 404);
  } finally {
    await sb.close();
  }
});

test('POST /__sandbox/reset forgets records, statistics and the rate window', async () => {
  const sb = await startSandbox({ apiKey: KEY, rpm: 2, windowMs: 60_000 });
  try {
    assert.equal(await post(sb, batch(0, 3)), 200);
    assert.equal(await post(sb, batch(0, 3)), 200);
    assert.equal(await post(sb, batch(0, 3)), 429);
    const r = await get(`${sb.url}/__sandbox/reset`, 'POST');
    assert.equal(r.status, 200);
    const s = sb.stats();
    assert.equal(s.requests, 0);
    assert.equal(s.accepted.members, 0);
    assert.equal(s.duplicateDeliveries, 0);
    assert.equal(s.maxRequestsInWindow, 0);
    assert.deepEqual(s.byStatus, {});
    const res = await request(`${sb.baseUrl}/data_import/members`, { method: 'POST', headers: { apikey: KEY }, body: batch(0, 3) });
    const json = (await res.body.json()) as any;
    assert.equal(json.data['room_member_user-0'].success, true, 'accepted again: the earlier import was forgotten');
  } finally {
    await sb.close();
  }
});

test('connections are counted and close() is prompt with idle keep-alive sockets', { timeout: 5000 }, async () => {
  const sb = await startSandbox({ apiKey: KEY, rpm: 0 });
  const agents = [new Agent(), new Agent(), new Agent()];
  try {
    for (const [i, agent] of agents.entries()) assert.equal(await post(sb, batch(i * 10, 10), agent), 200);
    // Three idle keep-alive sockets are open now, one per agent; the server's keep-alive is 65 s.
    const s = sb.stats();
    assert.equal(s.maxOpenConnections, 3);
    assert.equal(s.maxInFlight, 1);
    const started = Date.now();
    await sb.close();
    assert.ok(Date.now() - started < 500, `close took ${Date.now() - started} ms`);
    await sb.close(); // idempotent
    await assert.rejects(request(`${sb.baseUrl}/data_import/members`, { method: 'POST', body: '{}' }));
  } finally {
    await sb.close();
    await Promise.all(agents.map((a) => a.close()));
  }
});

// A per-test timeout turns a close() that hangs on a busy socket into a failure, not a stuck run.
test('close() is prompt with a request still being answered (injected latency)', { timeout: 5000 }, async () => {
  const sb = await startSandbox({ apiKey: KEY, rpm: 0, faults: { latencyMs: 10_000 } });
  const pending = post(sb, batch(0, 1)).catch((err: Error) => err);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(sb.stats().maxInFlight, 1);
  const started = Date.now();
  await sb.close();
  assert.ok(Date.now() - started < 500, `close took ${Date.now() - started} ms`);
  assert.ok((await pending) instanceof Error);
  assert.equal(sb.stats().accepted.members, 0, 'the cancelled request stored nothing');
});

async function postWithKey(sb: Sandbox, text: string, key: string): Promise<number> {
  const res = await request(`${sb.baseUrl}/data_import/members`, { method: 'POST', headers: { apikey: key }, body: text });
  await res.body.dump();
  return res.statusCode;
}

test('fullRequests and first/last request times count admitted requests only, on the sandbox clock', async () => {
  let clock = 1_000;
  const sb = await startSandbox({ apiKey: KEY, rpm: 3, windowMs: 1000, now: () => clock });
  try {
    const empty = sb.stats();
    assert.deepEqual([empty.fullRequests, empty.firstRequestAt, empty.lastRequestAt], [0, null, null]);
    const overHttp = JSON.parse((await get(`${sb.url}/__sandbox/stats`)).text);
    assert.deepEqual([overHttp.fullRequests, overHttp.firstRequestAt, overHttp.lastRequestAt], [0, null, null], 'null times survive JSON');

    assert.equal(await postWithKey(sb, batch(0, 50), 'wrong-key'), 401); // refused before the limiter
    clock = 2_000;
    assert.equal(await post(sb, batch(0, 50)), 200); // full
    clock = 2_500;
    assert.equal(await post(sb, batch(50, 10)), 200); // partial
    clock = 2_600;
    assert.equal(await post(sb, batch(60, 50)), 200); // full, third in the window
    clock = 2_700;
    assert.equal(await post(sb, batch(110, 50)), 429); // over the rate: not admitted
    clock = 3_050; // the request at 2000 has left the window
    assert.equal(await post(sb, '{"members":'), 400); // admitted, then refused as malformed
    clock = 3_550; // 2500 has left too: two in the window
    assert.equal(await post(sb, batch(200, 51)), 400); // admitted, more than maxEntities: not "full"

    const s = sb.stats();
    assert.equal(s.requests, 7);
    assert.equal(s.fullRequests, 2);
    assert.equal(s.firstRequestAt, 2_000);
    assert.equal(s.lastRequestAt, 3_550);
    assert.deepEqual(withoutCpu(JSON.parse((await get(`${sb.url}/__sandbox/stats`)).text)), withoutCpu(s));

    await get(`${sb.url}/__sandbox/reset`, 'POST');
    const cleared = sb.stats();
    assert.deepEqual([cleared.fullRequests, cleared.firstRequestAt, cleared.lastRequestAt], [0, null, null]);
  } finally {
    await sb.close();
  }
});

test('injected faults: 5xx and resets were admitted (they used quota), spurious 429s were not', async () => {
  let clock = 10_000;
  const cases = [
    { faults: { errorRate: 1 }, admitted: true },
    { faults: { resetRate: 1 }, admitted: true },
    { faults: { spurious429Rate: 1 }, admitted: false },
  ];
  for (const c of cases) {
    const sb = await startSandbox({ apiKey: KEY, rpm: 0, now: () => clock, faults: c.faults });
    try {
      for (let i = 0; i < 3; i++) {
        clock += 100;
        await post(sb, batch(i * 50, 50)).catch(() => 0); // a reset rejects the request
      }
      const s = sb.stats();
      assert.equal(s.requests, 3, JSON.stringify(c.faults));
      assert.equal(s.accepted.members, 0);
      if (c.admitted) assert.deepEqual([s.fullRequests, s.firstRequestAt, s.lastRequestAt], [3, clock - 200, clock], JSON.stringify(c.faults));
      else assert.deepEqual([s.fullRequests, s.firstRequestAt, s.lastRequestAt], [0, null, null], JSON.stringify(c.faults));
    } finally {
      await sb.close();
    }
  }
});

test('a smaller maxEntities makes smaller requests full; the real clock is used by default', async () => {
  const sb = await startSandbox({ apiKey: KEY, rpm: 0, maxEntities: 10 });
  try {
    const before = Date.now();
    assert.equal(await post(sb, batch(0, 10)), 200);
    assert.equal(await post(sb, batch(10, 9)), 200);
    assert.equal(await post(sb, batch(20, 50)), 400);
    const after = Date.now();
    const s = sb.stats();
    assert.equal(s.fullRequests, 1);
    assert.ok(s.firstRequestAt !== null && s.firstRequestAt >= before && s.firstRequestAt <= after, String(s.firstRequestAt));
    assert.ok(s.lastRequestAt !== null && s.lastRequestAt >= s.firstRequestAt && s.lastRequestAt <= after);
  } finally {
    await sb.close();
  }
});

/** Stats without the CPU time, which moves between two reads. */
function withoutCpu(stats: { cpuMs: number }): Omit<typeof stats, 'cpuMs'> {
  const { cpuMs: _cpu, ...rest } = stats;
  return rest;
}
