// The sandbox's users, groups and messages endpoints over real HTTP: the documented curl examples
// get the documented responses; messages are judged like CometChat (Send Message rules, muid once,
// retention, known senders and receivers); a partial apply stores the valid rows, then answers 500.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';
import { DOC_NOW_SECONDS, GROUPS_REQUEST, GROUPS_RESPONSE, MESSAGE_ENTITY_USER_FIELDS, MESSAGE_RESPONSE_FIELDS, MESSAGES_REQUEST, USERS_REQUEST, USERS_RESPONSE } from './helpers/doc-examples.js';

const KEY = 'kinds-sandbox-key-7c1e';
const DAY = 86_400;

async function post(sb: Sandbox, kind: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await request(`${sb.baseUrl}/data_import/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json', apikey: KEY }, body: JSON.stringify(body) });
  return { status: res.statusCode, json: JSON.parse(await res.body.text()) };
}

let sb: Sandbox;
const extra: Sandbox[] = [];
async function another(options: Partial<SandboxOptions>): Promise<Sandbox> {
  const s = await startSandbox({ apiKey: KEY, rpm: 0, now: () => DOC_NOW_SECONDS * 1000, ...options });
  extra.push(s);
  return s;
}

before(async () => {
  // The documented example's clock: its messages are then inside the 180 days CometChat keeps.
  sb = await startSandbox({ apiKey: KEY, rpm: 0, now: () => DOC_NOW_SECONDS * 1000 });
});
after(async () => {
  await sb.close();
  for (const s of extra) await s.close();
});

function checkMessageReply(reply: any): void {
  assert.equal(reply.success, true, JSON.stringify(reply));
  const m = reply.data;
  assert.deepEqual(Object.keys(m), MESSAGE_RESPONSE_FIELDS);
  assert.match(m.id, /^\d+$/, 'CometChat gives the message a numeric id (as a string)');
  assert.deepEqual(
    [m.muid, m.conversationId, m.sender, m.receiverType, m.receiver, m.category, m.type, m.sentAt, m.deliveredAt, m.readAt, m.updatedAt, m.tags],
    ['3118', 'r123_user_s12', 's12', 'user', 'r123', 'message', 'text', 1674104348, 1674224684, 1674224684, 1674104348, ['tag1']],
  );
  const sent = MESSAGES_REQUEST.messages['3118'].data;
  assert.deepEqual([m.data.text, m.data.attachments, m.data.metadata], [sent.text, sent.attachments, sent.metadata]);
  assert.deepEqual(Object.keys(m.data.entities), ['sender', 'receiver']);
  assert.deepEqual([m.data.entities.sender.entityType, m.data.entities.receiver.entityType], ['user', 'user']);
  const senderEntity = m.data.entities.sender.entity;
  assert.deepEqual(Object.keys(senderEntity), MESSAGE_ENTITY_USER_FIELDS);
  assert.deepEqual([senderEntity.uid, senderEntity.name, senderEntity.status, senderEntity.role, senderEntity.createdAt], ['s12', 'user1', 'offline', 'default', 1674228536]);
  assert.deepEqual(Object.keys(m.data.entities.receiver.entity), [...MESSAGE_ENTITY_USER_FIELDS, 'conversationId']);
  assert.equal(m.data.entities.receiver.entity.conversationId, 'r123_user_s12');
}

test('the documented users, groups and messages examples get the documented responses', async () => {
  sb.reset();
  assert.deepEqual((await post(sb, 'users', USERS_REQUEST)).json, USERS_RESPONSE);
  assert.deepEqual((await post(sb, 'groups', GROUPS_REQUEST)).json, GROUPS_RESPONSE);
  const m = await post(sb, 'messages', MESSAGES_REQUEST);
  assert.equal(m.status, 200);
  assert.deepEqual(Object.keys(m.json.data), ['3118']);
  checkMessageReply(m.json.data['3118']);
  assert.deepEqual(sb.stats().accepted, { members: 0, users: 1, groups: 1, messages: 1 });
  assert.deepEqual(sb.stats().byKind, { users: { requests: 1, entities: 1 }, groups: { requests: 1, entities: 1 }, messages: { requests: 1, entities: 1 } });
  // The muid is the idempotency key: sent again, it is already there.
  const again = await post(sb, 'messages', MESSAGES_REQUEST);
  assert.deepEqual(again.json.data['3118'].error.code, 'ERR_IMPORT_MUID_ALREADY_EXISTS');
  assert.equal(sb.stats().duplicateDeliveries, 1);
});

test('compact records keep each message as its id alone; the reply is the same', async () => {
  const compact = await another({ storeFullRecords: false });
  await post(compact, 'users', USERS_REQUEST);
  const m = await post(compact, 'messages', MESSAGES_REQUEST);
  checkMessageReply(m.json.data['3118']);
  assert.deepEqual([...compact.accepted('messages')], [['3118', { muid: '3118', id: m.json.data['3118'].data.id }]]);
  assert.equal((await post(compact, 'messages', MESSAGES_REQUEST)).json.data['3118'].error.code, 'ERR_IMPORT_MUID_ALREADY_EXISTS');
});

test('the documented examples via curl in a child process', { skip: spawnSync('curl', ['--version']).status !== 0 }, async () => {
  sb.reset();
  const curl = async (kind: string, body: unknown): Promise<any> => {
    const child = spawn('curl', ['-s', '--request', 'POST', '--url', `${sb.baseUrl}/data_import/${kind}`, '--header', 'Content-Type: application/json', '--header', `apikey: ${KEY}`, '--data', '@-'], { stdio: ['pipe', 'pipe', 'inherit'], timeout: 10_000 });
    child.stdin.end(JSON.stringify(body, null, 2));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 0);
    return JSON.parse(out);
  };
  assert.deepEqual(await curl('users', USERS_REQUEST), USERS_RESPONSE);
  assert.deepEqual(await curl('groups', GROUPS_REQUEST), GROUPS_RESPONSE);
  checkMessageReply((await curl('messages', MESSAGES_REQUEST)).data['3118']);
});

const msg = (muid: string, extra: Record<string, unknown> = {}) => ({
  muid,
  sender: 'ann',
  receiverType: 'group',
  receiver: 'team',
  sentAt: String(DOC_NOW_SECONDS - DAY),
  data: { text: `text of ${muid}` },
  senderUserDetails: { uid: 'ann', name: 'Ann' },
  receiverGroupDetails: { guid: 'team', name: 'Team', type: 'private' },
  ...extra,
});
const body = (...list: Array<Record<string, unknown>>) => ({ messages: Object.fromEntries(list.map((m) => [m['muid'] as string, m])) });

test('messages are judged like CometChat: Send Message rules, wire form, known senders and receivers, retention', async () => {
  sb.reset();
  const r = await post(sb, 'messages', body(
    msg('Keep-Case'),
    msg('empty', { data: { text: '  ' } }),
    msg('video', { type: 'video', data: { text: 'clip' } }),
    msg('custom', { category: 'custom', type: 'poll', data: {} }),
    msg('iso', { sentAt: '2023-01-18T00:00:00Z' }),
    msg('old', { sentAt: String(DOC_NOW_SECONDS - 181 * DAY) }),
    msg('stranger', { sender: 'zed', senderUserDetails: undefined }),
    msg('nogroup', { receiver: 'void', receiverGroupDetails: undefined }),
  ));
  const code = (muid: string) => (r.json.data[muid].success ? 'ok' : r.json.data[muid].error.code);
  assert.deepEqual(
    ['Keep-Case', 'empty', 'video', 'custom', 'iso', 'old', 'stranger', 'nogroup'].map(code),
    ['ok', 'ERR_EMPTY_MESSAGE_TEXT', 'ERR_INVALID_MEDIA_MESSAGE', 'ERR_EMPTY_CUSTOM_DATA', 'ERR_BAD_REQUEST', 'ERR_BAD_REQUEST', 'ERR_UID_NOT_FOUND', 'ERR_GUID_NOT_FOUND'],
  );
  assert.match(r.json.data.old.error.message, /older than 180 days/);
  assert.equal(r.json.data['Keep-Case'].data.muid, 'Keep-Case', 'the muid is kept as given');
  assert.equal(r.json.data['Keep-Case'].data.conversationId, 'group_team');
  // The group now exists (it came with the first message): a later message needs no details.
  const later = await post(sb, 'messages', body(msg('later', { receiverGroupDetails: undefined })));
  assert.equal(later.json.data.later.success, true);
  assert.deepEqual([...sb.accepted('messages').keys()], ['Keep-Case', 'later']);
  const ids = [r.json.data['Keep-Case'].data.id, later.json.data.later.data.id].map(Number);
  assert.ok(ids[1]! > ids[0]!, 'ids grow with each import');

  const forever = await another({ messageRetentionDays: 0 });
  const old = await post(forever, 'messages', body(msg('old', { sentAt: String(DOC_NOW_SECONDS - 3000 * DAY) })));
  assert.equal(old.json.data.old.success, true, 'an app with extended storage keeps older history');
});

test('a partial apply stores the valid rows, then answers 500 ERR_EXCEPTION; sent again, they are already there', async () => {
  const partial = await another({ faults: { partialApplyRate: 1 } });
  const first = await post(partial, 'messages', body(msg('a'), msg('b'), msg('bad', { data: { text: '' } })));
  assert.deepEqual([first.status, first.json.error.code], [500, 'ERR_EXCEPTION']);
  assert.deepEqual([...partial.accepted('messages').keys()], ['a', 'b']);
  const s = partial.stats();
  assert.deepEqual([s.partialApplies, s.byStatus['500'], s.accepted.messages], [1, 1, 2]);
  await post(partial, 'messages', body(msg('a'), msg('b'), msg('c')));
  assert.deepEqual([...partial.accepted('messages').keys()], ['a', 'b', 'c']);
  assert.equal(partial.stats().duplicateDeliveries, 2);
  // Every kind's endpoint has the fault.
  const users = await post(partial, 'users', { users: { zoe: { uid: 'zoe', name: 'Zoe' } } });
  assert.equal(users.status, 500);
  assert.deepEqual([...partial.accepted('users').keys()], ['zoe']);
});
