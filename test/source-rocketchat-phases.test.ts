// The four workspace mappers over small hand-made tables: the exact records of the interesting
// cases (judged by each kind's declaration), every skip rule and invalid reason, the placeholder
// pre-pass, and the users phase's own input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindNamed, type KindName } from '../src/entities/kinds.js';
import { validateRecord } from '../src/entities/validate.js';
import { isChatmigrateError } from '../src/errors.js';
import type { MappedRecord } from '../src/sources/mapped-record.js';
import { checkFileUrlTemplate, createRocketChatTables, createWorkspaceMappers, usersPhaseInput, type RocketChatTables, type WorkspaceOptions } from '../src/sources/rocketchat/index.js';
import { extensionOf, mediaType } from '../src/sources/rocketchat/message-content.js';
import { createPlaceholderScan } from '../src/sources/rocketchat/placeholder-scan.js';
import { parseUserDocument } from '../src/sources/rocketchat/strip-services.js';
import { NOW } from './helpers/run.js';

const T0 = NOW - 100 * 86_400;
const at = (s: number) => ({ $date: new Date(s * 1000).toISOString() });

const USERS = [
  { _id: 'Alice0001', username: 'alice', name: 'Alice A', type: 'user', active: true, roles: ['admin', 'user'], createdAt: at(T0), lastLogin: at(T0 + 500), avatarUrl: 'https://cdn.example.com/a.png', services: { password: { bcrypt: 'SECRET-HASH' } } },
  { _id: 'Bob000002', username: 'bob', name: '   ', type: 'user', active: false, createdAt: at(T0), _updatedAt: at(T0 + 900), avatarUrl: '/avatar/bob' },
  { _id: 'rocket.cat', username: 'rocket.cat', name: 'Rocket.Cat', type: 'bot', active: true, roles: ['bot'], createdAt: at(T0) },
  { _id: 'Carol0003', username: 'carol', name: 'C'.repeat(120), type: 'user', active: true, roles: ['user', 'bot'] },
  { _id: 'AppUser04', username: 'poll.app', type: 'app' },
  { _id: 'Guest0005', username: 'guest', type: 'unknown' },
];
const ROOMS = [
  { _id: 'GENERAL', t: 'c', name: 'general', ts: at(T0) },
  { _id: 'Priv00001', t: 'p', name: 'p1', fname: 'Private One', u: { _id: 'Alice0001' }, ts: at(T0 + 10), archived: true },
  { _id: 'Pwd000001', t: 'c', name: 'vip', joinCodeRequired: true, joinCode: 'open', u: { _id: 'rocket.cat' }, ts: at(T0 + 20) },
  { _id: 'Disc00001', t: 'p', prid: 'Priv00001', name: 'x', fname: 'A discussion', u: { _id: 'AppUser04' }, ts: at(T0 + 30) },
  { _id: 'Alice0001Bob000002', t: 'd', uids: ['Alice0001', 'Bob000002'], usernames: ['alice', 'bob'], ts: at(T0 + 40) },
  { _id: 'Alice0001Alice0001', t: 'd', uids: ['Alice0001'], usernames: ['alice'], ts: at(T0 + 41) },
  { _id: 'OldDm0001', t: 'd', usernames: ['alice', 'carol'], ts: at(T0 + 42) },
  { _id: 'GoneDm001', t: 'd', uids: ['Alice0001', 'GoneUser1'], ts: at(T0 + 43) },
  { _id: 'Group0001', t: 'd', uids: ['Alice0001', 'Bob000002', 'Carol0003'], usernames: ['alice', 'bob', 'carol'], ts: at(T0 + 50) },
  { _id: 'Enc000001', t: 'p', name: 'secret', encrypted: true, ts: at(T0 + 60) },
  { _id: 'Live00001', t: 'l', ts: at(T0 + 70) },
  { _id: 'Voip00001', t: 'v', ts: at(T0 + 80) },
  { _id: 'Odd000001', t: 'x', name: 'odd', ts: at(T0 + 90) },
];

function tables(): RocketChatTables {
  const t = createRocketChatTables();
  for (const u of USERS) {
    const buf = Buffer.from(JSON.stringify(u));
    t.addUser(parseUserDocument(buf, 0, buf.length));
  }
  for (const r of ROOMS) t.addRoom(r);
  return t;
}

/** The outcome as the pipeline would see it: the record's canonical JSON, `skip:rule` or the reason code. */
function judge(kind: KindName, m: MappedRecord): string {
  if (m.kind === 'skip') return `skip:${m.rule}`;
  if (m.kind === 'invalid') return m.reason;
  const v = validateRecord(kindNamed(kind), m.record, { nowSeconds: NOW, retentionDays: 180 });
  return v.ok === true ? v.json : v.ok === 'skip' ? `skip:${v.rule}` : `${v.reason}: ${v.message}`;
}

function setup(options: Partial<WorkspaceOptions> = {}) {
  const t = tables();
  const scan = createPlaceholderScan(t, { fileUrl: options.fileUrl });
  for (const m of [msg({ _id: 'p1', rid: 'GENERAL', u: { _id: 'Ghost0001', username: 'ghost' } }), msg({ _id: 'p2', rid: 'GoneDm001', u: { _id: 'Alice0001' } })]) scan.add(m);
  t.seal();
  const map = createWorkspaceMappers(t, { nowSeconds: NOW, ...options });
  const one = <K extends KindName>(kind: K) => (doc: unknown) => judge(kind, map[kind](doc));
  return { t, scan, users: one('users'), groups: one('groups'), members: one('members'), messages: one('messages') };
}

function msg(fields: Record<string, unknown>): Record<string, unknown> {
  return { msg: 'hello', ts: at(NOW - 3600), u: { _id: 'Alice0001', username: 'alice' }, ...fields };
}

const ROCKET_CAT = 'rocket_cat-77bec2447805';

test('users: name, avatar, dates, deactivation, bot tags, role map, metadata; app and other types skipped', () => {
  const s = setup({ roles: { admin: 'admin', bot: 'bot-role' } });
  assert.equal(s.users({ _id: 'Alice0001' }), `{"uid":"alice0001","name":"Alice A","avatar":"https://cdn.example.com/a.png","role":"admin","createdAt":"${T0}","lastActiveAt":"${T0 + 500}","metadata":{"rcId":"Alice0001","username":"alice"}}`);
  // A blank name falls back to the username; a relative avatar is no URL; deactivated at _updatedAt.
  assert.equal(s.users({ _id: 'Bob000002' }), `{"uid":"bob000002","name":"bob","createdAt":"${T0}","metadata":{"rcId":"Bob000002","username":"bob"},"deactivatedAt":"${T0 + 900}"}`);
  assert.equal(s.users({ _id: 'rocket.cat' }), `{"uid":"${ROCKET_CAT}","name":"Rocket.Cat","role":"bot-role","createdAt":"${T0}","metadata":{"rcId":"rocket.cat","username":"rocket.cat"},"tags":["bot"]}`);
  const carol = JSON.parse(s.users({ _id: 'Carol0003' })) as { name: string; tags: string[] };
  assert.equal(carol.name, 'C'.repeat(100), 'cut to 100 characters');
  assert.deepEqual(carol.tags, ['bot'], 'the bot role tags too');
  assert.equal(s.users({ _id: 'AppUser04' }), 'skip:app-user');
  assert.equal(s.users({ _id: 'Guest0005' }), 'skip:other-user-type');
  assert.equal(s.users({ _id: 'Nobody' }), 'USER_NOT_FOUND');
  assert.equal(s.users({ username: 'x' }), 'MISSING_UID');
  assert.equal(s.users('text'), 'NOT_AN_OBJECT');
  // Without a role map there is no role: a role must exist in the CometChat app.
  assert.equal(JSON.parse(setup().users({ _id: 'Alice0001' })).role, undefined);
  // Placeholders: the deleted sender and the deleted direct-message partner.
  assert.equal(s.users({ _id: 'Ghost0001' }), '{"uid":"ghost0001","name":"Deleted user","metadata":{"rcId":"Ghost0001","username":"ghost","deletedUser":true},"tags":["deleted-user"]}');
  assert.equal(JSON.parse(setup({ deletedUserName: 'Former member' }).users({ _id: 'GoneUser1' })).name, 'Former member');
});

test('the users phase input: every user then every placeholder, no services, mapping to the same users', () => {
  const s = setup();
  const text = Buffer.concat([...usersPhaseInput(s.t)]).toString('utf8');
  assert.ok(!text.includes('SECRET') && !text.includes('services'), text);
  const docs = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(docs.map((d) => d['_id']), [...USERS.map((u) => u._id), 'Ghost0001', 'GoneUser1']);
  assert.deepEqual(docs[1], { _id: 'Bob000002', username: 'bob', name: '   ', type: 'user', active: false, roles: ['user'], createdAt: at(T0), _updatedAt: at(T0 + 900) });
  assert.deepEqual(docs[4]!['type'], 'app');
  assert.deepEqual(docs[5]!['type'], 'unknown');
  for (const [k, u] of USERS.entries()) assert.equal(s.users(docs[k]), s.users(u), u._id);
});

test('groups: public, private, password, discussion, group DM; direct, livechat, voip, encrypted skipped', () => {
  const s = setup();
  assert.equal(s.groups({ _id: 'GENERAL' }), `{"guid":"general","name":"general","type":"public","createdAt":"${T0}","metadata":{"rcId":"GENERAL"}}`);
  assert.equal(s.groups({ _id: 'Priv00001' }), `{"guid":"priv00001","name":"Private One","type":"private","owner":"alice0001","createdAt":"${T0 + 10}","metadata":{"rcId":"Priv00001"},"tags":["archived"]}`);
  assert.equal(s.groups({ _id: 'Pwd000001' }), `{"guid":"pwd000001","name":"vip","type":"password","owner":"${ROCKET_CAT}","createdAt":"${T0 + 20}","password":"open","metadata":{"rcId":"Pwd000001"}}`);
  // The creator is an app user, not imported: no owner.
  assert.equal(s.groups({ _id: 'Disc00001' }), `{"guid":"disc00001","name":"A discussion","type":"private","createdAt":"${T0 + 30}","metadata":{"rcId":"Disc00001","parentRid":"Priv00001"},"tags":["discussion"]}`);
  assert.equal(s.groups({ _id: 'Group0001' }), `{"guid":"group0001","name":"alice, bob, carol","type":"private","createdAt":"${T0 + 50}","metadata":{"rcId":"Group0001"},"tags":["group-dm"]}`);
  assert.equal(s.groups({ _id: 'Alice0001Bob000002' }), 'skip:direct-room');
  assert.equal(s.groups({ _id: 'Alice0001Alice0001' }), 'skip:direct-room');
  assert.equal(s.groups({ _id: 'Enc000001' }), 'skip:encrypted-room');
  assert.equal(s.groups({ _id: 'Live00001' }), 'skip:livechat-room');
  assert.equal(s.groups({ _id: 'Voip00001' }), 'skip:voip-room');
  assert.equal(s.groups({ _id: 'Odd000001' }), 'UNSUPPORTED_ROOM_TYPE');
  assert.equal(s.groups({ _id: 'Missing' }), 'ROOM_NOT_FOUND');
});

test('members: the groups and users as imported, group-DM members, skips by room and by user', () => {
  const s = setup();
  const sub = (rid: string, uid: string, extra: Record<string, unknown> = {}) => ({ rid, u: { _id: uid }, ts: at(T0 + 100), ...extra });
  const m = JSON.parse(s.members(sub('Group0001', 'Carol0003', { t: 'd', roles: ['owner'] }))) as Record<string, unknown>;
  assert.equal(m['memberId'], 'group0001_member_carol0003');
  assert.equal(m['scope'], 'admin');
  assert.deepEqual(m['groupDetails'], JSON.parse(s.groups({ _id: 'Group0001' })));
  assert.deepEqual(m['userDetails'], JSON.parse(s.users({ _id: 'Carol0003' })));
  assert.equal(JSON.parse(s.members(sub('GENERAL', 'rocket.cat')))['uid'], ROCKET_CAT);
  assert.equal(s.members(sub('Alice0001Bob000002', 'Bob000002', { t: 'd' })), 'skip:direct-room');
  assert.equal(s.members(sub('MissingDm', 'Bob000002', { t: 'd' })), 'skip:direct-room');
  assert.equal(s.members(sub('Enc000001', 'Bob000002')), 'skip:encrypted-room');
  assert.equal(s.members(sub('Live00001', 'Bob000002')), 'skip:livechat-room');
  assert.equal(s.members(sub('GENERAL', 'AppUser04')), 'skip:user-skipped');
  assert.equal(s.members(sub('GENERAL', 'Guest0005')), 'skip:user-skipped');
  assert.equal(s.members(sub('GENERAL', 'Nobody')), 'USER_NOT_FOUND');
  assert.equal(s.members(sub('Missing', 'Alice0001')), 'ROOM_NOT_FOUND');
  assert.equal(s.members({ u: { _id: 'Alice0001' } }), 'MISSING_GUID');
  assert.equal(s.members({ rid: 'GENERAL' }), 'MISSING_UID');
  assert.equal(s.members(sub('Odd000001', 'Alice0001')), 'UNSUPPORTED_ROOM_TYPE');
  assert.match(s.members(sub('GENERAL', 'Alice0001', { ts: at(T0 - 10) })), /^JOINED_BEFORE_GROUP_CREATED/);
});

test('messages: group, direct, legacy direct, group DM; thread parent, edit and reactions in metadata', () => {
  const s = setup();
  const ts = NOW - 3600;
  assert.equal(s.messages(msg({ _id: 'M1', rid: 'GENERAL' })), `{"muid":"M1","sender":"alice0001","receiverType":"group","receiver":"general","category":"message","type":"text","data":{"text":"hello"},"sentAt":"${ts}"}`);
  assert.equal(s.messages(msg({ _id: 'M2', rid: 'Alice0001Bob000002', u: { _id: 'Bob000002' } })).includes('"receiverType":"user","receiver":"alice0001"'), true);
  assert.equal(s.messages(msg({ _id: 'M3', rid: 'OldDm0001', u: { _id: 'Carol0003' } })).includes('"receiverType":"user","receiver":"alice0001"'), true, 'a direct room by usernames');
  assert.equal(s.messages(msg({ _id: 'M4', rid: 'Group0001' })).includes('"receiverType":"group","receiver":"group0001"'), true);
  const full = JSON.parse(s.messages(msg({
    _id: 'M5', rid: 'GENERAL', tmid: 'M1', editedAt: at(ts + 60), editedBy: { _id: 'Alice0001' },
    reactions: { ':thumbsup:': { usernames: ['bob', 'rocket.cat', 'bob', 'stranger'] }, ':x:': { usernames: ['stranger'] }, ':poll:': { usernames: ['poll.app'] } },
  }))) as { data: { metadata: unknown } };
  assert.deepEqual(full.data.metadata, { parentMuid: 'M1', editedAt: ts + 60, reactions: { ':thumbsup:': ['bob000002', ROCKET_CAT] } });
  // Very many reactions keep their counts only: data stays within 10 KB.
  const many = Array.from({ length: 400 }, (_, i) => `user${i}`);
  const t = tables();
  for (const name of many) t.addUser({ _id: `Id${name}`, username: name });
  t.seal();
  const crowded = createWorkspaceMappers(t, { nowSeconds: NOW }).messages(msg({ _id: 'M6', rid: 'GENERAL', reactions: { ':tada:': { usernames: many } } }));
  assert.equal(crowded.kind, 'record');
  assert.deepEqual(((crowded as { record: { data: { metadata: unknown } } }).record.data.metadata), { reactionCounts: { ':tada:': 400 } });
});

test('messages: every skip rule and invalid reason', () => {
  const s = setup();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ rid: 'GENERAL', _hidden: true, parent: 'M1' }, 'skip:hidden'],
    [{ rid: 'GENERAL', t: 'rm', msg: '' }, 'skip:deleted'],
    [{ rid: 'GENERAL', t: 'e2e', msg: 'x' }, 'skip:e2e'],
    [{ rid: 'GENERAL', e2e: 'pending' }, 'skip:e2e'],
    [{ rid: 'GENERAL', t: 'livechat-started' }, 'skip:livechat'],
    [{ rid: 'Live00001' }, 'skip:livechat'],
    [{ rid: 'GENERAL', t: 'uj' }, 'skip:system'],
    [{ rid: 'GENERAL', t: 'room_changed_topic' }, 'skip:system'],
    [{ rid: 'Voip00001' }, 'skip:room-skipped'],
    [{ rid: 'Enc000001' }, 'skip:room-skipped'],
    [{ rid: 'GENERAL', u: { _id: 'AppUser04' } }, 'skip:user-skipped'],
    [{ rid: 'Alice0001Alice0001' }, 'skip:self-dm'],
    [{ rid: 'Alice0001Bob000002', u: { _id: 'rocket.cat' } }, 'skip:direct-without-receiver'],
    [{ rid: 'GENERAL', msg: '', files: [{ _id: 'f1', name: 'a.pdf', type: 'application/pdf' }] }, 'skip:file-without-url'],
    [{ rid: 'GENERAL', ts: at(NOW - 200 * 86_400) }, 'skip:retention'],
    [{ rid: 'Odd000001' }, 'UNSUPPORTED_ROOM_TYPE'],
    [{ rid: 'Missing' }, 'ROOM_NOT_FOUND'],
    [{ rid: undefined }, 'MISSING_RECEIVER'],
    [{ rid: 'GENERAL', _id: undefined }, 'MISSING_MUID'],
    [{ rid: 'GENERAL', u: {} }, 'MISSING_SENDER'],
    [{ rid: 'GENERAL', u: { _id: 'NeverScanned' } }, 'MESSAGE_USER_NOT_FOUND'],
  ];
  for (const [fields, expected] of cases) assert.equal(s.messages(msg({ _id: 'X', ...fields })).split(':').slice(0, expected.startsWith('skip:') ? 2 : 1).join(':'), expected, JSON.stringify(fields));
  assert.match(s.messages(msg({ _id: 'X', rid: 'GENERAL', msg: '  ' })), /^EMPTY_MESSAGE_TEXT/, 'blank text is the kind\'s to judge');
  assert.equal(s.messages([1]), 'NOT_AN_OBJECT');
  // Deleted users: found by the pre-pass, imported under their placeholder's uid.
  assert.match(s.messages(msg({ _id: 'P1', rid: 'GENERAL', u: { _id: 'Ghost0001' } })), /"sender":"ghost0001"/);
  assert.match(s.messages(msg({ _id: 'P2', rid: 'GoneDm001' })), /"receiverType":"user","receiver":"goneuser1"/);
  assert.deepEqual(s.scan.counts, { messages: 2, users: 2, placeholderMessages: 2 });
});

test('the placeholder pre-pass adds only users that an imported message needs', () => {
  const t = tables();
  const scan = createPlaceholderScan(t, { sentAfter: NOW - 180 * 86_400 });
  const ghost = (id: string, fields: Record<string, unknown>) => scan.add(msg({ _id: id, u: { _id: id }, ...fields }));
  ghost('G-system', { rid: 'GENERAL', t: 'uj' });
  ghost('G-old', { rid: 'GENERAL', ts: at(NOW - 200 * 86_400) });
  ghost('G-file', { rid: 'GENERAL', msg: '', files: [{ _id: 'f', name: 'x.png', type: 'image/png' }] });
  ghost('G-room', { rid: 'Enc000001' });
  scan.add(msg({ _id: 'app-dm', rid: 'GoneDm001', u: { _id: 'AppUser04' } }));
  ghost('G-ok', { rid: 'GENERAL' });
  ghost('G-ok', { rid: 'GENERAL' });
  assert.deepEqual(scan.counts, { messages: 7, users: 1, placeholderMessages: 2 });
  assert.ok(t.users.placeholder('G-ok'));
  assert.equal(t.users.placeholder('G-file'), undefined);
});

test('files: attachments at the template URL, types from MIME, thumbnails left out, captions', () => {
  const s = setup({ fileUrl: checkFileUrlTemplate('https://files.example.com/{fileId}/{name}?r={rid}') });
  const out = JSON.parse(s.messages(msg({
    _id: 'F1', rid: 'GENERAL', msg: '',
    files: [{ _id: 'f 1', name: 'holiday photo.JPG', type: 'image/jpeg', size: 2048 }, { _id: 't1', name: 'thumb.jpg', type: 'image/jpeg', typeGroup: 'thumb' }, { _id: 'f2', name: 'scan', type: 'image/png' }],
    attachments: [{ description: 'our trip' }],
  }))) as { type: string; data: { text: string; attachments: unknown[] } };
  assert.equal(out.type, 'image');
  assert.equal(out.data.text, 'our trip', 'the file description is the caption');
  assert.deepEqual(out.data.attachments, [
    { name: 'holiday photo.JPG', mimeType: 'image/jpeg', extension: 'jpg', url: 'https://files.example.com/f%201/holiday%20photo.JPG?r=GENERAL', size: '2048' },
    { name: 'scan', mimeType: 'image/png', extension: 'png', url: 'https://files.example.com/f2/scan?r=GENERAL' },
  ]);
  const mixed = JSON.parse(s.messages(msg({ _id: 'F2', rid: 'GENERAL', files: [{ _id: 'a', name: 'a.mp3', type: 'audio/mpeg' }, { _id: 'v', name: 'v.mp4', type: 'video/mp4' }] }))) as { type: string; data: { text: string } };
  assert.equal(mixed.type, 'file', 'mixed media is a file message');
  assert.equal(mixed.data.text, 'hello');
  assert.equal(JSON.parse(s.messages(msg({ _id: 'F3', rid: 'GENERAL', msg: '', file: { _id: 'd', name: 'doc', type: 'application/pdf' } }))).type, 'file', 'the older single `file`');
  // Without a template: text stays, a file alone is skipped.
  const plain = setup();
  assert.match(plain.messages(msg({ _id: 'F4', rid: 'GENERAL', files: [{ _id: 'a', name: 'a.png', type: 'image/png' }] })), /"type":"text","data":\{"text":"hello"\}/);
  assert.equal(mediaType('Video/MP4'), 'video');
  assert.equal(mediaType('nonsense'), 'file');
  assert.equal(extensionOf('archive.tar.gz', 'application/gzip'), 'gz');
  assert.equal(extensionOf('drawing', 'image/svg+xml'), 'svg');
  assert.equal(extensionOf('blob', ''), 'bin');
  for (const bad of ['files.example.com/{fileId}', 'https://files.example.com/{name}', 'ftp://x/{fileId}']) {
    assert.throws(() => checkFileUrlTemplate(bad), (e: unknown) => isChatmigrateError(e) && e.code === 'CM_USAGE' && e.message.startsWith('--file-url expects'));
  }
});
