// The parts of crash safety, each on its own: the prefix hash, the checkpoint file's damage
// detection, the delivery journal series, and the ledger that settles records in input order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync, existsSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrefixHasher } from '../src/accounting/prefix-hasher.js';
import { CHECKPOINT_VERSION, loadCheckpoint, parseCheckpoint, saveCheckpoint, serializeCheckpoint, type Checkpoint } from '../src/accounting/checkpoint-file.js';
import { journalPath, openDeliveryJournal, readDeliveryJournals, removeJournals } from '../src/accounting/delivery-journal.js';
import { createLedger, type LedgerRecord } from '../src/accounting/ledger.js';
import type { RejectEntry } from '../src/accounting/rejects-writer.js';
import { createCounts } from '../src/accounting/counts.js';
import { isChatmigrateError } from '../src/errors.js';
import { createRandom } from './helpers/random.js';
import { tempDir } from './helpers/run.js';

test('the prefix hash equals SHA-256 of the first N bytes, however the input was chunked', () => {
  const random = createRandom(3);
  const data = Buffer.from(Array.from({ length: 50_000 }, () => Math.floor(random() * 256)));
  for (const size of [1, 7, 4096, 65_536]) {
    const h = createPrefixHasher();
    let pushed = 0;
    const marks: number[] = [];
    for (let at = 0; at < data.length; at += size) {
      h.push(data.subarray(at, at + size));
      pushed = Math.min(data.length, at + size);
      if (random() < 0.3) marks.push(Math.floor(pushed - random() * Math.min(pushed - (marks.at(-1) ?? 0), size)));
    }
    marks.push(data.length);
    let last = 0;
    for (const m of marks) {
      if (m < last) continue;
      assert.equal(h.digestAt(m), createHash('sha256').update(data.subarray(0, m)).digest('hex'), `chunks of ${size}, prefix ${m}`);
      last = m;
    }
    assert.equal(h.retained, 0);
    assert.throws(() => h.advanceTo(last - 1), RangeError, 'the hash cannot go back');
  }
});

function sampleCheckpoint(): Checkpoint {
  return {
    chatmigrate: 'checkpoint',
    version: CHECKPOINT_VERSION,
    tool: '0.0.0-test',
    savedAt: '2026-01-01T00:00:00.000Z',
    state: 'running',
    run: { job: '0123456789abcdef', command: 'import', to: 'cometchat', target: 'http://127.0.0.1:1/v3', format: 'ndjson', shard: null, nowSeconds: 1767225600, rejects: null, sources: null, kind: 'members', retentionDays: null },
    input: { name: 'export.ndjson', head: { bytes: 65536, sha256: 'b'.repeat(64) } },
    watermark: { records: 10, byteEnd: 1234, sha256: 'a'.repeat(64) },
    counts: { ...createCounts(), read: 10, valid: 9, invalid: 1, imported: 9, reasons: { MISSING_UID: 1 } },
    skippedBy: {},
    delivery: { requests: 1, retries: 0, throttled: 0, sentEntities: 9 },
    rejects: { bytes: 321, entries: 1 },
    window: [['i', 'g_member_u'], ['r', 'g_member_v', 'ERR_UID_NOT_FOUND', 'no such user'], ['s', 'g_member_w']],
    journal: 4,
    elapsedMs: 99,
  };
}

test('a checkpoint survives a round trip; any damage (truncation, an edited digit, garbage) is reported, never ignored', async () => {
  const dir = tempDir();
  const path = join(dir, 'cp.json');
  const cp = sampleCheckpoint();
  await saveCheckpoint(path, cp);
  assert.deepEqual(await loadCheckpoint(path), cp);
  assert.equal(await loadCheckpoint(join(dir, 'none.json')), undefined, 'no file: nothing to resume');

  const text = serializeCheckpoint(cp);
  const damaged = [text.slice(0, text.length - 30), text.slice(0, 40), text.replace('"records":10', '"records":11'), '', 'hello', text.replace('"read":10', '"read":10 ')];
  for (const bad of damaged) {
    assert.throws(() => parseCheckpoint(bad, path), (e: unknown) => isChatmigrateError(e) && e.code === 'CM_CHECKPOINT_CORRUPT' && e.message.includes(path), JSON.stringify(bad.slice(-40)));
  }
  // A valid checksum over content that is not a checkpoint is still refused.
  const body = JSON.stringify({ chatmigrate: 'checkpoint', version: CHECKPOINT_VERSION, hello: true });
  const forged = `${body.slice(0, -1)},"checksum":"${createHash('sha256').update(body).digest('hex')}"}`;
  assert.throws(() => parseCheckpoint(forged, path), /unexpected content/);
  // A checkpoint of an earlier format (the version before the one-declaration core) is refused by name.
  const older = JSON.stringify({ ...cp, version: 1, tool: '0.1.0' });
  const oldText = `${older.slice(0, -1)},"checksum":"${createHash('sha256').update(older).digest('hex')}"}`;
  assert.throws(() => parseCheckpoint(oldText, path), (e: unknown) => isChatmigrateError(e) && e.code === 'CM_RESUME_MISMATCH' && /format version 1 \(written by chatmigrate 0\.1\.0\)/.test(e.message));
});

test('the delivery journal: lines survive in order across rotations; a torn last line is ignored; old files are dropped; another job\'s files are never read', () => {
  const dir = tempDir();
  const cp = join(dir, 'cp.json');
  const JOB = 'aaaaaaaaaaaaaaaa';
  const j = openDeliveryJournal(cp, JOB, 0);
  j.add(['s', 'a']);
  j.add(['s', 'b']);
  j.commit();
  j.add(['i', 'a']);
  assert.equal(j.rotate(), 1, 'rotation commits the queued line first');
  j.add(['r', 'b', 'ERR_X', 'bad']);
  j.commit();
  assert.deepEqual(readDeliveryJournals(cp, 0, JOB), { entries: [['s', 'a'], ['s', 'b'], ['i', 'a'], ['r', 'b', 'ERR_X', 'bad']], next: 2 });
  assert.deepEqual(readDeliveryJournals(cp, 1, JOB).entries, [['r', 'b', 'ERR_X', 'bad']]);
  assert.deepEqual(readDeliveryJournals(cp, 0, 'bbbbbbbbbbbbbbbb'), { entries: [], next: 0 }, 'a file of another job stops the series');
  appendFileSync(journalPath(cp, 1), '["i","c"'); // power loss mid-line
  assert.deepEqual(readDeliveryJournals(cp, 1, JOB).entries, [['r', 'b', 'ERR_X', 'bad']]);
  j.dropBefore(1);
  assert.equal(existsSync(journalPath(cp, 0)), false);
  assert.equal(existsSync(journalPath(cp, 1)), true);
  j.close();
  writeFileSync(journalPath(cp, 1), `${JSON.stringify(['j', JOB])}\n["i","c"]\nnot json\n["i","d"]\n`);
  assert.throws(() => readDeliveryJournals(cp, 1, JOB), /damaged at line 3/);
  removeJournals(cp);
  assert.equal(existsSync(journalPath(cp, 1)), false, 'a new job removes every journal file of the old one');
});

test('the ledger: the watermark stops at the first unsettled record; rejects come out in input order; counts are final below it', () => {
  const out: RejectEntry[] = [];
  const advances: number[] = [];
  const ledger = createLedger({ onReject: (e) => out.push(e), onAdvance: (b) => advances.push(b) });
  const reject = (index: number, reason: string): RejectEntry => ({ reason, message: reason, position: { index, offset: index * 10 }, record: {} });
  const held: LedgerRecord[] = [];
  const hold = (index: number) => held.push(ledger.hold({ key: `k${index}`, json: '{}', index, offset: index * 10, line: 0 }, index * 10 + 9));
  // Block 1: records 0-4: 0 invalid, 1-2 to the target, 3 duplicate, 4 to the target.
  ledger.invalid(0, 9, 'MISSING_UID', () => reject(0, 'MISSING_UID'));
  hold(1);
  hold(2);
  ledger.duplicate(3, 39, false);
  hold(4);
  ledger.cut();
  // Block 2: record 5 conflict (rejected locally), 6 to the target.
  ledger.duplicate(5, 59, true, () => reject(5, 'DUPLICATE_CONFLICT'));
  hold(6);
  ledger.cut();
  assert.deepEqual(ledger.watermark(), { records: 0, byteEnd: 0 });
  assert.equal(out.length, 0, 'nothing is written before its segment settles');

  ledger.settle(held[3]!, { kind: 'imported' }); // record 6 (block 2) settles first
  assert.deepEqual(ledger.watermark(), { records: 0, byteEnd: 0 });
  ledger.settle(held[0]!, { kind: 'imported' });
  ledger.settle(held[2]!, { kind: 'rejected', code: 'ERR_GUID_NOT_FOUND', message: 'no group' }, reject(4, 'ERR_GUID_NOT_FOUND'));
  assert.deepEqual(ledger.watermark(), { records: 0, byteEnd: 0 }, 'record 2 still open');
  assert.deepEqual(ledger.window(), [['i', 'k1'], ['r', 'k4', 'ERR_GUID_NOT_FOUND', 'no group'], ['i', 'k6']].map((e) => e), 'settled records beyond the watermark');

  ledger.settle(held[1]!, { kind: 'alreadyPresent', code: 'ERR_ALREADY_JOINED' });
  assert.deepEqual(ledger.watermark(), { records: 7, byteEnd: 69 }, 'both segments settled at once');
  assert.deepEqual(advances, [69]);
  assert.deepEqual(out.map((e) => e.position.index), [0, 4, 5], 'input order, local and server rejects merged');
  const c = ledger.settled().counts;
  assert.deepEqual(ledger.totals, c, 'everything read is settled: the totals are the settled counts');
  assert.deepEqual(
    { read: c.read, invalid: c.invalid, duplicates: c.duplicates, conflicts: c.conflicts, valid: c.valid, imported: c.imported, alreadyPresent: c.alreadyPresent, rejected: c.rejected },
    { read: 7, invalid: 1, duplicates: 2, conflicts: 1, valid: 4, imported: 2, alreadyPresent: 1, rejected: 1 },
  );
  assert.deepEqual(c.reasons, { MISSING_UID: 1, ERR_GUID_NOT_FOUND: 1 });
  assert.deepEqual(ledger.window(), []);
});

test('the ledger at a stop: rejects held beyond the watermark can be released in order', () => {
  const out: number[] = [];
  const ledger = createLedger({ onReject: (e) => out.push(e.position.index) });
  const r = ledger.hold({ key: 'k0', json: '{}', index: 0, offset: 0, line: 0 }, 5);
  ledger.invalid(1, 9, 'X', () => ({ reason: 'X', message: 'x', position: { index: 1, offset: 6 }, record: {} }));
  ledger.cut();
  assert.deepEqual(out, []);
  ledger.releaseHeldRejects();
  assert.deepEqual(out, [1]);
  assert.equal(r.state, 'q');
  assert.deepEqual(ledger.watermark(), { records: 0, byteEnd: 0 });
});

test('the ledger of a resumed run: the re-read prefix is tallied apart, the totals start from the checkpoint', () => {
  const start = { records: 3, byteEnd: 29, counts: { ...createCounts(), read: 3, valid: 2, invalid: 1, imported: 2, reasons: { MISSING_UID: 1 } }, skippedBy: {} };
  const out: number[] = [];
  const ledger = createLedger({ start, onReject: (e) => out.push(e.position.index) });
  assert.equal(ledger.resumeAt, 3);
  // Records 0-2 are read again: counted for the proof, never written or counted twice.
  ledger.valid(0, 9);
  ledger.invalid(1, 19, 'MISSING_UID', () => assert.fail('a re-read record is not quoted again'));
  ledger.valid(2, 29);
  assert.deepEqual(ledger.replayed(), { counts: { ...createCounts(), read: 3, valid: 2, invalid: 1, reasons: { MISSING_UID: 1 } }, byteEnd: 29 });
  assert.equal(ledger.totals.read, 3, 'the totals are the checkpoint\'s until new records come');
  // Record 3 is new.
  ledger.skipped(3, 39, 'other-shard');
  ledger.cut();
  assert.deepEqual(ledger.watermark(), { records: 4, byteEnd: 39 });
  assert.equal(ledger.totals.read, 4);
  assert.deepEqual(ledger.skippedBy, { 'other-shard': 1 });
  assert.deepEqual(ledger.settled().counts, { ...start.counts, read: 4, skipped: 1 });
  assert.deepEqual(out, []);
});
