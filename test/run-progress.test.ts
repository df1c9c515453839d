// The progress display: rates, the share of the input judged, an ETA bounded by reading, the
// quota and the target's observed pace; a line that redraws on its own timer, fits the terminal
// and gives way to log lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEstimator, createProgress, formatProgressLine, type ProgressSample } from '../src/observability/progress.js';
import { statusLine } from '../src/observability/status-line.js';

const QUOTA = { batchSize: 50, rpm: 60, windowMs: 60_000 };
const sample = (s: Partial<ProgressSample> & { records: number; bytes: number }): ProgressSample => ({
  records: s.records,
  sourceBytes: s.sourceBytes ?? s.bytes,
  bytesRead: s.bytesRead ?? s.bytes,
  bytesJudged: s.bytesJudged ?? s.bytes,
  ...(s.valid === undefined ? {} : { valid: s.valid }),
  ...(s.delivered === undefined ? {} : { delivered: s.delivered }),
});

test('validate: records/s, MB/s, share and an ETA from the bytes still to judge', () => {
  const e = createEstimator(0, 100e6, undefined);
  assert.equal(formatProgressLine('validate', e.view(sample({ records: 100_000, bytes: 25e6 }), 2000)), 'validate  100,000 records  50,000/s  12.5 MB/s  25.0%  ETA 6 s');
});

test('the share counts records judged, not bytes read ahead of them', () => {
  const e = createEstimator(0, 100e6, undefined);
  const v = e.view(sample({ records: 1, bytes: 40e6, bytesJudged: 20e6 }), 4000);
  assert.equal(v.percent, 20);
  assert.equal(v.etaMs, 16_000);
});

test('import: the ETA is the time the quota needs for the requests still to send', () => {
  // 40% judged; 4,000 valid so far → ~10,000 in all; 1,000 delivered → 9,000 left = 180 requests at 60/min = 3 min.
  const e = createEstimator(0, 100e6, QUOTA);
  const line = formatProgressLine('import', e.view(sample({ records: 4_000, bytes: 40e6, valid: 4_000, delivered: 1_000 }), 60_000));
  assert.match(line, /1,000 delivered/);
  assert.match(line, /ETA 3 min$/);
});

test("import: a target slower than the quota sets the ETA by its observed pace", () => {
  const e = createEstimator(0, 100e6, { ...QUOTA, rpm: 0 });
  e.view(sample({ records: 4_000, bytes: 40e6, valid: 4_000, delivered: 1_000 }), 50_000);
  // 100 more delivered in 10 s: 10/s, 8,900 left → 890 s.
  const v = e.view(sample({ records: 4_000, bytes: 40e6, valid: 4_000, delivered: 1_100 }), 60_000);
  assert.equal(Math.round(v.etaMs! / 1000), 890);
  assert.match(formatProgressLine('import', v), /1,100 delivered \(10\/s\).*ETA 14\.8 min$/);
});

test('no ETA in the first seconds, and none without a size (stdin): how much was read instead', () => {
  const early = createEstimator(0, 100e6, QUOTA).view(sample({ records: 10, bytes: 1e6, valid: 10, delivered: 0 }), 500);
  assert.equal(early.etaMs, undefined);
  const stdin = formatProgressLine('import', createEstimator(0, undefined, QUOTA).view(sample({ records: 500, bytes: 3e6, valid: 500, delivered: 0 }), 5000));
  assert.doesNotMatch(stdin, /%|ETA/);
  assert.match(stdin, /3\.0 MB read$/);
});

test('the terminal line redraws by itself, fits the width, and is cleared for a log line', async () => {
  const writes: string[] = [];
  const stream = { columns: 40, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
  let records = 0;
  const p = createProgress({ mode: 'terminal', stream, label: 'import', totalBytes: 1e9, sample: () => sample({ records: (records += 1000), bytes: records * 100 }) });
  try {
    for (let i = 0; i < 100 && writes.length < 2; i++) await sleep(50);
    assert.ok(writes.length >= 2, 'redrawn without any push from the run');
    for (const w of writes) {
      assert.ok(w.startsWith('\r') && w.endsWith('\x1b[K'));
      assert.ok(w.length - 4 <= 39, `fits 40 columns: ${JSON.stringify(w)}`);
    }
    const before = writes.length;
    statusLine.clear();
    assert.equal(writes[before], '\r\x1b[K', 'a log line first clears the drawn line');
  } finally {
    p.done();
  }
  const after = writes.length;
  await sleep(400);
  assert.equal(writes.length, after, 'done() stops the timer');
});

test('not on a terminal: --progress writes plain lines; otherwise an info log says the same', async () => {
  const writes: string[] = [];
  const stream = { write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
  const lines = createProgress({ mode: 'lines', stream, label: 'validate', totalBytes: undefined, intervalMs: 20, sample: () => sample({ records: 5, bytes: 100 }) });
  for (let i = 0; i < 100 && writes.length === 0; i++) await sleep(10);
  lines.done();
  assert.match(writes[0]!, /^validate {2}5 records .* MB read\n$/);
  assert.ok(!writes.some((w) => w.includes('\r')), 'no redraw codes in a file or a pipe');

  const logged: Array<Record<string, unknown>> = [];
  const logger = { info: (fields: Record<string, unknown>, msg: string) => logged.push({ ...fields, msg }) } as unknown as import('pino').Logger;
  const log = createProgress({ mode: 'log', stream, label: 'import', totalBytes: 1000, intervalMs: 20, logger, sample: () => sample({ records: 7, bytes: 500, valid: 7, delivered: 3 }) });
  for (let i = 0; i < 100 && logged.length === 0; i++) await sleep(10);
  log.done();
  assert.deepEqual({ ...logged[0], recordsPerSecond: 0 }, { records: 7, recordsPerSecond: 0, mbRead: 0, delivered: 3, percent: 50, msg: 'progress' });
});

test('gzip: the share is in decompressed bytes judged (the trailer\'s size), never compressed bytes read ahead', () => {
  // 10 MB on disk, 100 MB inside; 30 MB judged while gunzip has pulled 6 MB of the file (60 MB worth).
  const e = createEstimator(0, { bytes: 10e6, gzipTrailer: 100e6 }, undefined);
  const v = e.view(sample({ records: 1, bytes: 0, sourceBytes: 6e6, bytesRead: 40e6, bytesJudged: 30e6 }), 3000);
  assert.equal(v.percent, 30);
  // Bigger than 4 GiB inside: the trailer wrapped; the ratio seen so far says how often.
  const big = createEstimator(0, { bytes: 1e9, gzipTrailer: (10e9 % 2 ** 32) }, undefined);
  const w = big.view(sample({ records: 1, bytes: 0, sourceBytes: 100e6, bytesRead: 1e9, bytesJudged: 1e9 }), 3000);
  assert.equal(Math.round(w.percent!), 10);
  // The share never goes backwards as reading runs ahead.
  const shares = [[1e6, 9e6, 8e6], [3e6, 30e6, 20e6], [4e6, 45e6, 40e6]].map(([src, read, judged]) => e.view(sample({ records: 1, bytes: 0, sourceBytes: src!, bytesRead: read!, bytesJudged: judged! }), 4000).percent!);
  assert.deepEqual([...shares].sort((a, b) => a - b), shares);
});

test('a resumed run\'s rates start from its own work, not from the counts it resumed with', () => {
  // Resumed with 8,000 delivered; 2 s later 100 more.
  const resumedWith = sample({ records: 9_000, bytes: 0, delivered: 8_000, valid: 9_000 });
  const e = createEstimator(0, 100e6, { ...QUOTA, rpm: 3000 }, resumedWith);
  const v = e.view(sample({ records: 9_500, bytes: 50e6, delivered: 8_100, valid: 9_400 }), 2000);
  assert.equal(Math.round(v.deliveredPerSecond!), 50);
  assert.equal(Math.round(v.recordsPerSecond), 250);
});
