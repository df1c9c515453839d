// The workspace id rule (toCometChatId) and the collision check of the users and rooms tables:
// literal results, properties over many ids, every kind of meeting reported (never merged), and
// the tables' memory per user and room.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ID_PATTERN } from '../src/entities/fields.js';
import { isPlainId, toCometChatId } from '../src/sources/rocketchat/cometchat-id.js';
import { createRefIndex } from '../src/sources/rocketchat/ref-index.js';
import { createRocketChatTables } from '../src/sources/rocketchat/lookup-tables.js';
import { createWorkspaceMappers } from '../src/sources/rocketchat/index.js';
import { createPrng } from '../bench/generate-records.js';
import { NOW } from './helpers/run.js';

const sha12 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 12);

test('the id rule: lowercased when that is valid; else replaced characters and a SHA-256 suffix', () => {
  assert.equal(toCometChatId('GENERAL'), 'general');
  assert.equal(toCometChatId('aB3dE5gH7jK9mN2pQ'), 'ab3de5gh7jk9mn2pq', 'a Meteor id');
  assert.equal(toCometChatId('64b7f0c2a1b2c3d4e5f60718'), '64b7f0c2a1b2c3d4e5f60718', 'an ObjectId');
  assert.equal(toCometChatId('x'.repeat(100)), 'x'.repeat(100), '100 characters is still valid');
  // Literal values: the rule must never change (an operator's app logs users in with these uids).
  assert.equal(toCometChatId('rocket.cat'), 'rocket_cat-77bec2447805');
  assert.equal(toCometChatId('john.doe'), 'john_doe-30f69670bba2');
  assert.equal(toCometChatId('rocket.cat'), `rocket_cat-${sha12('rocket.cat')}`);
  // The hash is of the original id: ids differing only where characters were replaced stay apart.
  assert.equal(toCometChatId('A.b'), `a_b-${sha12('A.b')}`);
  assert.notEqual(toCometChatId('A.b'), toCometChatId('a.b'));
  assert.notEqual(toCometChatId('a b'), toCometChatId('a.b'));
  // One `_` per replaced code point (an emoji is one), and too long ids are cut before the suffix.
  assert.equal(toCometChatId('ü🚀x'), `__x-${sha12('ü🚀x')}`);
  const long = 'y'.repeat(150);
  assert.equal(toCometChatId(long), `${'y'.repeat(87)}-${sha12(long)}`);
  assert.equal(toCometChatId(long).length, 100);
  assert.equal(isPlainId('GENERAL'), true);
  assert.equal(isPlainId('rocket.cat'), false);
});

test('the id rule over 20,000 random ids: always a valid CometChat id, deterministic, and distinct where the sources differ beyond case', () => {
  const rand = createPrng(5);
  const alphabet = 'abcXYZ019_-.@ é🚀/';
  const seen = new Map<string, string>();
  for (let i = 0; i < 20_000; i++) {
    let id = '';
    const n = 1 + (rand() % (i % 50 === 0 ? 140 : 12));
    for (let k = 0; k < n; k++) id += Array.from(alphabet)[rand() % Array.from(alphabet).length];
    const out = toCometChatId(id);
    assert.match(out, ID_PATTERN, id);
    assert.equal(toCometChatId(id), out);
    const before = seen.get(out);
    if (before !== undefined) assert.equal(before.toLowerCase(), id.toLowerCase(), `${JSON.stringify(before)} and ${JSON.stringify(id)} both became ${out}`);
    seen.set(out, id);
  }
});

test('collisions: a later user or room whose CometChat id is taken is ID_COLLISION naming both; duplicates are not collisions', () => {
  const t = createRocketChatTables();
  t.addUser({ _id: 'AbCdEf', username: 'first' });
  t.addUser({ _id: 'abcdef', username: 'second' });
  t.addUser({ _id: 'AbCdEf', username: 'repeat' });
  // A hand-made id spelling out another id's mapped form: the rule makes them meet, the check sees it.
  t.addUser({ _id: 'rocket.cat', username: 'rocket.cat' });
  t.addUser({ _id: 'ROCKET_CAT-77bec2447805', username: 'impostor' });
  t.addRoom({ _id: 'GENERAL', t: 'c', name: 'general' });
  t.addRoom({ _id: 'general', t: 'c', name: 'other general' });
  t.addRoom({ _id: 'DmRoom', t: 'd', uids: ['AbCdEf', 'rocket.cat'] });
  t.addRoom({ _id: 'dmroom', t: 'd', uids: ['AbCdEf', 'rocket.cat'] });
  // Placeholders join the same id space, after every user.
  assert.equal(t.users.addPlaceholder('ABCDEF', 'gone'), true);
  assert.equal(t.users.addPlaceholder('GoneUser', 'gone.1'), true);
  assert.equal(t.users.addPlaceholder('goneuser', 'gone.2'), true);
  assert.equal(t.users.addPlaceholder('abcdef', undefined), false, 'a user is never a placeholder');
  t.seal();
  assert.deepEqual(t.userStats, { documents: 5, ignored: 0, duplicates: 1, collisions: 4 });
  assert.deepEqual(t.roomStats, { documents: 4, ignored: 0, duplicates: 0, collisions: 2 }, 'direct rooms are checked too');
  assert.equal(t.users.collidesWith('abcdef'), 'AbCdEf');
  assert.equal(t.users.collidesWith('AbCdEf'), undefined);
  assert.equal(t.users.collidesWith('ROCKET_CAT-77bec2447805'), 'rocket.cat');
  assert.equal(t.users.collidesWith('ABCDEF'), 'AbCdEf');
  assert.equal(t.users.collidesWith('goneuser'), 'GoneUser');
  assert.equal(t.rooms.collidesWith('general'), 'GENERAL');

  const map = createWorkspaceMappers(t, { nowSeconds: NOW });
  const user = (id: string) => map.users({ _id: id });
  assert.deepEqual(user('AbCdEf').kind, 'record');
  const lost = user('abcdef');
  assert.equal(lost.kind === 'invalid' && lost.reason, 'ID_COLLISION');
  assert.match(lost.kind === 'invalid' ? lost.message : '', /user "abcdef" maps to the CometChat uid "abcdef", which "AbCdEf" \(earlier in the users export\) already has/);
  const ghost = user('ABCDEF');
  assert.match(ghost.kind === 'invalid' ? ghost.message : '', /deleted user "ABCDEF".*"AbCdEf"/);
  const room = map.groups({ _id: 'general' });
  assert.equal(room.kind === 'invalid' && room.reason, 'ID_COLLISION');
  assert.match(room.kind === 'invalid' ? room.message : '', /room "general" maps to the CometChat guid "general", which room "GENERAL"/);
  // Every phase: a member or message of a losing id is ID_COLLISION too.
  const member = map.members({ rid: 'GENERAL', u: { _id: 'abcdef' } });
  assert.equal(member.kind === 'invalid' && member.reason, 'ID_COLLISION');
  const message = map.messages({ _id: 'm1', rid: 'general', u: { _id: 'AbCdEf' }, msg: 'hi', ts: NOW - 60 });
  assert.equal(message.kind === 'invalid' && message.reason, 'ID_COLLISION');
  const fromLoser = map.messages({ _id: 'm2', rid: 'GENERAL', u: { _id: 'abcdef' }, msg: 'hi', ts: NOW - 60 });
  assert.equal(fromLoser.kind === 'invalid' && fromLoser.reason, 'ID_COLLISION');
});

test('ref index: 100,000 texts found again, the first holder kept, absent texts not found', () => {
  const texts: string[] = [];
  const index = createRefIndex((ref) => texts[ref]);
  for (let i = 0; i < 100_000; i++) {
    texts.push(`user.${i}`);
    assert.equal(index.add(i, `user.${i}`), -1);
  }
  texts.push('user.5');
  assert.equal(index.add(100_000, 'user.5'), 5);
  for (const i of [0, 1, 4095, 65_536, 99_999]) assert.equal(index.find(`user.${i}`), i);
  assert.equal(index.find('user.100000'), -1);
  assert.equal(index.size, 100_000);
});

test('memory: the tables hold a user in about 105 bytes and a room in about 80 (ids, names, usernames as packed bytes)', () => {
  const t = createRocketChatTables();
  const users = 50_000;
  const rooms = 5_000;
  for (let i = 0; i < users; i++) {
    t.addUser({ _id: `u${i.toString(36).padStart(16, 'Q')}`, username: `user.${i}`, name: `Person ${i}`, type: 'user', active: i % 9 !== 0, roles: ['user'], createdAt: { $date: '2024-01-01T00:00:00Z' }, lastLogin: { $date: '2025-01-01T00:00:00Z' } });
  }
  for (let i = 0; i < rooms; i++) t.addRoom({ _id: `r${i.toString(36).padStart(16, 'Q')}`, t: 'c', name: `room-${i}`, u: { _id: 'u0' }, ts: { $date: '2024-01-02T00:00:00Z' } });
  t.seal();
  const perUser = t.users.bytes / users;
  const perRoom = t.rooms.bytes / rooms;
  assert.ok(perUser < 110, `${perUser.toFixed(1)} bytes per user`);
  assert.ok(perRoom < 90, `${perRoom.toFixed(1)} bytes per room`);
  assert.equal(t.users.idOfUsername('user.4242'), `u${(4242).toString(36).padStart(16, 'Q')}`);
});
