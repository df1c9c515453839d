// Auto-detection of hand-made shapes a new user writes: a kind's wrapper around an array, and one
// pretty-printed object whose first key is not a wrapper. Both once came out as "NDJSON" (one
// bogus member, or "malformed at line 1" with the advice to skip lines); now each says what the
// input is and which flag reads it. Shapes it always read stay as they were.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHUNK_SIZES, readAll } from './helpers/chunks.js';
import { validateText } from './helpers/run.js';

const u = '{"uid":"a","name":"A"}';

test('a wrapper around an array is a format error naming the map CometChat wants and --from array --kind', async () => {
  for (const text of [`{"users":[${u}]}`, `{\n  "users": [\n    ${u}\n  ]\n}\n`, `{ "messages" : [ ] }`]) {
    for (const size of CHUNK_SIZES) {
      const r = await validateText(text, size);
      assert.equal(r.exitCode, 1, text);
      assert.equal(r.error?.code, 'CM_INPUT_FORMAT', text);
      const kind = text.includes('messages') ? 'messages' : 'users';
      assert.equal(
        r.error?.message,
        `stdin: the input wraps an array in "${kind}" ({"${kind}": [...]}), but a CometChat import body maps each id to its record ({"${kind}": {"<id>": {...}}}): give the array alone, with --from array --kind ${kind}`,
      );
      assert.equal(r.read, 0);
    }
  }
});

test('one object over several lines whose first key is not a wrapper: a format error that points at --from cometchat (or at mongoexport --pretty)', async () => {
  const body = `{\n  "exportedAt": "2025-01-01",\n  "users": {"a": ${u}}\n}\n`;
  for (const size of CHUNK_SIZES) {
    const r = await validateText(body, size);
    assert.equal(r.error?.code, 'CM_INPUT_FORMAT');
    assert.match(r.error!.message, /one JSON object over several lines whose first key \("exportedAt"\) is no kind's wrapper .*: it is neither NDJSON .* pass --from cometchat$/);
  }
  // What the message advises reads it.
  const forced = await validateText(body, 7, { from: 'cometchat' });
  assert.equal(forced.exitCode, 0, JSON.stringify(forced.error));
  assert.equal(forced.kind, 'users');
  assert.equal(forced.valid, 1);

  const pretty = await validateText('{\n\t"_id": "s1",\n\t"rid": "GENERAL",\n\t"u": {"_id": "u1"}\n}\n', 64);
  assert.match(pretty.error!.message, /a mongoexport made with --pretty\? export one document per line \(or with --jsonArray\)$/);
  // A pretty-printed single record of a field whose value is an object (a message's data first).
  const record = await validateText('{\n "data": {"text": "x"},\n "muid": "m"\n}\n', 64, { kind: 'messages' });
  assert.equal(record.error?.code, 'CM_INPUT_FORMAT');
});

test('shapes auto-detection always read are read as before: bodies and maps over lines, NDJSON with a space after the brace', () => {
  const cases: Array<[string, string, number]> = [
    ['{\n "members": {\n  "g_member_u": {"guid":"g","uid":"u"}}}\n', 'cometchat', 1],
    ['{\n "g_member_u": {"guid":"g","uid":"u"}}\n', 'map', 1],
    ['{ "guid":"g","uid":"u"}\n{"guid":"g","uid":"v"}\n', 'ndjson', 2],
    ['{"data": {"text": "x"}, "muid": "m"}\n', 'ndjson', 1],
    ['{"members": {}}', 'cometchat', 0],
    ['{\n}', 'map', 0],
  ];
  for (const [text, format, records] of cases) {
    for (const size of CHUNK_SIZES) {
      const r = readAll(Buffer.from(text), size);
      assert.equal(r.format, format, text);
      assert.equal(r.records.length, records, text);
    }
  }
});
