// mongodump input: BSON documents framed by their length prefix in 1-byte, 7-byte and 64 KiB
// chunks, told from JSON by their first bytes, decoded into the values their mongoexport form
// gives, and through the pipeline with the same counts as NDJSON; damage reported with its offset.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BSONRegExp, Binary, Decimal128, Long, MaxKey, ObjectId, Timestamp, serialize as toBson } from 'bson';
import { CHUNK_SIZES, chunksOf, readAll } from './helpers/chunks.js';
import { countsOf, readNdjson, tempDir, validate } from './helpers/run.js';
import { decodeBsonDocument, isBsonDocument } from '../src/sources/bson-document.js';
import { createBsonSplitter, looksLikeBson } from '../src/sources/bson-splitter.js';
import { MalformedInputError } from '../src/sources/formats.js';
import { createRecordReader } from '../src/sources/record-reader.js';
import { parseUserDocument } from '../src/sources/rocketchat/strip-services.js';

const members = readFileSync('fixtures/members.ndjson', 'utf8').split('\n').filter((l) => l !== '');
const serialize = (doc: object): Buffer => Buffer.from(toBson(doc));
const bsonOf = (docs: object[]): Buffer => Buffer.concat(docs.map((d) => serialize(d)));

test('documents are framed by their length in any chunking, with their offsets; auto-detected as bson', () => {
  const docs = members.map((l) => JSON.parse(l) as object);
  const buf = bsonOf(docs);
  const whole = readAll(buf, buf.length);
  assert.equal(whole.format, 'bson');
  assert.equal(whole.records.length, docs.length);
  let offset = 0;
  whole.records.forEach((r, i) => {
    assert.equal(r.offset, offset);
    offset += serialize(docs[i]!).length;
  });
  for (const size of CHUNK_SIZES) assert.deepEqual(readAll(buf, size).records, whole.records, `chunk size ${size}`);
  // --from rocketchat reads a mongodump file as well (the tables loader and the members source).
  const reader = createRecordReader('rocketchat', () => undefined);
  reader.push(buf);
  reader.end();
  assert.deepEqual([reader.format, reader.lineDelimited], ['rocketchat', true]);
});

test('a first length whose low byte is [ { space or newline is still BSON; JSON is never taken for it', () => {
  for (const low of [0x5b, 0x7b, 0x20, 0x0a]) {
    const target = low + 256; // a document of that many bytes
    const doc = serialize({ _id: 'x'.repeat(target - 15) });
    assert.equal(doc.length, target);
    assert.equal(doc[0], low);
    for (const size of CHUNK_SIZES) assert.equal(readAll(Buffer.concat([doc, doc]), size).records.length, 2);
    assert.equal(readAll(doc, 7).format, 'bson');
  }
  for (const text of ['[{"a":1}]', '{"a":1}\n', '  {"members":{}}', '{}', '[]', '\n\n{"a":1}']) {
    assert.equal(looksLikeBson(Buffer.from(text), true), false, text);
    assert.notEqual(readAll(Buffer.from(text), 1).format, 'bson', text);
  }
});

test('damage is reported with the offset of the document it is in', () => {
  const a = serialize({ _id: 'a', n: 1 });
  const b = serialize({ _id: 'b', n: 2 });
  const cases: Array<[string, Buffer, number, RegExp]> = [
    ['truncated', Buffer.concat([a, b.subarray(0, 10)]), a.length, /ends inside a BSON document: 10 of its/],
    ['stray bytes', Buffer.concat([a, Buffer.from([1, 2])]), a.length, /2 stray bytes/],
    ['length too small', Buffer.concat([a, Buffer.from([3, 0, 0, 0, 0])]), a.length, /length of 3 bytes/],
    ['length too big', Buffer.concat([a, Buffer.from([0, 0, 0, 0x7f, 0])]), a.length, /length of 2130706432 bytes/],
    ['no closing byte', Buffer.concat([a, Buffer.from([...b.subarray(0, -1), 7])]), a.length, /does not end with a 0x00/],
  ];
  for (const [what, buf, offset, message] of cases) {
    for (const size of CHUNK_SIZES) {
      const seen: number[] = [];
      const splitter = createBsonSplitter((_b, _s, _e, _k, o) => seen.push(o));
      assert.throws(
        () => {
          for (const c of chunksOf(buf, size)) splitter.push(c);
          splitter.end();
        },
        (e: unknown) => e instanceof MalformedInputError && e.offset === offset && message.test(e.message),
        `${what}, chunk size ${size}`,
      );
      assert.deepEqual(seen, [0], what);
    }
  }
});

test('BSON types come out in their mongoexport form', () => {
  const doc = serialize({
    _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
    ts: new Date(1_700_000_000_123),
    small: Long.fromNumber(42),
    big: Long.fromString('9007199254740993'),
    n: 7,
    x: 1.5,
    d: Decimal128.fromString('12.50'),
    b: new Binary(Buffer.from('hi'), 4),
    t: new Timestamp({ t: 5, i: 6 }),
    r: new BSONRegExp('^a', 'i'),
    m: new MaxKey(),
    list: [new Date(0), { u: { _id: 'rocket.cat' } }],
    nul: null,
  });
  assert.ok(isBsonDocument(doc, 0, doc.length));
  assert.deepEqual(decodeBsonDocument(doc, 0, doc.length), {
    _id: { $oid: '65a1b2c3d4e5f60718293a4b' },
    ts: { $date: 1_700_000_000_123 },
    small: 42,
    big: { $numberLong: '9007199254740993' },
    n: 7,
    x: 1.5,
    d: { $numberDecimal: '12.50' },
    b: { $binary: { base64: 'aGk=', subType: '04' } },
    t: { $timestamp: { t: 5, i: 6 } },
    r: { $regularExpression: { pattern: '^a', options: 'i' } },
    m: { $maxKey: 1 },
    list: [{ $date: 0 }, { u: { _id: 'rocket.cat' } }],
    nul: null,
  });
  // No JSON text passes for a BSON record.
  for (const line of members) assert.equal(isBsonDocument(Buffer.from(line), 0, Buffer.byteLength(line)), false);
});

test("a users document's services are cut from the BSON bytes before decoding", () => {
  const doc = serialize({ _id: 'u1', services: { password: { bcrypt: 'SECRET' } }, username: 'ann', roles: ['user'] });
  assert.deepEqual(parseUserDocument(doc, 0, doc.length), { _id: 'u1', username: 'ann', roles: ['user'] });
});

test('validate: a BSON members file counts as its NDJSON twin; a corrupt document stops, or is rejected with its bytes', async () => {
  const dir = tempDir();
  const docs = members.map((l) => JSON.parse(l) as Record<string, unknown>);
  // One member's dates as BSON dates: read as {"$date": ms}, the same instant.
  docs[2]!['joinedAt'] = new Date('2023-03-01T10:00:00Z');
  const ndjson = join(dir, 'm.ndjson');
  const bson = join(dir, 'm.bson');
  writeFileSync(ndjson, members.join('\n') + '\n');
  writeFileSync(bson, bsonOf(docs));
  const a = await validate({ input: ndjson, rejects: join(dir, 'json-rejects.ndjson') });
  const b = await validate({ input: bson, rejects: join(dir, 'rejects.ndjson') });
  assert.deepEqual(countsOf(b), countsOf(a));
  assert.equal(b.input.format, 'bson');
  const rejected = readNdjson(join(dir, 'rejects.ndjson'));
  assert.deepEqual(rejected.map((r) => r['reason']), readNdjson(join(dir, 'json-rejects.ndjson')).map((r) => r['reason']));
  assert.ok(rejected.every((r) => typeof r['record'] === 'object' && typeof (r['position'] as { offset: unknown }).offset === 'number'));

  // A document whose length frames fine but whose inside is damaged (an unknown element type).
  const bad = Buffer.from(serialize({ uid: 'zed', n: 1 }));
  bad[4] = 0x42;
  const broken = Buffer.concat([serialize(docs[0]!), bad, serialize(docs[1]!)]);
  const at = serialize(docs[0]!).length;
  writeFileSync(bson, broken);
  const stopped = await validate({ input: bson });
  assert.equal(stopped.status, 'failed');
  assert.equal(stopped.error?.code, 'CM_INPUT_MALFORMED');
  assert.match(stopped.error?.message ?? '', new RegExp(`at byte ${at}: corrupt BSON document`));
  const skipped = await validate({ input: bson, onMalformed: 'skip', rejects: join(dir, 'r2.ndjson') });
  assert.deepEqual([skipped.read, skipped.reasons['MALFORMED_BSON']], [3, 1]);
  const [entry] = readNdjson(join(dir, 'r2.ndjson')).filter((r) => r['reason'] === 'MALFORMED_BSON');
  assert.equal((entry?.['position'] as { offset: number }).offset, at);
  assert.deepEqual(entry?.['record'], { $binary: { base64: bad.toString('base64'), subType: '00' } });
});
