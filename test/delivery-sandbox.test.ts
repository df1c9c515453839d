// Integration tests: the CometChat target against the real local sandbox over 127.0.0.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createCometChatSink, type CometChatTargetConfig } from '../src/sinks/cometchat/index.js';
import type { PendingRecord, RecordOutcome, Target } from '../src/sinks/sink.js';
import { ChatmigrateError } from '../src/errors.js';

const API_KEY = 'sbx-key-7f3a9c2e51d04b88';
const CREATED = '1673421419';

/** A real pino logger writing into memory, so tests can read every line it produced. */
function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** `count` valid members spread over groups, each bringing groupDetails and userDetails. */
function members(count: number, options: { from?: number; groups?: number; futureEvery?: number } = {}): PendingRecord[] {
  const from = options.from ?? 0;
  const groups = options.groups ?? 97;
  const out: PendingRecord[] = [];
  for (let i = from; i < from + count; i++) {
    const guid = `grp-${i % groups}`;
    const uid = `user_${i}`;
    const key = `${guid}_member_${uid}`;
    const future = options.futureEvery !== undefined && i % options.futureEvery === 0;
    const member = {
      memberId: key,
      guid,
      uid,
      scope: i % 10 === 0 ? 'admin' : 'participant',
      joinedAt: future ? '9999999999' : CREATED,
      groupDetails: { guid, name: `Group ${i % groups}`, type: 'public', createdAt: CREATED },
      userDetails: { uid, name: `User ${i}` },
    };
    out.push({ key, json: JSON.stringify(member), index: i });
  }
  return out;
}

function batches(records: PendingRecord[], size: number): PendingRecord[][] {
  const out: PendingRecord[][] = [];
  for (let i = 0; i < records.length; i += size) out.push(records.slice(i, i + size));
  return out;
}

function config(sandbox: Sandbox, over: Partial<CometChatTargetConfig> = {}): CometChatTargetConfig {
  return {
    baseUrl: sandbox.baseUrl,
    apiKey: API_KEY,
    batchSize: 50,
    rpm: 0,
    rateWindowMs: 60_000,
    connections: 4,
    maxRetries: 8,
    retryMinMs: 5,
    retryMaxMs: 100,
    requestTimeoutMs: 10_000,
    ...over,
  };
}

/** Runs a target over all batches the way the pipeline does, recording every outcome. */
function recorder() {
  const outcomes = new Map<string, RecordOutcome[]>();
  const settledBatches: number[] = [];
  return {
    outcomes,
    settledBatches,
    callbacks: {
      onOutcome(record: PendingRecord, outcome: RecordOutcome) {
        const list = outcomes.get(record.key) ?? [];
        list.push(outcome);
        outcomes.set(record.key, list);
      },
      onBatchSettled(batch: readonly PendingRecord[]) {
        settledBatches.push(batch[0]!.index);
      },
    },
  };
}

async function deliver(target: Target, records: PendingRecord[], size = 50): Promise<void> {
  for (const batch of batches(records, size)) await target.submit(batch);
  await target.drain();
}

test('10,000 members through injected errors, resets and spurious 429s: each delivered exactly once', async () => {
  const sandbox = await startSandbox({ apiKey: API_KEY, rpm: 0, faults: { seed: 42, errorRate: 0.05, resetRate: 0.02, spurious429Rate: 0.02 } });
  const { logger, lines } = captureLogger();
  const rec = recorder();
  const records = members(10_000);
  const target = createCometChatSink(config(sandbox), rec.callbacks, logger);
  try {
    await deliver(target, records);
    await target.close(0);

    const sent = new Set(records.map((r) => r.key));
    const accepted = new Set(sandbox.accepted('members').keys());
    assert.equal(accepted.size, sent.size);
    for (const key of sent) assert.ok(accepted.has(key), `not accepted: ${key}`);
    assert.equal(rec.outcomes.size, records.length);
    for (const [key, list] of rec.outcomes) {
      assert.equal(list.length, 1, `${key} reported ${list.length} times`);
      assert.ok(list[0]!.kind === 'imported' || list[0]!.kind === 'alreadyPresent', `${key}: ${JSON.stringify(list[0])}`);
    }
    assert.equal(rec.settledBatches.length, 200);
    assert.deepEqual(target.unsettled(), []);

    const s = sandbox.stats();
    const t = target.stats();
    assert.ok(s.maxEntitiesPerRequest <= 50, `max entities ${s.maxEntitiesPerRequest}`);
    assert.ok(s.maxOpenConnections <= 4, `open connections ${s.maxOpenConnections}`);
    assert.ok(s.resets > 0 && (s.byStatus['429'] ?? 0) > 0 && ((s.byStatus['500'] ?? 0) + (s.byStatus['502'] ?? 0) + (s.byStatus['503'] ?? 0)) > 0, JSON.stringify(s));
    assert.equal(s.duplicateDeliveries, 0);
    assert.equal(t.requests, s.requests);
    assert.equal(t.throttled, s.byStatus['429'] ?? 0);
    assert.equal(t.retries, t.requests - 200);
    assert.ok(t.maxInFlight <= 4 && t.maxInFlight >= 2, `maxInFlight ${t.maxInFlight}`);
    assert.equal(t.sentEntities, s.entitiesReceived);

    assert.ok(lines.some((l) => l.includes('target throttled requests, pausing all senders')));
    assert.ok(lines.some((l) => l.includes('request failed, will retry')));
    for (const line of lines) assert.ok(!line.includes(API_KEY), `key leaked: ${line}`);
  } finally {
    await target.close(0);
    await sandbox.close();
  }
});

test('a short rate window is never exceeded, and its budget is used', async () => {
  const rpm = 20;
  const windowMs = 1000;
  const sandbox = await startSandbox({ apiKey: API_KEY, rpm, windowMs });
  const rec = recorder();
  const records = members(4000); // 80 requests = 4 full windows
  const target = createCometChatSink(config(sandbox, { rpm, rateWindowMs: windowMs }), rec.callbacks);
  try {
    const started = performance.now();
    await deliver(target, records);
    const elapsed = performance.now() - started;
    const s = sandbox.stats();
    assert.equal(s.requests, 80, JSON.stringify(s));
    assert.equal(s.byStatus['429'] ?? 0, 0, 'the governor never let the server throttle');
    assert.ok(s.maxRequestsInWindow <= rpm, `max in window ${s.maxRequestsInWindow}`);
    assert.equal(s.maxRequestsInWindow, rpm, 'a full window was used');
    // 80 starts at 20 per window need 3 window lengths after the first burst; the guard adds ~1%.
    assert.ok(elapsed >= 3 * windowMs, `too fast: ${elapsed} ms`);
    // Less than a window of slack: an unused window would add a whole second; a loaded 2-core
    // machine (tests beside a bench) was seen adding a few hundred ms of event-loop delay.
    assert.ok(elapsed <= 3 * windowMs * 1.12 + 600, `budget left unused: ${elapsed} ms`);
    assert.equal(sandbox.accepted('members').size, 4000);
  } finally {
    await target.close(0);
    await sandbox.close();
  }
});

test('retries count against the budget like any request', async () => {
  const rpm = 10;
  const windowMs = 500;
  const sandbox = await startSandbox({ apiKey: API_KEY, rpm, windowMs, faults: { seed: 7, errorRate: 0.3 } });
  const rec = recorder();
  const target = createCometChatSink(config(sandbox, { rpm, rateWindowMs: windowMs }), rec.callbacks);
  try {
    await deliver(target, members(1500)); // 30 batches
    const s = sandbox.stats();
    assert.ok(s.requests > 30 && target.stats().retries === s.requests - 30, JSON.stringify(s));
    assert.ok(s.maxRequestsInWindow <= rpm, `max in window ${s.maxRequestsInWindow}`);
    assert.equal(s.byStatus['429'] ?? 0, 0);
    assert.equal(sandbox.accepted('members').size, 1500);
  } finally {
    await target.close(0);
    await sandbox.close();
  }
});

test('a refused API key fails at once with CM_AUTH after exactly one request, without leaking the key', async () => {
  const sandbox = await startSandbox({ apiKey: API_KEY });
  const { logger, lines } = captureLogger();
  const wrongKey = 'wrong-key-0d9e8f7a6b5c';
  const rec = recorder();
  const target = createCometChatSink(config(sandbox, { apiKey: wrongKey }), rec.callbacks, logger);
  try {
    const started = performance.now();
    let submitError: unknown;
    try {
      for (const batch of batches(members(1000), 50)) await target.submit(batch);
    } catch (err) {
      submitError = err;
    }
    const drainError = await target.drain().then(() => undefined, (e: unknown) => e);
    for (const err of [submitError, drainError]) {
      assert.ok(err instanceof ChatmigrateError, String(err));
      assert.equal(err.code, 'CM_AUTH');
      assert.match(err.message, /AUTH_ERR_APIKEY_NOT_FOUND/);
      assert.ok(!err.message.includes(wrongKey));
    }
    assert.ok(performance.now() - started < 2_000);
    assert.equal(sandbox.stats().requests, 1);
    assert.equal(rec.outcomes.size, 0);
    assert.ok(target.unsettled().length > 0, 'the records of the failed run are reported unsettled');
    await target.close(100);
    assert.ok(lines.some((l) => l.includes('delivery stopped') && l.includes('CM_AUTH')));
    for (const line of lines) assert.ok(!line.includes(wrongKey) && !line.includes(API_KEY), `key leaked: ${line}`);
  } finally {
    await target.close(0);
    await sandbox.close();
  }
});

test('re-sending records already imported counts them alreadyPresent (nested replies too)', async () => {
  const sandbox = await startSandbox({ apiKey: API_KEY, rpm: 0, nestedReplies: true });
  const records = members(500);
  try {
    const first = recorder();
    const a = createCometChatSink(config(sandbox), first.callbacks);
    await deliver(a, records);
    await a.close(0);
    assert.ok([...first.outcomes.values()].every((l) => l.length === 1 && l[0]!.kind === 'imported'));

    const second = recorder();
    const b = createCometChatSink(config(sandbox), second.callbacks);
    await deliver(b, records);
    await b.close(0);
    assert.equal(second.outcomes.size, 500);
    for (const list of second.outcomes.values()) assert.deepEqual(list, [{ kind: 'alreadyPresent', code: 'ERR_ALREADY_JOINED' }]);
    assert.equal(sandbox.accepted('members').size, 500);
    assert.equal(b.stats().retries, 0);
  } finally {
    await sandbox.close();
  }
});

test('invalid entities are rejected alone; the rest import without being re-sent', async () => {
  const sandbox = await startSandbox({ apiKey: API_KEY, rpm: 0 });
  const records = members(50, { futureEvery: 10 }); // indexes 0, 10, 20, 30, 40 joined "in the future"
  const rec = recorder();
  const target = createCometChatSink(config(sandbox), rec.callbacks);
  try {
    await deliver(target, records);
    const rejected = [...rec.outcomes].filter(([, l]) => l[0]!.kind === 'rejected');
    assert.deepEqual(rejected.map(([k]) => k).sort(), records.filter((r) => r.index % 10 === 0).map((r) => r.key).sort());
    for (const [, [outcome]] of rejected) {
      assert.equal(outcome?.kind === 'rejected' && outcome.code, 'ERR_IMPORT_INVALID_JOINEDAT');
      assert.match((outcome as { message: string }).message, /after now/);
    }
    assert.equal([...rec.outcomes.values()].filter((l) => l[0]!.kind === 'imported').length, 45);
    assert.equal(sandbox.stats().requests, 1);
    assert.equal(sandbox.stats().entitiesReceived, 50);
    assert.equal(sandbox.accepted('members').size, 45);
  } finally {
    await target.close(0);
    await sandbox.close();
  }
});

test('a stalled server stops submit() (backpressure); close() returns within its grace', async () => {
  const sandbox = await startSandbox({ apiKey: API_KEY, rpm: 0, faults: { stallAfter: 2 } });
  const rec = recorder();
  const connections = 2;
  const target = createCometChatSink(config(sandbox, { connections, requestTimeoutMs: 30_000 }), rec.callbacks);
  const all = batches(members(100 * 50), 50);
  let admitted = 0;
  let produced = 0;
  let pending: Promise<void> | undefined;
  try {
    // A producer that reads "input" only after submit resolves, like the pipeline.
    for (const batch of all) {
      produced++;
      const p = target.submit(batch);
      const won = await Promise.race([p.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 400))]);
      if (!won) {
        pending = p;
        break;
      }
      admitted++;
    }
    // 2 batches answered, then `2 x connections` admitted batches stuck: the window is full.
    assert.equal(admitted, 2 + 2 * connections);
    assert.equal(produced, admitted + 1, 'the producer stopped reading input');
    assert.equal(rec.outcomes.size, 100);
    const unsettled = target.unsettled();
    assert.equal(unsettled.length, (2 * connections + 1) * 50, 'memory is bounded by the window');
    assert.equal(target.stats().requests, 2 + connections, 'no more requests than connections in flight');

    const pendingResult = pending!.then(() => 'resolved', (e: ChatmigrateError) => e.code);
    const started = performance.now();
    await target.close(300);
    const took = performance.now() - started;
    assert.ok(took >= 290 && took < 1_300, `close took ${took} ms`);
    assert.equal(await pendingResult, 'CM_INTERRUPTED');
    await assert.rejects(target.drain(), (e: ChatmigrateError) => e.code === 'CM_INTERRUPTED');
    // Nothing was lost: every record produced is either settled or reported unsettled.
    assert.equal(rec.outcomes.size + target.unsettled().length, produced * 50);
    assert.ok(sandbox.stats().stalled >= 2);
  } finally {
    await target.close(0);
    await sandbox.close();
  }
});
