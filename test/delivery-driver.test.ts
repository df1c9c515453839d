// The batch delivery driver through the CometChat sink against scripted local servers: a target
// never reached fails fast and names itself, one that answered before is retried patiently,
// routine throttling logs at debug, and ordered delivery keeps one batch on the wire in input order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCometChatSink, type CometChatTargetConfig } from '../src/sinks/cometchat/index.js';
import { ChatmigrateError } from '../src/errors.js';
import type { PendingRecord } from '../src/sinks/sink.js';
import { allOk, collect, memoryLogger, records, scriptedServer } from './helpers/scripted-server.js';

const KEY = 'driver-secret-key-5a7e20c4';

function cfg(baseUrl: string, over: Partial<CometChatTargetConfig> = {}): CometChatTargetConfig {
  return { baseUrl, apiKey: KEY, batchSize: 50, rpm: 0, rateWindowMs: 60_000, connections: 2, maxRetries: 8, retryMinMs: 5, retryMaxMs: 20, requestTimeoutMs: 5_000, ...over };
}

const keysOf = (rs: readonly PendingRecord[]) => rs.map((r) => r.key);

test('a target never reached: a few quick attempts, then CM_UNREACHABLE naming host:port; no request counted, every send refused', async () => {
  const server = await scriptedServer((_n, keys) => allOk(keys));
  await server.close(); // nothing listens on the port any more
  const c = collect();
  const sent: string[] = [];
  const refused: string[] = [];
  const log = memoryLogger();
  const sink = createCometChatSink(cfg(server.baseUrl), { ...c.callbacks, onSend: (r) => sent.push(...keysOf(r)), onRefused: (r) => refused.push(...keysOf(r)) }, log);
  try {
    const started = performance.now();
    for (let b = 0; b < 3; b++) await sink.submit(records(5, `b${b}_member_u`)).catch(() => undefined);
    const err = await sink.drain().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ChatmigrateError, String(err));
    assert.equal(err.code, 'CM_UNREACHABLE');
    assert.match(err.message, new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${server.port} \\(connection refused\\); 4 attempts in \\d+\\.\\d s, nothing was sent$`));
    assert.match(err.hint ?? '', /--base-url/);
    assert.ok(performance.now() - started < 2_000, 'seconds, not minutes');
    const stats = sink.stats();
    assert.deepEqual([stats.requests, stats.retries, stats.sentEntities, stats.connectFailures], [0, 0, 0, 4]);
    assert.ok(sent.length > 0 && refused.length === sent.length, 'whatever onSend recorded did not arrive');
    assert.equal(c.outcomes.size, 0);
    assert.ok(sink.unsettled().length >= 5);
    assert.equal(log.at('error', 'delivery stopped').length, 1);
    for (const line of log.lines) assert.ok(!line.includes(KEY));
  } finally {
    await sink.close(0);
  }
});

test('a target that answered and then refuses connections is retried patiently; refused attempts are no requests', async () => {
  let server: Awaited<ReturnType<typeof scriptedServer>> | undefined;
  server = await scriptedServer((n, keys) => {
    if (n > 1) return allOk(keys);
    // The first reply settles u0 and asks for u1 again; then the server goes away.
    setImmediate(() => void server?.close());
    return { status: 200, body: { data: { [keys[0]!]: { success: true }, [keys[1]!]: { success: false, error: { code: 'ERR_INTERNAL_SERVER_ERROR', message: 'oops' } } } } };
  });
  const c = collect();
  const sink = createCometChatSink(cfg(server.baseUrl, { maxRetries: 6 }), c.callbacks);
  try {
    await sink.submit(records(2));
    const err = await sink.drain().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ChatmigrateError);
    assert.equal(err.code, 'CM_RETRIES_EXHAUSTED', 'the patient retries, not the quick stop');
    assert.match(err.message, new RegExp(`failed after 6 retries: cannot connect to 127\\.0\\.0\\.1:${server.port} \\(connection refused\\)$`));
    const stats = sink.stats();
    assert.deepEqual([stats.requests, stats.connectFailures, stats.sentEntities], [1, 6, 2]);
    assert.deepEqual([...c.outcomes.keys()], ['g_member_u0']);
  } finally {
    await sink.close(0);
  }
});

test('throttling with a wait hint logs at debug; without a hint, or when it keeps happening, at warn', async () => {
  const hinted = { status: 429, body: { error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'slow down' } }, headers: { 'Retry-After': '0' } };
  const bare = { status: 429, body: { error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'slow down' } } };
  for (const [label, answers, warned] of [
    ['three hinted', [hinted, hinted, hinted], 0],
    ['six hinted in a row', [hinted, hinted, hinted, hinted, hinted, hinted], 1],
    ['two without a hint', [bare, bare], 2],
  ] as const) {
    const server = await scriptedServer((n, keys) => answers[n - 1] ?? allOk(keys));
    const log = memoryLogger();
    const c = collect();
    const sink = createCometChatSink(cfg(server.baseUrl, { maxRetries: 1 }), c.callbacks, log);
    try {
      await sink.submit(records(3));
      await sink.drain();
      assert.equal(c.outcomes.size, 3, label);
      assert.equal(sink.stats().throttled, answers.length, label);
      assert.equal(log.at('debug', 'target throttled requests').length + log.at('warn', 'target throttled requests').length, answers.length, label);
      assert.equal(log.at('warn', 'target throttled requests').length, warned, label);
      assert.equal(log.at('warn', 'request failed, will retry').length, 0, `${label}: throttled retries are not warnings`);
    } finally {
      await sink.close(0);
      await server.close();
    }
  }
});

test('ordered: one batch on the wire, each settled before the next is sent, input order kept through a partial re-send', async () => {
  const c = collect();
  const settledWhenSent: number[] = [];
  const server = await scriptedServer((n, keys) => {
    settledWhenSent.push(c.outcomes.size);
    if (n === 1) return { status: 200, delayMs: 20, body: { data: { [keys[0]!]: { success: true }, [keys[1]!]: { success: false, error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'retry after 0 seconds' } } } } };
    return allOk(keys, 20);
  });
  // Four connections and a window of eight asked for: ordered overrides both.
  const sink = createCometChatSink(cfg(server.baseUrl, { connections: 4, window: 8, ordered: true }), c.callbacks);
  try {
    const batches = [0, 1, 2, 3].map((b) => records(3, `b${b}_msg_`));
    for (const batch of batches) await sink.submit(batch);
    await sink.drain();
    assert.equal(server.maxOnWire(), 1);
    assert.equal(sink.stats().maxInFlight, 1);
    assert.deepEqual(server.seen.map((s) => s.keys.join(' ')), [
      'b0_msg_0 b0_msg_1 b0_msg_2',
      'b0_msg_1 b0_msg_2', // the partial re-send goes before the next batch
      'b1_msg_0 b1_msg_1 b1_msg_2',
      'b2_msg_0 b2_msg_1 b2_msg_2',
      'b3_msg_0 b3_msg_1 b3_msg_2',
    ]);
    assert.deepEqual(settledWhenSent, [0, 1, 3, 6, 9], 'every earlier record settled before a batch is sent');
    assert.deepEqual(c.order, keysOf(batches.flat()), 'outcomes in input order');
  } finally {
    await sink.close(0);
    await server.close();
  }
});
