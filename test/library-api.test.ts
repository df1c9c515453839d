// The package's library entry: the same pipeline, embeddable with a path or a stream.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ChatmigrateError, importExport, startSandbox, validateExport } from '../src/index.js';
import { NOW } from './helpers/run.js';

test('validateExport takes a path or a stream and resolves with the report', async () => {
  const fromPath = await validateExport('fixtures/members.cometchat.json', { now: NOW });
  const fromStream = await validateExport(createReadStream('fixtures/members.cometchat.json'), { now: NOW });
  for (const r of [fromPath, fromStream]) {
    assert.deepEqual([r.read, r.valid, r.invalid, r.duplicates], [14, 6, 6, 2]);
  }
  assert.equal(fromStream.input.name, 'stdin');
});

test('importExport delivers into a sandbox; bad options throw a ChatmigrateError naming the option', async () => {
  const sandbox = await startSandbox({ apiKey: 'lib-key', rpm: 0 });
  try {
    const r = await importExport('fixtures/members.ndjson', { baseUrl: sandbox.baseUrl, apiKey: 'lib-key', now: NOW, rpm: 0 });
    assert.equal(r.imported, 6);
    assert.equal(sandbox.accepted('members').size, 6);
  } finally {
    await sandbox.close();
  }
  assert.throws(
    () => validateExport('x', { batchSize: 500 }),
    (e: unknown) => e instanceof ChatmigrateError && e.code === 'CM_USAGE' && /--batch-size expects an integer from 1 to 50, got 500/.test(e.message),
  );
});

test('the sandbox refuses exactly what validate refuses at the limits: characters are code points (an emoji is one), role has no limit', async () => {
  const emoji = (n: number) => '😀'.repeat(n);
  const g = (extra: Record<string, unknown> = {}) => ({ guid: 'g1', name: 'ok', type: 'public', ...extra });
  const lines = [
    { guid: 'g1', uid: 'u1', groupDetails: g({ name: emoji(100) }), userDetails: { uid: 'u1', name: 'one' } },
    { guid: 'g1', uid: 'u2', groupDetails: g({ tags: [emoji(100)] }), userDetails: { uid: 'u2', name: 'two' } },
    { guid: 'g1', uid: 'u3', groupDetails: g(), userDetails: { uid: 'u3', name: emoji(100), role: 'r'.repeat(101) } },
    { guid: 'g1', uid: 'u4', groupDetails: g({ name: emoji(101) }) }, // over the limit on both sides
  ].map((r) => JSON.stringify(r));
  const input = () => Readable.from([Buffer.from(lines.join('\n') + '\n')]);
  const checked = await validateExport(input(), { now: NOW });
  assert.deepEqual([checked.valid, checked.invalid], [3, 1], JSON.stringify(checked.reasons));
  const sandbox = await startSandbox({ apiKey: 'lib-key', rpm: 0 });
  try {
    const r = await importExport(input(), { baseUrl: sandbox.baseUrl, apiKey: 'lib-key', now: NOW, rpm: 0 });
    assert.deepEqual([r.imported, r.rejected, r.invalid], [3, 0, 1]);
  } finally {
    await sandbox.close();
  }
});
