// The Rocket.Chat source's pure core: mongoexport encodings, the packed tables, and the mapping of
// every fixture subscription (joined with its room and user) to its outcome, with the exact
// member JSON for the interesting cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dateSeconds, idText } from '../src/sources/rocketchat/extended-json.js';
import { parseUserDocument, textWithoutServices } from '../src/sources/rocketchat/strip-services.js';
import { createPackedTable } from '../src/sources/rocketchat/packed-table.js';
import { createRocketChatTables, type RocketChatTables } from '../src/sources/rocketchat/lookup-tables.js';
import { deactivatedAt, mapSubscription, scopeOf } from '../src/sources/rocketchat/map-subscription.js';
import { validateMember } from '../src/entities/members/index.js';
import { NOW } from './helpers/run.js';

const DIR = 'fixtures/rocketchat';

function fixtureTables(): RocketChatTables {
  const t = createRocketChatTables();
  for (const room of JSON.parse(readFileSync(`${DIR}/rooms.json`, 'utf8')) as unknown[]) t.addRoom(room);
  for (const line of readFileSync(`${DIR}/users.ndjson`, 'utf8').trim().split('\n')) t.addUser(parseUser(line));
  t.seal();
  return t;
}

function parseUser(text: string): unknown {
  const buf = Buffer.from(text);
  return parseUserDocument(buf, 0, buf.length);
}

function subscriptions(): Array<Record<string, unknown>> {
  return readFileSync(`${DIR}/subscriptions.ndjson`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Outcome of one subscription through mapping and validation: the member JSON, `skip:rule` or the reason code. */
function outcome(sub: unknown, t: RocketChatTables): string {
  const m = mapSubscription(sub, t, NOW);
  if (m.kind === 'skip') return `skip:${m.rule}`;
  if (m.kind === 'invalid') return m.reason;
  const v = validateMember(m.record, { nowSeconds: NOW });
  return v.ok ? v.json : v.reason;
}

test('mongoexport encodings: ids and dates in relaxed, canonical and legacy forms', () => {
  assert.equal(idText('GENERAL'), 'GENERAL');
  assert.equal(idText({ $oid: '64b7f0c2a1b2c3d4e5f60718' }), '64b7f0c2a1b2c3d4e5f60718');
  assert.equal(idText({ $numberLong: '42' }), '42');
  assert.equal(idText(''), undefined);
  assert.equal(idText({ foo: 1 }), undefined);
  const s = 1673341200; // 2023-01-10T09:00:00Z
  for (const form of [
    { $date: '2023-01-10T09:00:00.000Z' },
    { $date: '2023-01-10T10:00:00+01:00' },
    // mongoexport before 4.2 (legacy): local time with a colon-less offset.
    { $date: '2023-01-10T05:00:00.000-0400' },
    { $date: '2023-01-10T09:00:00.000+0000' },
    { $date: { $numberLong: '1673341200000' } },
    { $date: 1673341200000 },
    { $numberLong: '1673341200000' },
    '2023-01-10T09:00:00Z',
    1673341200000,
    1673341200,
  ]) {
    assert.equal(dateSeconds(form), s, JSON.stringify(form));
  }
  assert.equal(dateSeconds('yesterday'), 0);
  assert.equal(dateSeconds(undefined), 0);
});

test('services is cut out of a users document before parsing, wherever it stands and however it is spaced', () => {
  const secret = { password: { bcrypt: '$2b$10$x"y\\z}]' }, resume: { loginTokens: [{ hashedToken: 'tok,en' }] } };
  const rest = { _id: 'u1', name: 'N {"services": 1}', roles: ['user', 'bot'], nested: { services: 'kept: not top-level' }, active: true, n: 1.5 };
  const keys = Object.keys(rest);
  for (let at = 0; at <= keys.length; at++) {
    const entries: Array<[string, unknown]> = Object.entries(rest);
    entries.splice(at, 0, ['services', secret]);
    const doc = Object.fromEntries(entries);
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2), JSON.stringify(doc, null, '\t').replace(/\n/g, '\r\n')]) {
      const buf = Buffer.from(`  ${text}  `);
      const stripped = textWithoutServices(buf, 2, buf.length - 2);
      assert.ok(!stripped.includes('bcrypt') && !stripped.includes('tok,en'), stripped);
      assert.deepEqual(JSON.parse(stripped), rest, `services at ${at}`);
    }
  }
  assert.deepEqual(parseUser('{"services":{"a":1}}'), {});
  assert.deepEqual(parseUser('{"services":{"a":1},"services":[2],"x":3}'), { x: 3 }, 'a repeated key too');
  assert.deepEqual(parseUser('{"x":"\\"","services":null}'), { x: '"' }, 'an escaped quote does not end the string');
  assert.deepEqual(parseUser('{"\\u0073ervices":{"a":1},"x":1}'), { x: 1 }, 'an escaped spelling is dropped after parsing');
  assert.deepEqual(parseUser('[1,2]'), [1, 2]);
  assert.throws(() => parseUser('{"services":{"a":1},'), SyntaxError);
});

test('packed table: 50,000 entries found by key with their fields; absent fields, duplicates, unknown keys', () => {
  const t = createPackedTable(2, 1, 16);
  for (let i = 0; i < 50_000; i++) assert.equal(t.add(`id-${i}`, [i % 3 === 0 ? undefined : `név ${i}`, i % 2 === 0 ? `x${i}` : undefined], [i], i & 0xff), true);
  assert.equal(t.add('id-7', ['other', undefined], [1], 0), false, 'first entry wins');
  t.seal();
  assert.equal(t.size, 50_000);
  for (const i of [0, 1, 2, 3, 7, 4095, 4096, 49_999]) {
    const e = t.find(`id-${i}`);
    assert.ok(e >= 0, `id-${i}`);
    assert.equal(t.text(e, 0), `id-${i}`);
    assert.equal(t.text(e, 1), i % 3 === 0 ? undefined : `név ${i}`);
    assert.equal(t.text(e, 2), i % 2 === 0 ? `x${i}` : undefined);
    assert.equal(t.number(e, 0), i);
    assert.equal(t.flags(e), i & 0xff);
  }
  assert.equal(t.find('id-50000'), -1);
  assert.equal(t.find('ID-1'), -1, 'keys are exact (lowercasing happens later, in the record core)');
  assert.equal(t.find(''), -1);
  assert.ok(t.bytes < 50_000 * 60, `compact: ${t.bytes} bytes`);
});

test('scope from subscription roles; deactivation time from the data', () => {
  assert.equal(scopeOf(['owner']), 'admin');
  assert.equal(scopeOf(['moderator', 'owner']), 'admin');
  assert.equal(scopeOf(['moderator']), 'moderator');
  assert.equal(scopeOf(['leader']), 'participant');
  assert.equal(scopeOf(undefined), 'participant');
  assert.equal(deactivatedAt({ updatedAt: 1700000000, lastLogin: 1600000000, createdAt: 1500000000 }, NOW), 1700000000);
  assert.equal(deactivatedAt({ updatedAt: 0, lastLogin: 0, createdAt: 1500000000 }, NOW), 1500000000);
  assert.equal(deactivatedAt({ updatedAt: 0, lastLogin: 0, createdAt: 0 }, NOW), NOW);
});

test('every fixture subscription has its expected outcome', () => {
  const t = fixtureTables();
  assert.deepEqual(t.roomStats, { documents: 11, ignored: 0, duplicates: 0, collisions: 0 });
  assert.deepEqual(t.userStats, { documents: 9, ignored: 0, duplicates: 0, collisions: 0 });
  const got = Object.fromEntries(subscriptions().map((s) => [idText(s['_id'])!, outcome(s, t)]));
  const memberIdOf = (json: string) => (json.startsWith('{') ? (JSON.parse(json) as { memberId: string }).memberId : json);
  assert.deepEqual(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, memberIdOf(v)])), {
    'sub-01': 'general_member_aliceid01', // public, owner
    'sub-02': 'general_member_bobid0002', // legacy {$date: ms}, no name → username
    'sub-03': 'general_member_carolid03', // deactivated user
    'sub-04': 'privroom01_member_aliceid01', // private, owner + moderator
    'sub-05': 'privroom01_member_daveid004', // moderator, avatarUrl
    'sub-06': 'pwdroom01_member_bobid0002', // password room (joinCode)
    'sub-07': 'teamroom01_member_erinid005', // leader, team main room
    'sub-08': 'oldroom01_member_aliceid01', // archived, read-only
    'sub-09': 'discroom01_member_daveid004', // discussion (prid)
    'sub-10': 'skip:direct-room',
    'sub-11': 'skip:direct-room', // room not exported, but the subscription says t: d
    'sub-12': 'general_member_helperbot1', // bot
    'sub-13': 'INVALID_UID', // rocket.cat: '.' is outside CometChat's id alphabet
    'sub-14': 'skip:livechat-room',
    'sub-15': 'ROOM_NOT_FOUND',
    'sub-16': 'USER_NOT_FOUND',
    '64b7f0c2a1b2c3d4e5f607aa': '64b7f0c2a1b2c3d4e5f60718_member_64b7f0c2a1b2c3d4e5f60799', // $oid ids, canonical dates
    'sub-18': 'townhall01_member_frankid06', // joinCode without joinCodeRequired, bare ms ts, deactivated without _updatedAt
    'sub-19': 'townhall01_member_aliceid01', // bare ISO ts equal to the room's ts
    'sub-20': 'skip:voip-room',
    'sub-21': 'general_member_bobid0002', // the same membership again (a duplicate downstream)
  });

  // The exact members for the cases with most mapping in them.
  assert.equal(got['sub-01'], '{"memberId":"general_member_aliceid01","uid":"aliceid01","guid":"general","joinedAt":"1673341200","scope":"admin","groupDetails":{"guid":"general","name":"general","type":"public","createdAt":"1673341200"},"userDetails":{"uid":"aliceid01","name":"Alice Admin","createdAt":"1672560000","lastActiveAt":"1748764800"}}');
  assert.equal(got['sub-05'], '{"memberId":"privroom01_member_daveid004","uid":"daveid004","guid":"privroom01","joinedAt":"1673610000","scope":"moderator","groupDetails":{"guid":"privroom01","name":"Secret Team","type":"private","owner":"aliceid01","createdAt":"1673600000"},"userDetails":{"uid":"daveid004","name":"Dave Mod","avatar":"https://cdn.example.com/avatars/dave.png","createdAt":"1672646400"}}');
  assert.equal(got['sub-06'], '{"memberId":"pwdroom01_member_bobid0002","uid":"bobid0002","guid":"pwdroom01","joinedAt":"1673700000","scope":"admin","groupDetails":{"guid":"pwdroom01","name":"vip-lounge","type":"password","owner":"bobid0002","createdAt":"1673700000","password":"open-sesame"},"userDetails":{"uid":"bobid0002","name":"bob","createdAt":"1672560000"}}');
  assert.equal(got['sub-03'], '{"memberId":"general_member_carolid03","uid":"carolid03","guid":"general","joinedAt":"1673481600","scope":"participant","groupDetails":{"guid":"general","name":"general","type":"public","createdAt":"1673341200"},"userDetails":{"uid":"carolid03","name":"Carol Gone","createdAt":"1672570000","deactivatedAt":"1714521600"}}');
  assert.equal(got['sub-09'], '{"memberId":"discroom01_member_daveid004","uid":"daveid004","guid":"discroom01","joinedAt":"1675245600","scope":"admin","groupDetails":{"guid":"discroom01","name":"Budget discussion","type":"private","owner":"daveid004","createdAt":"1675245600","tags":["discussion"]},"userDetails":{"uid":"daveid004","name":"Dave Mod","avatar":"https://cdn.example.com/avatars/dave.png","createdAt":"1672646400"}}');

  const member = (id: string) => JSON.parse(got[id]!) as { scope: string; groupDetails: Record<string, unknown>; userDetails: Record<string, unknown> };
  assert.equal(member('sub-07').scope, 'participant');
  assert.deepEqual(member('sub-07').groupDetails['tags'], ['team']);
  assert.equal(member('sub-07').userDetails['avatar'], undefined, 'a relative Rocket.Chat avatar path is not a CometChat avatar URL');
  assert.deepEqual(member('sub-08').groupDetails['tags'], ['archived', 'read-only']);
  assert.deepEqual(member('sub-12').userDetails['tags'], ['bot']);
  assert.equal(member('sub-18').groupDetails['type'], 'public', 'a joinCode without joinCodeRequired is no password');
  assert.equal(member('sub-18').groupDetails['password'], undefined);
  assert.equal(member('sub-18').userDetails['deactivatedAt'], '1672819200', 'no _updatedAt: the latest known date');
  assert.equal(got['sub-21'], got['sub-02']);
});

test('edge cases: no rid, no user id, unknown room type, not an object', () => {
  const t = fixtureTables();
  assert.equal(outcome({ u: { _id: 'aliceId01' }, ts: 1 }, t), 'MISSING_GUID');
  assert.equal(outcome({ rid: 'GENERAL', u: {} }, t), 'MISSING_UID');
  assert.equal(outcome({ rid: 'GENERAL' }, t), 'MISSING_UID');
  assert.equal(outcome([1, 2], t), 'NOT_AN_OBJECT');
  const odd = createRocketChatTables();
  odd.addRoom({ _id: 'R1', t: 'x', name: 'odd' });
  odd.addRoom({ _id: 'R2', name: 'untyped' });
  odd.addRoom({ name: 'no id' });
  odd.addUser({ _id: 'U1', username: 'u' });
  assert.equal(outcome({ rid: 'R1', u: { _id: 'U1' } }, odd), 'UNSUPPORTED_ROOM_TYPE');
  assert.equal(outcome({ rid: 'R2', u: { _id: 'U1' } }, odd), 'UNSUPPORTED_ROOM_TYPE');
  assert.deepEqual(odd.roomStats, { documents: 3, ignored: 1, duplicates: 0, collisions: 0 });
  // Every mongoexport date form of a subscription's ts gives the same joinedAt.
  for (const ts of [{ $date: '2023-01-12T00:00:00Z' }, { $date: '2023-01-11T20:00:00.000-0400' }, { $date: { $numberLong: '1673481600000' } }, { $date: 1673481600000 }, 1673481600000, '2023-01-12T00:00:00.000+00:00', { $numberLong: '1673481600000' }]) {
    const json = outcome({ rid: 'GENERAL', u: { _id: 'carolId03' }, ts }, fixtureTables());
    assert.equal((JSON.parse(json) as { joinedAt: string }).joinedAt, '1673481600', JSON.stringify(ts));
  }
  // A room type from the room wins over the subscription's copy.
  assert.equal(outcome({ rid: 'R1', t: 'd', u: { _id: 'U1' } }, odd), 'UNSUPPORTED_ROOM_TYPE');
});

test('optional fields do not cost a membership: an owner CometChat cannot take is left out; a user with no name is named by its id', () => {
  const t = createRocketChatTables();
  t.addRoom({ _id: 'R1', t: 'c', name: 'general', u: { _id: 'rocket.cat' }, ts: { $date: '2023-01-01T00:00:00Z' } });
  t.addRoom({ _id: 'R2', t: 'c', name: 'ops', u: { _id: 'ann' }, ts: { $date: '2023-01-01T00:00:00Z' } });
  t.addUser({ _id: 'ann', username: 'ann' });
  t.addUser({ _id: 'dora' });
  t.seal();
  const member = (rid: string, uid: string) => JSON.parse(outcome({ rid, u: { _id: uid }, ts: { $date: '2023-02-01T00:00:00Z' } }, t)) as { groupDetails: Record<string, unknown>; userDetails: Record<string, unknown> };
  assert.equal(member('R1', 'ann').groupDetails['owner'], undefined);
  assert.equal(member('R2', 'ann').groupDetails['owner'], 'ann');
  assert.equal(member('R2', 'dora').userDetails['name'], 'dora');
});
