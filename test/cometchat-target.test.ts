// CometChat sink behaviour against a scripted local HTTP server: the documented request, partial
// re-sends, exhaustion, throttling, secrets, whole-batch rejects, timeouts and resets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCometChatSink, type CometChatTargetConfig } from '../src/sinks/cometchat/index.js';
import { ChatmigrateError } from '../src/errors.js';
import { allOk, collect, memoryLogger, records, scriptedServer } from './helpers/scripted-server.js';

const KEY = 'scripted-secret-key-93c1f0';

function cfg(baseUrl: string, over: Partial<CometChatTargetConfig> = {}): CometChatTargetConfig {
  return { baseUrl, apiKey: KEY, batchSize: 50, rpm: 0, rateWindowMs: 60_000, connections: 2, maxRetries: 4, retryMinMs: 5, retryMaxMs: 20, requestTimeoutMs: 5_000, ...over };
}

test('sends the documented request: path, headers, body', async () => {
  const server = await scriptedServer((_n, keys) => allOk(keys));
  const c = collect();
  const target = createCometChatSink(cfg(server.baseUrl + '/'), c.callbacks);
  try {
    await target.submit(records(3));
    await target.drain();
    const [req] = server.seen;
    assert.equal(req!.path, '/v3/data_import/members');
    assert.equal(req!.headers['apikey'], KEY);
    assert.equal(req!.headers['content-type'], 'application/json');
    assert.equal(req!.headers['accept'], 'application/json');
    assert.deepEqual(req!.keys, ['g_member_u0', 'g_member_u1', 'g_member_u2']);
    assert.equal(req!.body, '{"members":{"g_member_u0":{"memberId":"g_member_u0"},"g_member_u1":{"memberId":"g_member_u1"},"g_member_u2":{"memberId":"g_member_u2"}}}');
    assert.deepEqual([...c.outcomes.values()], [{ kind: 'imported' }, { kind: 'imported' }, { kind: 'imported' }]);
  } finally {
    await target.close(0);
    await server.close();
  }
});

test('a partial failure re-sends only the retryable entities; finished ones are recorded at once', async () => {
  let outcomesAtSecondRequest = -1;
  const c = collect();
  const server = await scriptedServer((n, keys) => {
    if (n === 1) {
      return {
        status: 200,
        body: {
          data: {
            g_member_u0: { success: true, data: {} },
            g_member_u1: { success: false, error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'Please retry after 0 seconds' } },
            g_member_u2: { success: false, error: { code: 'ERR_INTERNAL_SERVER_ERROR', message: 'oops' } },
            // g_member_u3 missing from the reply
            g_member_u4: { success: false, error: { code: 'ERR_UID_NOT_FOUND', message: 'no user u4' } },
            g_member_u5: { data: { success: false, error: { code: 'ERR_ALREADY_JOINED', message: 'joined' } } },
          },
        },
      };
    }
    outcomesAtSecondRequest = c.outcomes.size;
    return allOk(keys);
  });
  const target = createCometChatSink(cfg(server.baseUrl), c.callbacks);
  try {
    await target.submit(records(6));
    await target.drain();
    assert.equal(server.seen.length, 2);
    assert.deepEqual(server.seen[1]!.keys, ['g_member_u1', 'g_member_u2', 'g_member_u3']);
    assert.equal(outcomesAtSecondRequest, 3, 'u0, u4, u5 were settled before the re-send');
    assert.deepEqual(c.outcomes.get('g_member_u4'), { kind: 'rejected', code: 'ERR_UID_NOT_FOUND', message: 'no user u4' });
    assert.deepEqual(c.outcomes.get('g_member_u5'), { kind: 'alreadyPresent', code: 'ERR_ALREADY_JOINED' });
    for (const k of ['g_member_u0', 'g_member_u1', 'g_member_u2', 'g_member_u3']) assert.deepEqual(c.outcomes.get(k), { kind: 'imported' });
    assert.deepEqual(target.stats(), { requests: 2, retries: 1, throttled: 1, connectFailures: 0, sentEntities: 9, maxInFlight: 1 });
  } finally {
    await target.close(0);
    await server.close();
  }
});

test('retries exhausted: CM_RETRIES_EXHAUSTED with the last error, records left unsettled', async () => {
  const server = await scriptedServer(() => ({ status: 503, body: { error: { code: 'ERR_SERVICE_UNAVAILABLE', message: `down (${KEY})` } } }));
  const log = memoryLogger();
  const c = collect();
  const target = createCometChatSink(cfg(server.baseUrl, { maxRetries: 3 }), c.callbacks, log);
  try {
    await target.submit(records(5));
    const err = await target.drain().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ChatmigrateError);
    assert.equal(err.code, 'CM_RETRIES_EXHAUSTED');
    assert.equal(err.message, 'POST /data_import/members failed after 3 retries: HTTP 503 ERR_SERVICE_UNAVAILABLE');
    assert.equal(server.seen.length, 4);
    assert.equal(target.unsettled().length, 5);
    await assert.rejects(target.submit(records(1, 'later_')), (e: ChatmigrateError) => e.code === 'CM_RETRIES_EXHAUSTED');
    assert.equal(log.lines.filter((l) => l.includes('request failed, will retry')).length, 3);
    for (const line of log.lines) assert.ok(!line.includes(KEY));
  } finally {
    await target.close(0);
    await server.close();
  }
});

test('a 429 pauses every sender until the reset time and does not spend retries', async () => {
  let throttledAt = 0;
  const server = await scriptedServer((n, keys) => {
    if (n <= 3) {
      throttledAt = performance.now();
      return { status: 429, body: { error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'slow down' } }, headers: { 'X-RateLimit-Reset': '0.3' } };
    }
    return allOk(keys);
  });
  const c = collect();
  // maxRetries 1: three throttles in a row would exhaust it if they counted.
  const target = createCometChatSink(cfg(server.baseUrl, { maxRetries: 1, connections: 3 }), c.callbacks);
  try {
    for (let b = 0; b < 3; b++) await target.submit(records(10, `b${b}_member_u`));
    await target.drain();
    assert.equal(c.outcomes.size, 30);
    const t = target.stats();
    assert.equal(t.throttled, 3);
    assert.equal(t.requests, 3 + 3);
    // After each 429 nobody sent anything for the 300 ms the server asked for.
    for (let i = 1; i < server.seen.length; i++) {
      const previous = server.seen[i - 1]!;
      if (i <= 3) assert.ok(server.seen[i]!.at - previous.at >= 290, `request ${i + 1} came ${server.seen[i]!.at - previous.at} ms after a 429`);
    }
    assert.ok(server.seen[3]!.at - throttledAt >= 290);
  } finally {
    await target.close(0);
    await server.close();
  }
});

test('a refusal that echoes the key: CM_AUTH, key redacted everywhere', async () => {
  const server = await scriptedServer(() => ({ status: 401, body: { error: { code: 'AUTH_ERR_APIKEY_NOT_FOUND', message: `The key ${KEY} does not exist` } } }));
  const log = memoryLogger();
  const target = createCometChatSink(cfg(server.baseUrl), collect().callbacks, log);
  try {
    await target.submit(records(2));
    const err = (await target.drain().catch((e: unknown) => e)) as ChatmigrateError;
    assert.equal(err.code, 'CM_AUTH');
    assert.match(err.message, /\[redacted\]/);
    assert.ok(!err.message.includes(KEY) && !(err.hint ?? '').includes(KEY));
    assert.equal(server.seen.length, 1);
    for (const line of log.lines) assert.ok(!line.includes(KEY), line);
  } finally {
    await target.close(0);
    await server.close();
  }
});

test('a malformed-wrapper reply rejects the whole batch once, without retrying', async () => {
  const server = await scriptedServer(() => ({ status: 400, body: { error: { code: 'ERR_IMPORT_INVALID_MEMBER_FORMAT', message: 'bad members' } } }));
  const c = collect();
  const target = createCometChatSink(cfg(server.baseUrl), c.callbacks);
  try {
    await target.submit(records(4));
    await target.drain();
    assert.equal(server.seen.length, 1);
    for (const o of c.outcomes.values()) assert.deepEqual(o, { kind: 'rejected', code: 'ERR_IMPORT_INVALID_MEMBER_FORMAT', message: 'bad members' });
    assert.equal(c.outcomes.size, 4);
  } finally {
    await target.close(0);
    await server.close();
  }
});

test('a timed-out request and a reset connection are retried', async () => {
  const server = await scriptedServer((n, keys) => (n === 1 ? 'stall' : n === 2 ? 'reset' : allOk(keys)));
  const c = collect();
  const target = createCometChatSink(cfg(server.baseUrl, { requestTimeoutMs: 200 }), c.callbacks);
  try {
    await target.submit(records(3));
    await target.drain();
    assert.equal(c.outcomes.size, 3);
    assert.equal(server.seen.length, 3);
    assert.equal(target.stats().retries, 2);
  } finally {
    await target.close(0);
    await server.close();
  }
});

test('config and batch checks name the problem', async () => {
  assert.throws(() => createCometChatSink(cfg('http://127.0.0.1:1/v3', { batchSize: 51 }), collect().callbacks), (e: ChatmigrateError) => e.code === 'CM_CONFIG' && /batchSize expects an integer from 1 to 50, got 51/.test(e.message));
  assert.throws(() => createCometChatSink(cfg('ftp://x/v3'), collect().callbacks), (e: ChatmigrateError) => e.code === 'CM_CONFIG' && /baseUrl/.test(e.message));
  const target = createCometChatSink(cfg('http://127.0.0.1:1/v3', { batchSize: 2 }), collect().callbacks);
  await assert.rejects(target.submit(records(3)), /exceeds batchSize 2/);
  await assert.rejects(target.submit([records(1)[0]!, records(1)[0]!]), /twice/);
  await target.submit([]);
  await target.drain();
  await target.close(0);
});
