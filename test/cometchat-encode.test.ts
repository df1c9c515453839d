// Unit tests for the CometChat request body built from records' already-serialized JSON.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKey, encodeMembersBody } from '../src/sinks/cometchat/encode.js';
import type { PendingRecord } from '../src/sinks/sink.js';

const rec = (key: string, value: object, index = 0): PendingRecord => ({ key, json: JSON.stringify(value), index });

test('joins records into {"members":{...}} byte for byte', () => {
  const a = rec('g1_member_u1', { memberId: 'g1_member_u1', guid: 'g1', uid: 'u1', scope: 'admin' });
  const b = rec('g1_member_u-2', { memberId: 'g1_member_u-2', guid: 'g1', uid: 'u-2', scope: 'participant' });
  const body = encodeMembersBody([a, b]).toString('utf8');
  assert.equal(body, `{"members":{"g1_member_u1":${a.json},"g1_member_u-2":${b.json}}}`);
  assert.deepEqual(JSON.parse(body), {
    members: {
      g1_member_u1: { memberId: 'g1_member_u1', guid: 'g1', uid: 'u1', scope: 'admin' },
      'g1_member_u-2': { memberId: 'g1_member_u-2', guid: 'g1', uid: 'u-2', scope: 'participant' },
    },
  });
});

test('keeps the record text untouched (no re-serialization)', () => {
  // Spacing and key order that JSON.stringify would never produce survive as sent.
  const odd: PendingRecord = { key: 'x_member_y', json: '{ "uid" : "y",  "guid":"x" }', index: 3 };
  assert.equal(encodeMembersBody([odd]).toString('utf8'), '{"members":{"x_member_y":{ "uid" : "y",  "guid":"x" }}}');
});

test('escapes keys only when they need it', () => {
  assert.equal(encodeKey('abc_member_def-1'), '"abc_member_def-1"');
  assert.equal(encodeKey('we"ird\\key'), '"we\\"ird\\\\key"');
  assert.equal(encodeKey('ünï'), '"ünï"');
  const body = encodeMembersBody([{ key: 'a"b', json: '{"n":1}', index: 0 }, { key: 'line\nbreak', json: '2', index: 1 }]);
  assert.deepEqual(JSON.parse(body.toString('utf8')), { members: { 'a"b': { n: 1 }, 'line\nbreak': 2 } });
});

test('an empty batch is an empty members object', () => {
  assert.equal(encodeMembersBody([]).toString('utf8'), '{"members":{}}');
});

test('50 records make one valid body with 50 keys in input order', () => {
  const records = Array.from({ length: 50 }, (_, i) => rec(`g_member_u${i}`, { i }, i));
  const parsed = JSON.parse(encodeMembersBody(records).toString('utf8')) as { members: Record<string, { i: number }> };
  assert.deepEqual(Object.keys(parsed.members), records.map((r) => r.key));
  assert.equal(parsed.members['g_member_u49']?.i, 49);
});

test('bodies are UTF-8 bytes of their own: later bodies never overwrite earlier ones, big ones fit', () => {
  const accented = rec('g_member_u1', { name: 'Zoë Ødegård 🚀' });
  const first = encodeMembersBody([accented]);
  assert.equal(first.byteLength, Buffer.byteLength(`{"members":{"g_member_u1":${accented.json}}}`));
  const expected = Buffer.from(first);
  // Enough bodies to fill several shared slabs, one of them bigger than a slab on its own.
  const huge = rec('g_member_big', { pad: 'é'.repeat(600_000) });
  const later = Array.from({ length: 300 }, (_, i) => encodeMembersBody(i === 150 ? [huge] : [rec(`g_member_x${i}`, { pad: 'x'.repeat(10_000), i })]));
  assert.deepEqual(first, expected, 'the first body is unchanged');
  assert.deepEqual(JSON.parse(first.toString('utf8')), { members: { g_member_u1: { name: 'Zoë Ødegård 🚀' } } });
  assert.equal((JSON.parse(later[150]!.toString('utf8')) as { members: { g_member_big: { pad: string } } }).members.g_member_big.pad.length, 600_000);
  later.forEach((body, i) => {
    if (i !== 150) assert.equal((JSON.parse(body.toString('utf8')) as { members: Record<string, { i: number }> }).members[`g_member_x${i}`]?.i, i);
  });
});
