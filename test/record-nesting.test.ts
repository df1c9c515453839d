// Records nested deeper than any recursive code can follow (found by the hostile-input property:
// JSON.parse reads 10,000 levels, JSON.stringify then overflows the stack writing the rejects
// file or the import's JSON, and the run stopped with CM_INTERNAL). Such a record is invalid
// (NESTED_TOO_DEEP, naming the field), kept in the rejects file as it was read, and can be fed
// back; a record at the limit is judged by the kind's rules as usual.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize as toBson } from 'bson';
import { MAX_NESTING, tooDeepAt } from '../src/entities/nesting.js';
import { readNdjson, tempDir, validate, validateText } from './helpers/run.js';
import { importInto, withSandbox } from './helpers/sandbox.js';

const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
/** A user whose metadata holds arrays `levels` deep: the record is levels + 2 deep. */
const user = (uid: string, levels: number): string => `{"uid":"${uid}","name":"N","metadata":{"x":${deep(levels)}}}`;

test('the walk finds the field a record nests too deep under, at any depth, without recursing', () => {
  assert.equal(tooDeepAt(JSON.parse(user('a', MAX_NESTING - 2))), undefined, 'exactly at the limit');
  assert.equal(tooDeepAt(JSON.parse(user('a', MAX_NESTING - 1))), 'metadata.x');
  assert.equal(tooDeepAt(JSON.parse(deep(200_000))), '');
  assert.equal(tooDeepAt(JSON.parse(`{"a":[{"b":${deep(5000)}}]}`)), 'a');
  assert.equal(tooDeepAt('text'), undefined);
});

test('a record nested 10,000 deep is NESTED_TOO_DEEP, in every format and on workers, and kept as read', async () => {
  const lines = [user('ok', 10), user('deep', 10_000), user('limit', MAX_NESTING - 2), `{"uid":"top","name":${deep(100_000)}}`];
  const inputs: Array<[string, string]> = [
    ['ndjson', lines.join('\n')],
    ['array', `[${lines.join(',')}]`],
    ['cometchat', `{"users":{${lines.map((l) => `"${(JSON.parse(l.replace(/\[+\]+/, '[]')) as { uid: string }).uid}":${l}`).join(',')}}}`],
  ];
  for (const [format, text] of inputs) {
    for (const workers of [0, 1]) {
      const rejects = join(tempDir(), 'rejects.ndjson');
      const r = await validateText(text, 65536, { kind: 'users', rejects, workers });
      const at = `${format}, workers ${workers}`;
      assert.equal(r.error, undefined, at);
      assert.deepEqual([r.read, r.valid, r.invalid], [4, 2, 2], at);
      assert.deepEqual(r.reasons, { NESTED_TOO_DEEP: 2 }, at);
      assert.deepEqual(r.reasonFields, { NESTED_TOO_DEEP: { 'metadata.x': 1, name: 1 } }, at);
      const entries = readNdjson(rejects);
      assert.deepEqual(entries.map((e) => e['message']), [`metadata.x nests arrays or objects more than ${MAX_NESTING} levels deep`, `name nests arrays or objects more than ${MAX_NESTING} levels deep`], at);
      assert.deepEqual(entries.map((e) => e['record']), [lines[1], lines[3]], `${at}: the record as it was read`);
      // Fed back, the rejects file gives the same verdicts.
      const again = await validate({ input: rejects, kind: 'users', workers });
      assert.deepEqual([again.read, again.invalid, again.reasons], [2, 2, { NESTED_TOO_DEEP: 2 }], at);
    }
  }
});

/** A users document {uid, name, metadata: {a: {a: ... 1}}} nested `depth` levels, as BSON bytes. */
function deepUserBson(uid: string, depth: number): Buffer {
  const int32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const doc = (body: Buffer): Buffer => Buffer.concat([int32(body.length + 5), body, Buffer.from([0])]);
  const str = (name: string, value: string): Buffer => Buffer.concat([Buffer.from([0x02]), Buffer.from(`${name}\0`), int32(Buffer.byteLength(value) + 1), Buffer.from(`${value}\0`)]);
  let nested = doc(Buffer.concat([Buffer.from([0x10]), Buffer.from('a\0'), int32(1)]));
  for (let i = 1; i < depth; i++) nested = doc(Buffer.concat([Buffer.from([0x03]), Buffer.from('a\0'), nested]));
  return doc(Buffer.concat([str('uid', uid), str('name', uid.toUpperCase()), Buffer.from([0x03]), Buffer.from('metadata\0'), nested]));
}

test('a mongodump document nested too deep is NESTED_TOO_DEEP too (its bytes in the rejects file)', async () => {
  // Built by hand: the bson library's own serializer recurses, and overflows a smaller stack (Node 24) first.
  const bson = Buffer.concat([toBson({ uid: 'a', name: 'A' }), deepUserBson('b', 1500)]);
  const dir = tempDir();
  const input = join(dir, 'users.bson');
  writeFileSync(input, bson);
  const rejects = join(dir, 'rejects.ndjson');
  const r = await validate({ input, kind: 'users', rejects });
  assert.deepEqual([r.read, r.valid, r.reasons], [2, 1, { NESTED_TOO_DEEP: 1 }]);
  const [entry] = readNdjson(rejects);
  assert.ok(typeof (entry?.['record'] as { $binary?: unknown }).$binary === 'object', 'the document as its bytes');
});

test('import: a record nested too deep is not sent; the others are', async () => {
  await withSandbox({}, async (sandbox) => {
    const text = [user('ok', 10), user('deep', 10_000)].join('\n');
    const dir = tempDir();
    const input = join(dir, 'users.ndjson');
    writeFileSync(input, text);
    const r = await importInto(sandbox, { input, kind: 'users', rejects: join(dir, 'rejects.ndjson') });
    assert.equal(r.error, undefined);
    assert.deepEqual([r.valid, r.imported, r.invalid, r.reasons], [1, 1, 1, { NESTED_TOO_DEEP: 1 }]);
  });
});
