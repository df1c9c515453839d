// The format and the wrapper key are decided on the head of the input; a head that needs a long
// look (a 1 MB value before the decision) must not be copied and scanned again at every chunk.
// Found by the hostile-input property: 600-byte chunks of a 1.2 MB CometChat body took 5 s, in
// peekHead (the wrapper key) and then again in the record reader (the format).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunksOf, readAll } from './helpers/chunks.js';
import { peekHead } from '../src/sources/peek-head.js';

async function* fromChunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  yield* chunksOf(buf, size);
}

test('peekHead asks again only once the head has doubled, and still gets every answer', async () => {
  const buf = Buffer.from('x'.repeat(100_000) + 'END');
  for (const size of [7, 100]) {
    let asked = 0;
    const { value, chunks } = await peekHead(fromChunks(buf, size), (head, atEnd) => {
      asked++;
      return head.includes('END') ? 'found' : atEnd ? 'none' : undefined;
    }, 1024 * 1024);
    assert.equal(value, 'found', `chunk ${size}`);
    assert.ok(asked <= 2 + Math.log2(buf.length), `chunk ${size}: asked ${asked} times`);
    const again: Buffer[] = [];
    for await (const c of chunks) again.push(c);
    assert.ok(Buffer.concat(again).equals(buf), 'the peeked bytes come back, then the rest');
  }
  // The limit still forces an answer, and the end of the input gives one.
  const limited = await peekHead(fromChunks(buf, 1000), (head, atEnd) => (atEnd ? head.length : undefined), 50_000);
  assert.ok(limited.value >= 50_000 && limited.value < 51_000);
  const ended = await peekHead(fromChunks(Buffer.from('abc'), 1), (head, atEnd) => (atEnd ? head.toString() : undefined), 100);
  assert.equal(ended.value, 'abc');
});

test('a 512 KB value ahead of the decision is read in small chunks in linear time, with the same records', { timeout: 120_000 }, () => {
  const big = 'y'.repeat(512 * 1024);
  const member = '{"guid":"g","uid":"u","groupDetails":{"name":"G","type":"public"},"userDetails":{"name":"U"}}';
  const inputs: Array<[string, Buffer, 'auto' | 'cometchat']> = [
    // A body whose wrapper comes after another key with a long value (--from cometchat looks past it).
    ['cometchat body', Buffer.from(`{"note":"${big}","members":{"g_member_u":${member}}}`), 'cometchat'],
    // A bare map whose first record is long: the first record tells map from body.
    ['bare map', Buffer.from(`{"g_member_u":{"guid":"g","uid":"u","x":"${big}"},"g_member_v":${member.replace('"u"', '"v"')}}`), 'auto'],
  ];
  for (const [what, buf, from] of inputs) {
    const whole = readAll(buf, buf.length, from);
    const started = performance.now();
    const small = readAll(buf, 64, from);
    const ms = performance.now() - started;
    assert.deepEqual(small, whole, what);
    // Linear: ~50 ms here; copying and scanning the head at every chunk took over 10 s.
    assert.ok(ms < 2500, `${what}: ${ms.toFixed(0)} ms for 64-byte chunks`);
  }
});
