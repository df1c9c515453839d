// `import` through the real pipeline into the in-process sandbox over 127.0.0.1: every record in
// exactly one bucket, exactly the valid set delivered (through faults too), the quota and the
// connection cap respected, idempotent re-runs, server-side rejections and fatal errors reported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToString, type GenerateOptions } from '../bench/generate.js';
import { NOW, readNdjson, tempDir } from './helpers/run.js';
import { acceptedIds, assertCountsAddUp, expectedValidIds, FIXTURE_VALID_IDS, importInto, withSandbox } from './helpers/sandbox.js';

const FORMATS = ['ndjson', 'array', 'cometchat', 'map'] as const;
const fixture = (f: (typeof FORMATS)[number]) => (f === 'ndjson' ? 'fixtures/members.ndjson' : `fixtures/members.${f}.json`);
const LOCAL_REASONS = ['INVALID_GUID', 'JOINED_IN_FUTURE', 'JOINED_BEFORE_GROUP_CREATED', 'MISSING_UID', 'INVALID_SCOPE', 'INVALID_GROUP_DETAILS'];

/** Writes a generated export to a temp file; returns its path and the ids it must deliver. */
function generated(options: GenerateOptions): { path: string; ids: string[]; expected: ReturnType<typeof generateToString>['expected'] } {
  const { text, expected } = generateToString(options);
  const path = join(tempDir(), `export.${options.format === 'ndjson' ? 'ndjson' : 'json'}`);
  writeFileSync(path, text);
  return { path, ids: expectedValidIds(options), expected };
}

test('the fixture in each format: exactly the 6 valid members arrive, exit 3, rejects hold the 6 invalid + 1 conflict', { timeout: 20_000 }, async () => {
  for (const format of FORMATS) {
    await withSandbox({}, async (sandbox) => {
      const rejects = join(tempDir(), 'rejects.ndjson');
      const r = await importInto(sandbox, { input: fixture(format), rejects });
      assert.equal(r.input.format, format);
      assertCountsAddUp(r, format);
      assert.deepEqual(
        { read: r.read, invalid: r.invalid, duplicates: r.duplicates, conflicts: r.conflicts, valid: r.valid, imported: r.imported, alreadyPresent: r.alreadyPresent, rejected: r.rejected, unsent: r.unsent },
        { read: 14, invalid: 6, duplicates: 2, conflicts: 1, valid: 6, imported: 6, alreadyPresent: 0, rejected: 0, unsent: 0 },
        format,
      );
      assert.equal(r.exitCode, 3, format);
      assert.equal(r.status, 'some-invalid');
      assert.equal(r.error, undefined);
      assert.deepEqual(acceptedIds(sandbox), FIXTURE_VALID_IDS, format);

      // What arrived is the normalized record, and the first of two conflicting records won.
      const accepted = sandbox.accepted('members');
      const uid3 = accepted.get('guid1_member_uid3') as Record<string, unknown>;
      assert.deepEqual([uid3['guid'], uid3['uid'], uid3['scope'], uid3['joinedAt']], ['guid1', 'uid3', 'admin', '1673421500']);
      const alice = accepted.get('team-b_member_alice') as { userDetails: { name: string }; scope: string };
      assert.equal(alice.userDetails.name, 'Alice');
      assert.equal(alice.scope, 'participant');

      const lines = readNdjson(rejects);
      assert.equal(lines.length, 7, format);
      assert.deepEqual(lines.map((l) => l['reason']).sort(), [...LOCAL_REASONS, 'DUPLICATE_CONFLICT'].sort());
      const s = sandbox.stats();
      assert.equal(r.requests, s.requests);
      assert.equal(s.entitiesReceived, 6, 'nothing but the valid, deduplicated records was sent');
    });
  }
});

test('10,500 generated members through errors, resets and spurious 429s: exactly the valid set arrives', { timeout: 25_000 }, async () => {
  const options: GenerateOptions = { format: 'ndjson', count: 10_500, seed: 31, dupRate: 0.03, conflictRate: 0.01, invalidRate: 0.03 };
  const { path, ids, expected } = generated(options);
  const connections = 3;
  await withSandbox({ faults: { seed: 17, errorRate: 0.05, resetRate: 0.02, spurious429Rate: 0.02 } }, async (sandbox) => {
    const rejects = join(tempDir(), 'rejects.ndjson');
    const r = await importInto(sandbox, { input: path, rejects, connections });
    assertCountsAddUp(r);
    assert.deepEqual(
      { read: r.read, valid: r.valid, invalid: r.invalid, duplicates: r.duplicates, conflicts: r.conflicts },
      { read: expected.read, valid: expected.valid, invalid: expected.invalid, duplicates: expected.duplicates, conflicts: expected.conflicts },
    );
    assert.equal(ids.length, expected.valid);
    assert.equal(r.unsent, 0);
    assert.equal(r.rejected, 0);
    assert.equal(r.imported! + r.alreadyPresent!, expected.valid);
    assert.equal(r.exitCode, 3, 'invalid records were present');

    const got = acceptedIds(sandbox);
    assert.equal(got.length, ids.length);
    assert.deepEqual(got, ids, 'the accepted set is the valid, deduplicated set');

    const s = sandbox.stats();
    assert.ok(s.maxEntitiesPerRequest <= 50, `a request held ${s.maxEntitiesPerRequest} entities`);
    assert.ok(s.maxOpenConnections <= connections, `${s.maxOpenConnections} connections open at once, --connections ${connections}`);
    const injected = (s.byStatus['500'] ?? 0) + (s.byStatus['502'] ?? 0) + (s.byStatus['503'] ?? 0);
    assert.ok(s.resets > 0 && injected > 0 && (s.byStatus['429'] ?? 0) > 0, `faults were injected: ${JSON.stringify(s)}`);
    assert.equal(s.duplicateDeliveries, r.alreadyPresent, 'only re-sent accepted records count as already present');

    for (const field of ['requests', 'retries', 'throttled'] as const) assert.equal(typeof r[field], 'number', `report.${field}`);
    assert.equal(r.requests, s.requests, 'the report counts every request the sandbox saw');
    assert.equal(r.throttled, s.byStatus['429'] ?? 0);
    assert.ok(r.retries! >= s.resets + injected, `every failed request was retried: ${r.retries} retries`);
    assert.ok(r.requests! - r.retries! >= Math.ceil(expected.valid / 50), 'first attempts cover every batch');

    assert.equal(readNdjson(rejects).length, expected.invalid + expected.conflicts);
  });
});

test('--rpm 20 per 1 s window over 64 requests: the sandbox never sees more than 20 in a window', { timeout: 20_000 }, async () => {
  const options: GenerateOptions = { format: 'cometchat', count: 320, seed: 3 };
  const { path, ids } = generated(options);
  const rpm = 20;
  const windowMs = 1000;
  // rpm 0: the sandbox only measures; maxEntities 5 makes every batch of 5 a "full" request.
  await withSandbox({ rpm: 0, windowMs, maxEntities: 5 }, async (sandbox) => {
    const r = await importInto(sandbox, { input: path, rpm, rateWindowMs: windowMs, batchSize: 5, connections: 4 });
    assertCountsAddUp(r);
    assert.equal(r.exitCode, 0);
    assert.equal(r.imported, 320);
    assert.deepEqual(acceptedIds(sandbox), ids);
    const s = sandbox.stats();
    assert.ok(s.requests >= 60, `${s.requests} requests`);
    assert.ok(s.maxRequestsInWindow <= rpm, `${s.maxRequestsInWindow} requests within one ${windowMs} ms window, --rpm ${rpm}`);
    assert.ok(s.maxRequestsInWindow >= rpm - 2, `the budget was used: at most ${s.maxRequestsInWindow} in a window`);
    assert.ok(s.fullRequests >= s.requests - 1, `${s.fullRequests} of ${s.requests} requests were full batches`);
    const span = s.lastRequestAt! - s.firstRequestAt!;
    // 64 requests at ≤ 20 per window need 3 window lengths; much longer means budget left unused.
    assert.ok(span >= 3 * windowMs - 5, `first to last request ${span} ms`);
    assert.ok(span <= 3 * windowMs * 1.5, `first to last request ${span} ms: budget left unused`);
    assert.equal(s.byStatus['429'] ?? 0, 0);
  });
});

test('re-running the same import: everything already present, exit 0 for a clean input, nothing rejected', { timeout: 20_000 }, async () => {
  const options: GenerateOptions = { format: 'array', count: 1000, seed: 9 };
  const { path, ids } = generated(options);
  await withSandbox({}, async (sandbox) => {
    const first = await importInto(sandbox, { input: path });
    assertCountsAddUp(first, 'first run');
    assert.deepEqual([first.imported, first.alreadyPresent, first.rejected, first.unsent], [1000, 0, 0, 0]);
    assert.deepEqual([first.exitCode, first.status], [0, 'ok']);

    const rejects = join(tempDir(), 'rejects.ndjson');
    const again = await importInto(sandbox, { input: path, rejects });
    assertCountsAddUp(again, 'second run');
    assert.deepEqual([again.imported, again.alreadyPresent, again.rejected, again.unsent], [0, 1000, 0, 0]);
    assert.deepEqual([again.exitCode, again.status], [0, 'ok']);
    assert.equal(again.reasons['ERR_ALREADY_JOINED'], undefined, 'already present is not a reject reason');
    assert.deepEqual(readNdjson(rejects), []);
    assert.deepEqual(acceptedIds(sandbox), ids);
    assert.equal(sandbox.stats().duplicateDeliveries, 1000);
  });
});

test('records the sandbox refuses go to the rejects file with its code and the normalized record, exit 3', { timeout: 20_000 }, async () => {
  const lines = [
    '{"guid":"lobby","uid":"ann","joinedAt":1700000000,"groupDetails":{"guid":"lobby","name":"Lobby","type":"public","createdAt":1690000000},"userDetails":{"uid":"ann","name":"Ann"}}',
    '{"guid":"Ghost-Room","uid":"UID9"}',
    '{"guid":"lobby","uid":"nobody","groupDetails":{"guid":"lobby","name":"Lobby","type":"public"}}',
    // Not in the future for the client (NOW is 2026-01-01), but the sandbox's clock says 2025-06-01.
    '{"guid":"lobby","uid":"late","joinedAt":"2025-12-01T00:00:00Z","groupDetails":{"guid":"lobby","name":"Lobby","type":"public"},"userDetails":{"uid":"late","name":"Late"}}',
  ];
  const input = join(tempDir(), 'members.ndjson');
  writeFileSync(input, lines.join('\n') + '\n');
  const sandboxNowMs = Date.UTC(2025, 5, 1);
  assert.ok(sandboxNowMs < NOW * 1000);
  await withSandbox({ now: () => sandboxNowMs }, async (sandbox) => {
    const rejects = join(tempDir(), 'rejects.ndjson');
    const r = await importInto(sandbox, { input, rejects });
    assertCountsAddUp(r);
    assert.deepEqual([r.read, r.invalid, r.valid, r.imported, r.rejected, r.unsent], [4, 0, 4, 1, 3, 0]);
    assert.equal(r.exitCode, 3);
    assert.equal(r.status, 'some-invalid');
    assert.deepEqual(r.reasons, { ERR_GUID_NOT_FOUND: 1, ERR_UID_NOT_FOUND: 1, ERR_IMPORT_INVALID_JOINEDAT: 1 });
    assert.deepEqual(acceptedIds(sandbox), ['lobby_member_ann']);

    const written = readNdjson(rejects).sort((a, b) => (a['position'] as { line: number }).line - (b['position'] as { line: number }).line);
    assert.deepEqual(written.map((l) => l['reason']), ['ERR_GUID_NOT_FOUND', 'ERR_UID_NOT_FOUND', 'ERR_IMPORT_INVALID_JOINEDAT']);
    assert.deepEqual(written.map((l) => (l['position'] as { line: number }).line), [2, 3, 4]);
    assert.deepEqual(written.map((l) => l['key']), ['ghost-room_member_uid9', 'lobby_member_nobody', 'lobby_member_late']);
    for (const l of written) assert.ok(typeof l['message'] === 'string' && l['message'] !== '', JSON.stringify(l));
    assert.match(String(written[0]!['message']), /ghost-room/);
    // The normalized record (lowercased ids, derived memberId, default scope, seconds), not the raw line.
    assert.deepEqual(written[0]!['record'], { memberId: 'ghost-room_member_uid9', uid: 'uid9', guid: 'ghost-room', scope: 'participant' });
    assert.equal((written[2]!['record'] as { joinedAt: string }).joinedAt, String(Date.UTC(2025, 11, 1) / 1000));
  });
});

test('a wrong API key stops the run with CM_AUTH after exactly one request', { timeout: 20_000 }, async () => {
  await withSandbox({}, async (sandbox) => {
    const { path } = generated({ format: 'ndjson', count: 2000, seed: 4 });
    const r = await importInto(sandbox, { input: path, apiKey: 'wrong-key-1b2c3d4e', connections: 4 });
    assert.equal(r.exitCode, 1);
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'CM_AUTH');
    assert.ok(!r.error!.message.includes('wrong-key-1b2c3d4e'));
    assert.equal(sandbox.stats().requests, 1);
    assert.equal(r.requests, 1);
    assert.equal(r.imported, 0);
    assertCountsAddUp(r);
    assert.deepEqual(acceptedIds(sandbox), []);
  });
});

test('retries exhausted: every request failing ends with CM_RETRIES_EXHAUSTED after 1 + --max-retries attempts', { timeout: 20_000 }, async () => {
  await withSandbox({ faults: { errorRate: 1 } }, async (sandbox) => {
    const r = await importInto(sandbox, { input: 'fixtures/members.ndjson', maxRetries: 2, retryMinMs: 10, retryMaxMs: 20 });
    assert.equal(r.exitCode, 1);
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'CM_RETRIES_EXHAUSTED');
    assert.equal(sandbox.stats().requests, 3);
    assert.deepEqual([r.requests, r.retries], [3, 2]);
    assert.equal(r.imported, 0);
    assertCountsAddUp(r);
  });
});
