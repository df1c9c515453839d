// The sandbox's CometChat Data Import endpoints over real HTTP: the documented example, auth,
// wrapper errors, per-entity rules, re-imports, nested replies and the users/groups endpoints.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';
// CometChat's documented example (the seed): this request must get exactly this response.
import { SEED_REQUEST, SEED_RESPONSE } from './helpers/seeds.js';

const KEY = 'test-key-123';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

/** `apiKey` null sends no apikey header at all. */
async function post(sb: Sandbox, kind: string, body: unknown, apiKey: string | null = KEY): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey !== null) headers['ApiKey'] = apiKey; // mixed case on purpose: header names are case-insensitive
  const res = await request(`${sb.baseUrl}/data_import/${kind}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: JSON.parse(text) };
}

function member(guid: string, uid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    memberId: `${guid}_member_${uid}`,
    guid,
    uid,
    scope: 'participant',
    joinedAt: '1673421500',
    groupDetails: { guid, name: `Group ${guid}`, type: 'public', createdAt: '1673421419' },
    userDetails: { uid, name: `User ${uid}` },
    ...extra,
  };
}

function members(...list: Record<string, unknown>[]): { members: Record<string, unknown> } {
  return { members: Object.fromEntries(list.map((m) => [m['memberId'] as string, m])) };
}

let sb: Sandbox;
const extra: Sandbox[] = [];
async function another(options: Partial<SandboxOptions>): Promise<Sandbox> {
  const s = await startSandbox({ apiKey: KEY, rpm: 0, ...options });
  extra.push(s);
  return s;
}

before(async () => {
  sb = await startSandbox({ apiKey: KEY, rpm: 0 });
});
after(async () => {
  await sb.close();
  for (const s of extra) await s.close();
});

test('the documented example request gets exactly the documented response', async () => {
  sb.reset();
  const r = await post(sb, 'members', SEED_REQUEST);
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /application\/json/);
  assert.deepEqual(r.json, SEED_RESPONSE);
  assert.equal(typeof r.json.data.guid1_member_uid2.data.joinedAt, 'number');
  // The accepted record is what was sent (full records are the default).
  assert.deepEqual(sb.accepted('members').get('guid1_member_uid2'), SEED_REQUEST.members.guid1_member_uid2);
});

test('the documented example via curl in a child process', { skip: spawnSync('curl', ['--version']).status !== 0 }, async () => {
  sb.reset();
  // Asynchronous: the server runs in this process, so a synchronous spawn would deadlock.
  const child = spawn(
    'curl',
    ['-s', '-X', 'POST', `${sb.baseUrl}/data_import/members`, '-H', 'Content-Type: application/json', '-H', `apikey: ${KEY}`, '--data', '@-'],
    { stdio: ['pipe', 'pipe', 'inherit'], timeout: 10_000 },
  );
  child.stdin.end(JSON.stringify(SEED_REQUEST, null, 2));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'close')) as [number];
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), SEED_RESPONSE);
});

test('auth: missing and wrong keys, never echoed; status configurable', async () => {
  const missing = await post(sb, 'members', SEED_REQUEST, null);
  assert.equal(missing.status, 401);
  assert.equal(missing.json.error.code, 'AUTH_ERR_EMPTY_APIKEY');
  const empty = await post(sb, 'members', SEED_REQUEST, '');
  assert.equal(empty.json.error.code, 'AUTH_ERR_EMPTY_APIKEY');
  const wrong = await post(sb, 'members', SEED_REQUEST, 'secret-wrong-key');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error.code, 'AUTH_ERR_APIKEY_NOT_FOUND');
  assert.equal(typeof wrong.json.error.message, 'string');
  assert.ok(!JSON.stringify(wrong.json).includes('secret-wrong-key'));
  assert.ok(!JSON.stringify(wrong.json).includes(KEY));

  const s403 = await another({ authErrorStatus: 403 });
  const r = await post(s403, 'members', SEED_REQUEST, 'nope');
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'AUTH_ERR_APIKEY_NOT_FOUND');
  assert.equal(s403.stats().accepted.members, 0);
});

test('wrapper errors: malformed JSON, wrong shapes, empty, too many entities', async () => {
  sb.reset();
  const malformed = await post(sb, 'members', '{"members": {');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.error.code, 'ERR_BAD_REQUEST');

  for (const body of [[], { members: [] }, { members: {} }, { users: {} }, { members: 'x' }, { members: null }, 42]) {
    const r = await post(sb, 'members', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.code, 'ERR_IMPORT_INVALID_MEMBER_FORMAT', JSON.stringify(body));
  }
  const usersFormat = await post(sb, 'users', { members: {} });
  assert.equal(usersFormat.json.error.code, 'ERR_IMPORT_INVALID_USER_FORMAT');
  const groupsFormat = await post(sb, 'groups', { groups: [] });
  assert.equal(groupsFormat.json.error.code, 'ERR_IMPORT_INVALID_GROUP_FORMAT');

  const fifty = members(...Array.from({ length: 50 }, (_, i) => member('g1', `u${i}`)));
  const ok = await post(sb, 'members', fifty);
  assert.equal(ok.status, 200);
  assert.equal(Object.keys(ok.json.data).length, 50);
  const fiftyOne = members(...Array.from({ length: 51 }, (_, i) => member('g2', `u${i}`)));
  const tooMany = await post(sb, 'members', fiftyOne);
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.json.error.code, 'ERR_BAD_REQUEST');
  assert.match(tooMany.json.error.message, /50/);
  const stats = sb.stats();
  assert.equal(stats.accepted.members, 50, 'nothing of the refused request is stored');
  assert.equal(stats.maxEntitiesPerRequest, 51);

  const small = await another({ maxEntities: 2 });
  const r = await post(small, 'members', members(member('a', 'b'), member('a', 'c'), member('a', 'd')));
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /At most 2 /);
});

test('per-entity rules: ids, memberId, scope, details, joinedAt', async () => {
  sb.reset();
  const cases: Array<[string, Record<string, unknown>, string, string, RegExp?]> = [
    ['key', { ...member('g', 'u1'), memberId: 'g_member_u1' }, 'other_member_u1', 'ERR_BAD_REQUEST', /map key .* does not match/],
    ['pattern', { ...member('g', 'u2'), memberId: 'g_member_u2x' }, 'g_member_u2x', 'ERR_BAD_REQUEST', /<guid>_member_<uid>/],
    ['upper', member('G', 'u3', { userDetails: { uid: 'u3', name: 'x' } }), 'G_member_u3', 'ERR_BAD_REQUEST', /guid/],
    ['no uid', { ...member('g', 'u4'), uid: undefined }, 'g_member_u4', 'ERR_BAD_REQUEST', /uid is missing/],
    ['long id', member('g', 'u'.repeat(101)), `g_member_${'u'.repeat(101)}`, 'ERR_BAD_REQUEST', /uid/],
    ['scope', member('g', 'u5', { scope: 'owner' }), 'g_member_u5', 'ERR_BAD_REQUEST', /scope/],
    ['banned', member('g', 'u6', { isBanned: 'yes' }), 'g_member_u6', 'ERR_BAD_REQUEST', /isBanned/],
    ['group guid', member('g', 'u7', { groupDetails: { guid: 'h', name: 'n', type: 'public' } }), 'g_member_u7', 'ERR_BAD_REQUEST', /groupDetails.guid/],
    ['group type', member('g', 'u8', { groupDetails: { guid: 'g', name: 'n', type: 'secret' } }), 'g_member_u8', 'ERR_BAD_REQUEST', /type/],
    ['group name', member('g', 'u9', { groupDetails: { guid: 'g', type: 'public' } }), 'g_member_u9', 'ERR_BAD_REQUEST', /name/],
    ['user uid', member('g', 'u10', { userDetails: { uid: 'zz', name: 'n' } }), 'g_member_u10', 'ERR_BAD_REQUEST', /userDetails.uid/],
    ['user name', member('g', 'u11', { userDetails: { uid: 'u11' } }), 'g_member_u11', 'ERR_BAD_REQUEST', /name/],
    ['tags', member('g', 'u12', { userDetails: { uid: 'u12', name: 'n', tags: Array(26).fill('t') } }), 'g_member_u12', 'ERR_BAD_REQUEST', /tags/],
    ['joined early', member('g', 'u13', { joinedAt: '1673421418' }), 'g_member_u13', 'ERR_IMPORT_INVALID_JOINEDAT', /createdAt/],
    ['joined ms', member('g', 'u14', { joinedAt: 1673421419000 }), 'g_member_u14', 'ERR_IMPORT_INVALID_JOINEDAT'],
    ['joined iso', member('g', 'u15', { joinedAt: '2023-01-11T07:16:59Z' }), 'g_member_u15', 'ERR_IMPORT_INVALID_JOINEDAT'],
    ['joined future', member('g', 'u16', { joinedAt: String(Math.floor(Date.now() / 1000) + 3600) }), 'g_member_u16', 'ERR_IMPORT_INVALID_JOINEDAT', /after now/],
    ['not object', 'just a string' as unknown as Record<string, unknown>, 'g_member_u17', 'ERR_BAD_REQUEST'],
  ];
  const body = { members: Object.fromEntries(cases.map(([, m, key]) => [key, m])) };
  const r = await post(sb, 'members', body);
  assert.equal(r.status, 200);
  for (const [name, , key, code, message] of cases) {
    const outcome = r.json.data[key];
    assert.equal(outcome.success, false, name);
    assert.equal(outcome.error.code, code, name);
    if (message) assert.match(outcome.error.message, message, name);
  }
  assert.equal(sb.stats().accepted.members, 0);

  // Valid variants: joinedAt equal to createdAt, as a number, absent; scope absent -> participant.
  const good = await post(
    sb,
    'members',
    members(
      member('g', 'v1', { joinedAt: '1673421419' }),
      member('g', 'v2', { joinedAt: 1673421419 }),
      member('g', 'v3', { joinedAt: undefined, scope: undefined }),
    ),
  );
  assert.equal(good.json.data.g_member_v1.data.joinedAt, 1673421419);
  assert.equal(good.json.data.g_member_v2.data.joinedAt, 1673421419);
  assert.equal(good.json.data.g_member_v3.data.scope, 'participant');
  assert.ok(Math.abs(good.json.data.g_member_v3.data.joinedAt - Date.now() / 1000) < 60);
});

test('joinedAt is checked against an injected clock and a known group createdAt', async () => {
  const nowSec = 1_700_000_000;
  const s = await another({ now: () => nowSec * 1000 + 500 });
  const r = await post(
    s,
    'members',
    members(member('g', 'a', { joinedAt: nowSec }), member('g', 'b', { joinedAt: nowSec + 1 })),
  );
  assert.equal(r.json.data.g_member_a.success, true);
  assert.equal(r.json.data.g_member_b.error.code, 'ERR_IMPORT_INVALID_JOINEDAT');
  // Group g is now known with createdAt 1673421419: a later member without groupDetails is checked against it.
  const m = member('g', 'c', { joinedAt: '1673421000' });
  delete m['groupDetails'];
  const later = await post(s, 'members', members(m));
  assert.equal(later.json.data.g_member_c.error.code, 'ERR_IMPORT_INVALID_JOINEDAT');
});

test('re-imports answer already-present codes and count duplicate deliveries', async () => {
  sb.reset();
  const body = members(member('dup', 'a'), member('dup', 'b'));
  const first = await post(sb, 'members', body);
  assert.equal(first.json.data.dup_member_a.success, true);
  const second = await post(sb, 'members', body);
  assert.equal(second.json.data.dup_member_a.error.code, 'ERR_ALREADY_JOINED');
  assert.equal(second.json.data.dup_member_b.error.code, 'ERR_ALREADY_JOINED');

  const users = { users: { ua: { uid: 'ua', name: 'User A' } } };
  assert.equal((await post(sb, 'users', users)).json.data.ua.success, true);
  assert.equal((await post(sb, 'users', users)).json.data.ua.error.code, 'ERR_UID_ALREADY_EXISTS');
  const groups = { groups: { ga: { guid: 'ga', name: 'Group A', type: 'private' } } };
  assert.equal((await post(sb, 'groups', groups)).json.data.ga.success, true);
  assert.equal((await post(sb, 'groups', groups)).json.data.ga.error.code, 'ERR_GUID_ALREADY_EXISTS');

  const stats = sb.stats();
  assert.equal(stats.duplicateDeliveries, 4);
  assert.deepEqual(stats.accepted, { members: 2, users: 1, groups: 1, messages: 0 });
  assert.deepEqual([...sb.accepted('members').keys()], ['dup_member_a', 'dup_member_b']);
});

test('unknown groups and users: ERR_GUID_NOT_FOUND / ERR_UID_NOT_FOUND unless switched off', async () => {
  sb.reset();
  const bare = (guid: string, uid: string): Record<string, unknown> => {
    const m = member(guid, uid);
    delete m['groupDetails'];
    delete m['userDetails'];
    return m;
  };
  const r = await post(sb, 'members', members(bare('nog', 'nou')));
  assert.equal(r.json.data.nog_member_nou.error.code, 'ERR_GUID_NOT_FOUND');
  // An earlier member's groupDetails (even earlier in the same request) creates the group.
  const withGroup = { ...bare('g5', 'x1'), groupDetails: { guid: 'g5', name: 'G5', type: 'password', createdAt: 1673421419 } };
  const r2 = await post(sb, 'members', members(withGroup, bare('g5', 'x2')));
  assert.equal(r2.json.data.g5_member_x1.error.code, 'ERR_UID_NOT_FOUND');
  // x1 failed, so its groupDetails created nothing: the group is still unknown for x2.
  assert.equal(r2.json.data.g5_member_x2.error.code, 'ERR_GUID_NOT_FOUND');
  // The users endpoint creates the users; then members without details are fine.
  await post(sb, 'users', { users: { x1: { uid: 'x1', name: 'X1' }, x2: { uid: 'x2', name: 'X2', createdAt: '1673421419' } } });
  const r3 = await post(sb, 'members', members(withGroup, bare('g5', 'x2')));
  assert.equal(r3.json.data.g5_member_x1.success, true);
  assert.equal(r3.json.data.g5_member_x2.success, true);

  const lenient = await another({ requireKnownGroupsAndUsers: false });
  const r4 = await post(lenient, 'members', members(bare('nog', 'nou')));
  assert.equal(r4.json.data.nog_member_nou.success, true);
});

test('users and groups endpoints answer like the documented examples', async () => {
  sb.reset();
  const u = await post(sb, 'users', {
    users: { uid1: { uid: 'uid1', name: 'uid1', createdAt: '1673421419', metadata: { key: 'value' }, lastActiveAt: '1673421425' } },
  });
  assert.deepEqual(u.json.data.uid1, {
    success: true,
    data: { uid: 'uid1', name: 'uid1', metadata: { key: 'value' }, status: 'offline', role: 'default', lastActiveAt: 1673421425, createdAt: 1673421419 },
  });
  const g = await post(sb, 'groups', {
    groups: {
      guid1: { guid: 'guid1', name: 'guid1', createdAt: '1673421419', type: 'public', owner: 'superhero1', groupOwnerDetails: { uid: 'superhero1', name: 'superhero1' } },
      bad: { guid: 'other', name: 'x', type: 'public' },
    },
  });
  assert.deepEqual(g.json.data.guid1, {
    success: true,
    data: { guid: 'guid1', name: 'guid1', type: 'public', conversationId: 'group_guid1', createdAt: 1673421419, owner: 'superhero1' },
  });
  assert.equal(g.json.data.bad.error.code, 'ERR_BAD_REQUEST');
  assert.deepEqual(sb.stats().accepted, { members: 0, users: 1, groups: 1, messages: 0 });
});

test('nestedReplies answers data.<id>.data.data; compact records keep the reply data', async () => {
  const nested = await another({ nestedReplies: true, storeFullRecords: false });
  const r = await post(nested, 'members', SEED_REQUEST);
  assert.deepEqual(r.json, {
    data: { guid1_member_uid2: { success: true, data: { data: SEED_RESPONSE.data.guid1_member_uid2.data } } },
  });
  const again = await post(nested, 'members', SEED_REQUEST);
  assert.equal(again.json.data.guid1_member_uid2.success, false);
  assert.equal(again.json.data.guid1_member_uid2.error.code, 'ERR_ALREADY_JOINED');
  // Compact storage still gives guid, uid, scope and joinedAt back (an id containing "_member_" too).
  const tricky = member('a_member_b', 'c', { scope: 'moderator', joinedAt: 1673421999 });
  await post(nested, 'members', members(tricky));
  const acc = nested.accepted('members');
  assert.deepEqual(acc.get('guid1_member_uid2'), SEED_RESPONSE.data.guid1_member_uid2.data);
  assert.deepEqual(acc.get('a_member_b_member_c'), { guid: 'a_member_b', uid: 'c', scope: 'moderator', joinedAt: 1673421999 });
});

test('unknown paths and methods', async () => {
  const r = await request(`${sb.baseUrl}/data_import/reactions`, { method: 'POST', body: '{}', headers: { apikey: KEY } });
  assert.equal(r.statusCode, 404);
  assert.equal(((await r.body.json()) as any).error.code, 'ERR_NOT_FOUND');
  const g = await request(`${sb.baseUrl}/data_import/members`, { method: 'GET', headers: { apikey: KEY } });
  assert.equal(g.statusCode, 405);
  await g.body.dump();
  const other = await request(`${sb.url}/elsewhere`);
  assert.equal(other.statusCode, 404);
  await other.body.dump();
});
