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
    assert.deepEqual(s, sb.stats());
    assert.equal(s.requests, 42, 'introspection requests are not counted');
    assert.deepEqual(s.byStatus, { '200': 41, '400': 1 });
    assert.equal(s.entitiesReceived, 2010);
    assert.equal(s.maxEntitiesPerRequest, 50);
    assert.equal(s.duplicateDeliveries, 10);
    assert.deepEqual(s.accepted, { members: 2000, users: 0, groups: 0 });
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
    assert.equal((await get(`${sb.url}/__sandbox/accepted/messages`)).status, 404);
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
