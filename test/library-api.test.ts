// The package's library entry: the same pipeline, embeddable with a path or a stream.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
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
