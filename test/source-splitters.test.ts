// The record reader over every fixture format, fed in 1-byte, 7-byte and 64 KiB chunks: the
// same records, keys, offsets and lines each time; malformed input reported with its position.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CHUNK_SIZES, readAll } from './helpers/chunks.js';
import { MalformedInputError } from '../src/sources/formats.js';
import { FormatError } from '../src/sources/record-reader.js';
import { createRandom } from './helpers/random.js';

const FIXTURES = {
  ndjson: 'fixtures/members.ndjson',
  array: 'fixtures/members.array.json',
  cometchat: 'fixtures/members.cometchat.json',
  map: 'fixtures/members.map.json',
} as const;

const ndjsonLines = readFileSync(FIXTURES.ndjson, 'utf8').split('\n').filter((l) => l.trim() !== '');

for (const [format, path] of Object.entries(FIXTURES)) {
  test(`${format}: detected, and identical records for every chunk size`, () => {
    const buf = readFileSync(path);
    const whole = readAll(buf, buf.length);
    assert.equal(whole.format, format);
    assert.equal(whole.records.length, ndjsonLines.length);
    // Each record's text is exactly the bytes at its offset, and the same JSON as the NDJSON line.
    whole.records.forEach((r, i) => {
      assert.equal(buf.toString('utf8', r.offset, r.offset + Buffer.byteLength(r.text)), r.text);
      assert.deepEqual(JSON.parse(r.text), JSON.parse(ndjsonLines[i]!));
    });
    for (const size of CHUNK_SIZES) assert.deepEqual(readAll(buf, size).records, whole.records, `chunk size ${size}`);
  });
}

test('map formats hand over each record with its key', () => {
  const { records } = readAll(readFileSync(FIXTURES.cometchat), 3);
  assert.equal(records[0]!.key, 'guid1_member_uid2');
  assert.equal(records[1]!.key, 'guid1_member_uid3');
  const arr = readAll(readFileSync(FIXTURES.array), 3);
  assert.equal(arr.records[0]!.key, undefined);
});

test('ndjson: line numbers count blank lines; CRLF and surrounding blanks are trimmed', () => {
  const text = '{"a":1}\r\n\r\n  {"b":2}  \r\n{"c":3}';
  for (const size of CHUNK_SIZES) {
    const { records } = readAll(Buffer.from(text), size, 'ndjson');
    assert.deepEqual(
      records.map((r) => [r.text, r.line, r.offset]),
      [
        ['{"a":1}', 1, 0],
        ['{"b":2}', 3, 13],
        ['{"c":3}', 4, 24],
      ],
    );
  }
});

test('a UTF-8 BOM is skipped and offsets still count it', () => {
  const body = '[{"a":1},{"b":"é"}]';
  const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
  for (const size of CHUNK_SIZES) {
    const { records, format } = readAll(buf, size);
    assert.equal(format, 'array');
    assert.deepEqual(records.map((r) => r.offset), [4, 12]);
  }
});

test('pretty-printed documents with CRLF, nested arrays, escapes and braces inside strings', () => {
  const doc = '{\r\n  "members" : {\r\n    "g_member_u" : {\r\n      "tags": ["a]", "{b"],\r\n      "name": "q\\"}\\\\"\r\n    }\r\n  }\r\n}\r\n';
  for (const size of CHUNK_SIZES) {
    const { records, format } = readAll(Buffer.from(doc), size);
    assert.equal(format, 'cometchat');
    assert.equal(records.length, 1);
    assert.deepEqual(JSON.parse(records[0]!.text), { tags: ['a]', '{b'], name: 'q"}\\' });
  }
});

test('the {"members": ...} wrapper may carry other keys, which are stepped over', () => {
  const doc = '{"meta": {"x": [1, {"y": "}"}]}, "members": {"g_member_u": {"guid": "g"}}, "count": 1}';
  for (const size of CHUNK_SIZES) {
    const { records } = readAll(Buffer.from(doc), size, 'cometchat');
    assert.deepEqual(records.map((r) => r.key), ['g_member_u']);
  }
});

test('--from cometchat also reads the bare map; a wrapper without "members" is an error, not an empty run', () => {
  const bare = '{"g_member_u": {"guid": "g"}, "g_member_v": {"guid": "g"}}';
  for (const size of CHUNK_SIZES) {
    const { records, format } = readAll(Buffer.from(bare), size, 'cometchat');
    assert.deepEqual([records.map((r) => r.key), format], [['g_member_u', 'g_member_v'], 'map'], `chunk size ${size}`);
    assert.equal(readAll(Buffer.from('{}'), size, 'cometchat').records.length, 0);
    for (const doc of ['{"version": 1}', '{"Members": {"g_member_u": {"guid": "g"}}}', '{"meta": {"members": {}}}']) {
      assert.throws(
        () => readAll(Buffer.from(doc), size, 'cometchat'),
        (err: unknown) => err instanceof MalformedInputError && /no "members" key/.test(err.message) && err.offset === doc.length - 1,
        `${doc}, chunk size ${size}`,
      );
    }
  }
});

test('non-object records are still handed over (validation turns them into outcomes)', () => {
  const { records } = readAll(Buffer.from('[1, "two", null, {"a": [true]}, -3.5e2]'), 2);
  assert.deepEqual(records.map((r) => r.text), ['1', '"two"', 'null', '{"a": [true]}', '-3.5e2']);
});

test('escaped keys are decoded', () => {
  const { records } = readAll(Buffer.from('{"g\\u005fmember_u": {}}'), 1, 'map');
  assert.equal(records[0]!.key, 'g_member_u');
});

test('empty input and empty containers give no records', () => {
  for (const text of ['', '  \n', '[]', '{}', '{"members": {}}', '\n\n']) {
    assert.deepEqual(readAll(Buffer.from(text), 1).records, [], JSON.stringify(text));
  }
});

const malformed: Array<[string, string, number, RegExp, ('auto' | 'map' | 'cometchat')?]> = [
  ['truncated array', '[{"a":1},{"b":', 14, /truncated/],
  ['missing comma', '[{"a":1} {"b":2}]', 9, /expected ',' or a closing bracket/],
  ['trailing comma', '[{"a":1},]', 9, /expected a value/],
  ['garbage after the document', '[{"a":1}] x', 10, /after the end/],
  ['key without colon', '{"k" {"a":1}}', 5, /expected ':'/, 'map'],
  ['mismatched bracket', '[{"a":1}}', 8, /unexpected '}'/],
  ['members not an object', '{"members": [1]}', 12, /members object/, 'cometchat'],
];
for (const [name, text, offset, message, from = 'auto'] of malformed) {
  test(`malformed: ${name} is reported at byte ${offset}, whatever the chunking`, () => {
    for (const size of CHUNK_SIZES) {
      assert.throws(
        () => readAll(Buffer.from(text), size, from),
        (err: unknown) => err instanceof MalformedInputError && err.offset === offset && message.test(err.message),
        `chunk size ${size}`,
      );
    }
  });
}

test('an input that is not JSON is a format error naming the first byte, or the compression it recognises', () => {
  assert.throws(() => readAll(Buffer.from('guid,uid\ng,u\n'), 4), (err: unknown) => err instanceof FormatError && /starts with 'g'/.test(err.message));
  const cases: Array<[Buffer, RegExp]> = [
    [Buffer.from('PK\x03\x04zipdata', 'latin1'), /is a zip archive, not JSON: decompress it first \(unzip -p FILE/],
    [Buffer.from('BZh91AY&SY', 'latin1'), /is bzip2-compressed, not JSON: decompress it first \(bzcat FILE/],
    [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00]), /is xz-compressed/],
    [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00]), /is zstd-compressed/],
  ];
  for (const [bytes, message] of cases) assert.throws(() => readAll(bytes, 4), (err: unknown) => err instanceof FormatError && message.test(err.message), String(message));
});

test('detection: an NDJSON record whose first key holds an object is not mistaken for a map', () => {
  const text = '{"groupDetails": {"guid": "g"}, "guid": "g", "uid": "u"}\n{"guid": "g", "uid": "v"}\n';
  assert.equal(readAll(Buffer.from(text), 1).format, 'ndjson');
  assert.equal(readAll(Buffer.from('{"g_member_u": {"guid": "g"}}'), 1).format, 'map');
  assert.equal(readAll(Buffer.from('{"guid": "g", "uid": "u"}'), 1).format, 'ndjson');
});

test('randomized documents (escapes, quotes, braces and backslashes in strings and keys) split the same at any chunk size', () => {
  const random = createRandom(77);
  const pieces = ['a', 'Z', ' ', '\\', '"', '{', '}', '[', ']', ',', ':', 'é', '💬', '\n', '\\\\', '\\"'];
  const text = (): string => Array.from({ length: Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
  for (let round = 0; round < 30; round++) {
    const records = Array.from({ length: 1 + Math.floor(random() * 20) }, () => ({ guid: text(), nested: { list: [text(), { deep: text() }], n: Math.floor(random() * 1000) }, [text()]: text() }));
    const keys = records.map((_, i) => `k${i}_${text()}`);
    const map = Object.fromEntries(keys.map((k, i) => [k, records[i]]));
    const indent = random() < 0.5 ? undefined : 2;
    const docs: Array<['array' | 'map' | 'cometchat', string]> = [
      ['array', JSON.stringify(records, null, indent)],
      ['map', JSON.stringify(map, null, indent)],
      ['cometchat', JSON.stringify({ members: map }, null, indent)],
    ];
    for (const [from, doc] of docs) {
      const size = 1 + Math.floor(random() * 64);
      const { records: got } = readAll(Buffer.from(doc), size, from);
      assert.deepEqual(got.map((r) => JSON.parse(r.text) as unknown), records, `${from}, chunks of ${size}, round ${round}`);
      if (from !== 'array') assert.deepEqual(got.map((r) => r.key), keys, `${from} keys, chunks of ${size}`);
    }
  }
});
