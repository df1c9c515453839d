// The CometChat sink for other entity kinds: the kind's endpoint and body wrapper, its format code,
// messages delivered in order with a 5xx re-sent whole, and the config check of kind names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCometChatSink, type CometChatTargetConfig } from '../src/sinks/cometchat/index.js';
import { encodeImportBody, encodeMembersBody } from '../src/sinks/cometchat/encode.js';
import { ChatmigrateError } from '../src/errors.js';
import type { PendingRecord } from '../src/sinks/sink.js';
import { allOk, collect, scriptedServer } from './helpers/scripted-server.js';

function cfg(baseUrl: string, over: Partial<CometChatTargetConfig> = {}): CometChatTargetConfig {
  return { baseUrl, apiKey: 'kinds-secret-key-0b1c2d3e', batchSize: 50, rpm: 0, rateWindowMs: 60_000, connections: 2, maxRetries: 4, retryMinMs: 5, retryMaxMs: 20, requestTimeoutMs: 5_000, ...over };
}

const user = (uid: string, index: number): PendingRecord => ({ key: uid, json: `{"uid":"${uid}","name":"User ${uid}"}`, index });
const message = (muid: string, index: number): PendingRecord => ({ key: muid, json: `{"muid":"${muid}","sender":"ann","receiverType":"group","receiver":"g","sentAt":1700000000}`, index });

test('bodies of any kind: {"<wrapper>":{"<key>":record,...}}, members byte-identical to before', () => {
  const users = [user('ann', 0), user('bob', 1)];
  assert.equal(encodeImportBody('users', users).toString('utf8'), `{"users":{"ann":${users[0]!.json},"bob":${users[1]!.json}}}`);
  assert.equal(encodeImportBody('groups', []).toString('utf8'), '{"groups":{}}');
  const members = [{ key: 'g_member_u', json: '{"guid":"g","uid":"u"}', index: 0 }];
  assert.deepEqual(encodeMembersBody(members), encodeImportBody('members', members));
  assert.equal(encodeMembersBody(members).toString('utf8'), '{"members":{"g_member_u":{"guid":"g","uid":"u"}}}');
});

test('a users sink posts to /data_import/users with a users wrapper; its format code rejects the batch', async () => {
  const server = await scriptedServer((n, keys) => (n === 1 ? allOk(keys) : { status: 400, body: { error: { code: 'ERR_IMPORT_INVALID_USER_FORMAT', message: 'bad users' } } }));
  const c = collect();
  const sink = createCometChatSink(cfg(server.baseUrl, { endpoint: 'users' }), c.callbacks);
  try {
    await sink.submit([user('ann', 0), user('bob', 1)]);
    await sink.drain();
    await sink.submit([user('cy', 2)]);
    await sink.drain();
    assert.deepEqual(server.seen.map((s) => [s.path, s.wrapper, s.keys.join(' ')]), [['/v3/data_import/users', 'users', 'ann bob'], ['/v3/data_import/users', 'users', 'cy']]);
    assert.deepEqual([...c.outcomes], [['ann', { kind: 'imported' }], ['bob', { kind: 'imported' }], ['cy', { kind: 'rejected', code: 'ERR_IMPORT_INVALID_USER_FORMAT', message: 'bad users' }]]);
  } finally {
    await sink.close(0);
    await server.close();
  }
});

test('a messages sink, ordered: a 5xx re-sends the batch whole, already-stored muids count as present, order kept', async () => {
  const server = await scriptedServer((n, keys) => {
    if (n === 1) return { status: 503, body: { error: { code: 'ERR_SERVICE_UNAVAILABLE', message: 'partly stored' } } };
    if (n === 2) return { status: 200, body: { data: { [keys[0]!]: { success: false, error: { code: 'ERR_IMPORT_MUID_ALREADY_EXISTS', message: 'exists' } }, [keys[1]!]: { success: true, data: { id: 101 } } } } };
    return allOk(keys);
  });
  const c = collect();
  const sink = createCometChatSink(cfg(server.baseUrl, { endpoint: 'messages', ordered: true, connections: 4 }), c.callbacks);
  try {
    await sink.submit([message('m1', 0), message('m2', 1)]);
    await sink.submit([message('m3', 2)]);
    await sink.drain();
    assert.deepEqual(server.seen.map((s) => s.keys.join(' ')), ['m1 m2', 'm1 m2', 'm3']);
    assert.ok(server.seen.every((s) => s.path === '/v3/data_import/messages' && s.wrapper === 'messages'));
    assert.deepEqual(c.order, ['m1', 'm2', 'm3']);
    assert.deepEqual(c.outcomes.get('m1'), { kind: 'alreadyPresent', code: 'ERR_IMPORT_MUID_ALREADY_EXISTS' });
    assert.equal(server.maxOnWire(), 1);
  } finally {
    await sink.close(0);
    await server.close();
  }
});

test('kind names are checked at the edge', () => {
  const none = { onOutcome() {} };
  assert.throws(() => createCometChatSink(cfg('http://127.0.0.1:1/v3', { endpoint: 'Users!' }), none), (e: ChatmigrateError) => e.code === 'CM_CONFIG' && /^endpoint expects an entity kind such as users, groups, members or messages, got "Users!"$/.test(e.message));
  assert.throws(() => createCometChatSink(cfg('http://127.0.0.1:1/v3', { wrapperKey: '' }), none), (e: ChatmigrateError) => e.code === 'CM_CONFIG' && /^wrapperKey expects/.test(e.message));
});
