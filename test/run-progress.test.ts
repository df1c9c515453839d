// The progress line: rates, share of the input, and an ETA that respects the quota on import.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgressLine } from '../src/run/progress.js';

test('validate: records/s, MB/s, share and an ETA from the bytes still to read', () => {
  const line = formatProgressLine('validate', { records: 100_000, bytes: 25e6 }, 2000, 100e6);
  assert.equal(line, 'validate  100,000 records  50,000/s  12.5 MB/s  25.0%  ETA 6 s');
});

test('import: the ETA is the time the quota needs for the requests still to send', () => {
  // 40% read; 4,000 valid so far → ~10,000 in all; 1,000 delivered → 9,000 left = 180 requests at 60/min = 3 min.
  const line = formatProgressLine('import', { records: 4_000, bytes: 40e6, valid: 4_000, delivered: 1_000 }, 60_000, 100e6, { batchSize: 50, rpm: 60, windowMs: 60_000 });
  assert.match(line, /1,000 delivered/);
  assert.match(line, /ETA 3 min$/);
});

test('stdin (size unknown): no share, and import still gets a quota ETA for what was read', () => {
  const line = formatProgressLine('import', { records: 500, bytes: 1e6, valid: 500, delivered: 0 }, 1000, undefined, { batchSize: 50, rpm: 60, windowMs: 60_000 });
  assert.doesNotMatch(line, /%/);
  assert.match(line, /ETA 10 s$/);
});
