// `validate` through the real pipeline: every format gives the same report, every record lands
// in exactly one bucket, the rejects file is exact and can be fed back, malformed input stops
// with its position, and chunking never changes a result.

import { formatInt, plural } from '../src/accounting/report.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countsOf, readNdjson, tempDir, validate, validateText } from './helpers/run.js';
import { CHUNK_SIZES } from './helpers/chunks.js';
import { generateToString } from '../bench/generate.js';

const FORMATS = ['ndjson', 'array', 'cometchat', 'map'] as const;
const fixture = (f: (typeof FORMATS)[number]) => (f === 'ndjson' ? 'fixtures/members.ndjson' : `fixtures/members.${f}.json`);

const EXPECTED = {
  read: 14,
  valid: 6,
  invalid: 6,
  duplicates: 2,
  conflicts: 1,
  skipped: 0,
  reasons: { INVALID_GUID: 1, JOINED_IN_FUTURE: 1, JOINED_BEFORE_GROUP_CREATED: 1, MISSING_UID: 1, INVALID_SCOPE: 1, INVALID_GROUP_DETAILS: 1 },
};

test('the same records in each of the four formats produce identical reports', async () => {
  const reports = await Promise.all(FORMATS.map((f) => validate({ input: fixture(f) })));
  reports.forEach((r, i) => assert.equal(r.input.format, FORMATS[i]));
  const first = countsOf(reports[0]!);
  for (const r of reports) assert.deepEqual(countsOf(r), first);
  assert.deepEqual({ read: first.read, valid: first.valid, invalid: first.invalid, duplicates: first.duplicates, conflicts: first.conflicts, skipped: first.skipped, reasons: first.reasons }, EXPECTED);
  assert.equal(first.exitCode, 3);
  assert.equal(first.status, 'some-invalid');
  assert.equal(reports[0]!.read, reports[0]!.invalid + reports[0]!.skipped + reports[0]!.duplicates + reports[0]!.valid);
});

test('the rejects file lists each invalid record and the conflict, with position, and feeds back in', async () => {
  const dir = tempDir();
  const rejects = join(dir, 'rejects.ndjson');
  await validate({ input: 'fixtures/members.ndjson', rejects });
  const lines = readNdjson(rejects);
  assert.equal(lines.length, 7);
  const source = readFileSync('fixtures/members.ndjson', 'utf8').split('\n');
  for (const l of lines) {
    const pos = l['position'] as { index: number; offset: number; line: number };
    assert.equal(typeof l['message'], 'string');
    assert.deepEqual(l['record'], JSON.parse(source[pos.line - 1]!), 'the original record, at its line');
    assert.equal(pos.index, pos.line - 1);
  }
  assert.deepEqual(lines.map((l) => l['reason']).sort(), ['DUPLICATE_CONFLICT', ...Object.keys(EXPECTED.reasons)].sort());
  // Fed back in, the rejects are read again as the records they hold.
  const again = await validate({ input: rejects });
  assert.equal(again.read, 7);
  assert.equal(again.invalid, 6);
  assert.deepEqual(again.reasons, EXPECTED.reasons);
  assert.equal(again.valid, 1, 'the conflicting record is valid on its own');
});

test('map formats keep the key in the rejects file', async () => {
  const dir = tempDir();
  const rejects = join(dir, 'r.ndjson');
  await validate({ input: 'fixtures/members.cometchat.json', rejects });
  const lines = readNdjson(rejects);
  assert.ok(lines.every((l) => typeof l['key'] === 'string'));
  assert.ok(lines.every((l) => !('line' in (l['position'] as object))));
});

test('gzip input, stdin, and chunk sizes of 1, 7 and 64 KiB all give the same counts', async () => {
  const text = readFileSync('fixtures/members.cometchat.json');
  const dir = tempDir();
  const gz = join(dir, 'members.json.gz');
  writeFileSync(gz, gzipSync(text));
  const base = countsOf(await validate({ input: 'fixtures/members.cometchat.json' }));
  const fromGz = await validate({ input: gz });
  assert.equal(fromGz.input.compressed, true);
  assert.deepEqual(countsOf(fromGz), base);
  for (const size of CHUNK_SIZES) {
    assert.deepEqual(countsOf(await validateText(text, size)), base, `stdin, chunk ${size}`);
    assert.deepEqual(countsOf(await validateText(gzipSync(text), size)), base, `gzip stdin, chunk ${size}`);
  }
});

test('generated exports: counts match the generator in every format and chunking', async () => {
  for (const format of FORMATS) {
    const { text, expected } = generateToString({ format, count: 1000, seed: 11, dupRate: 0.05, conflictRate: 0.01, invalidRate: 0.04 });
    for (const size of [7, 65536]) {
      const r = await validateText(text, size);
      assert.equal(r.input.format, format);
      assert.deepEqual(
        { read: r.read, valid: r.valid, invalid: r.invalid, duplicates: r.duplicates, conflicts: r.conflicts, reasons: r.reasons },
        { read: expected.read, valid: expected.valid, invalid: expected.invalid, duplicates: expected.duplicates, conflicts: expected.conflicts, reasons: expected.invalidByReason },
        `${format}, chunk ${size}`,
      );
    }
  }
});

test('--shard K/N: shards partition the records, each counted in exactly one shard', async () => {
  const { text } = generateToString({ format: 'ndjson', count: 2000, seed: 5, dupRate: 0.05, invalidRate: 0.05 });
  const whole = await validateText(text, 65536);
  const shards = await Promise.all([1, 2, 3].map((k) => validateText(text, 65536, { shard: `${k}/3` })));
  const sum = (f: (r: (typeof shards)[number]) => number) => shards.reduce((a, r) => a + f(r), 0);
  assert.equal(sum((r) => r.valid), whole.valid);
  assert.equal(sum((r) => r.invalid), whole.invalid);
  assert.equal(sum((r) => r.duplicates), whole.duplicates);
  for (const r of shards) {
    assert.ok(r.valid > whole.valid / 6, 'shards are roughly balanced');
    assert.equal(r.read, r.invalid + r.skipped + r.duplicates + r.valid);
  }
});

test('malformed NDJSON stops with exit 1, naming byte offset and line; records before it are counted', async () => {
  const good = '{"guid":"g","uid":"u1","groupDetails":{"name":"G","type":"public"},"userDetails":{"name":"U"}}\n';
  const text = good + good.replace('u1', 'u2') + '{"guid":"g","uid":"u3",}\n' + good.replace('u1', 'u4');
  for (const size of CHUNK_SIZES) {
    const r = await validateText(text, size);
    assert.equal(r.exitCode, 1);
    assert.equal(r.error?.code, 'CM_INPUT_MALFORMED');
    const offset = good.length * 2 + '{"guid":"g","uid":"u3",'.length;
    assert.match(r.error!.message, new RegExp(`byte ${offset}, line 3`));
    assert.equal(r.read, 2, 'the malformed line is not a record: the counts add up without it');
    assert.equal(r.valid, 2);
  }
});

test('a truncated JSON document is reported with the offset where it ends', async () => {
  const text = readFileSync('fixtures/members.array.json', 'utf8');
  const cut = text.slice(0, 700);
  const r = await validateText(cut, 64);
  assert.equal(r.error?.code, 'CM_INPUT_MALFORMED');
  assert.match(r.error!.message, new RegExp(`byte ${Buffer.byteLength(cut)}: unexpected end of input`));
  assert.equal(r.read, 2, 'the complete records before the cut were read');
});

test('unreadable input: a missing file and damaged gzip are CM_INPUT_UNREADABLE', async () => {
  const r = await validate({ input: '/nonexistent/export.json' });
  assert.equal(r.error?.code, 'CM_INPUT_UNREADABLE');
  assert.equal(r.exitCode, 1);
  const gz = gzipSync(readFileSync('fixtures/members.ndjson'));
  const bad = await validateText(gz.subarray(0, gz.length - 20), 1024);
  assert.equal(bad.error?.code, 'CM_INPUT_UNREADABLE');
});

test('a small gzip file with a bad checksum (damage found before reading starts) is CM_INPUT_UNREADABLE, not a crash', async () => {
  // Found by the hostile-input property: the whole file decompressed while the run was setting
  // up, and the checksum error was an 'error' event nobody listened to yet (the process died).
  const gz = gzipSync(Buffer.from('[{"muid":"m1"}]'));
  gz[gz.length - 6]! ^= 0xff;
  const path = join(tempDir(), 'damaged.json.gz');
  writeFileSync(path, gz);
  for (const options of [{ input: path }, { input: path, kind: 'messages', from: 'array' }]) {
    const r = await validate(options);
    assert.equal(r.error?.code, 'CM_INPUT_UNREADABLE', JSON.stringify(options));
    assert.match(r.error!.message, /gzip data is damaged or truncated \(incorrect data check\)/);
  }
  const fromStdin = await validateText(gz, 4096, { kind: 'messages', from: 'array' });
  assert.equal(fromStdin.error?.code, 'CM_INPUT_UNREADABLE');
});

test('the plan gives requests at the batch size and time under the rpm budget', async () => {
  const r = await validate({ input: 'fixtures/members.ndjson', batchSize: 4, rpm: 2 });
  assert.equal(r.plan.requests, 2);
  assert.equal(r.plan.minutes, 1);
  assert.match(r.plan.text, /6 members → 2 requests → 1 min at 2 req\/min/);
  // With a shorter window, --rpm counts per window (as the governor does).
  const fast = await validate({ input: 'fixtures/members.ndjson', batchSize: 4, rpm: 2, rateWindowMs: 500 });
  assert.equal(fast.plan.minutes, 0.01);
  assert.match(fast.plan.text, /6 members → 2 requests → 500 ms at 2 req per 500 ms/);
});

test('counts are written with thousands separators, as en-US would', () => {
  for (const n of [0, 7, 999, 1000, 12_345, 306_164, 10_000_000, 1_234_567_890, -4_321, 2.5, 999.6]) {
    assert.equal(formatInt(n), Math.round(n).toLocaleString('en-US'), String(n));
  }
  assert.equal(plural(10_000_000, 'member'), '10,000,000 members');
  assert.equal(plural(1, 'request'), '1 request');
});
