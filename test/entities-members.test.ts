// Tests of the members kind: every rule and reason code, canonical JSON, junk input, and the
// compiled fast path held to the zod reference path.

import { createRandom } from './helpers/random.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REASONS, type ReasonCode } from '../src/entities/reasons.js';
import { LIMITS } from '../src/entities/limits.js';
import { quoteJson } from '../src/entities/values.js';
import { asId } from '../src/entities/fields.js';
import { FieldFailure } from '../src/entities/compile.js';
import type { Failure, ValidateContext } from '../src/entities/kind.js';
import { validateRecord, validateReference } from '../src/entities/validate.js';
import { members, validateMember } from '../src/entities/members/index.js';

type Member = Record<string, any>;

/** The compiled fast path alone: undefined when it hands the record to the reference path. */
function fastValues(raw: unknown): unknown {
  const values = typeof raw === 'object' && raw !== null ? members.compiled.normalize(raw as Record<string, unknown>) : undefined;
  return values instanceof FieldFailure ? undefined : values;
}

const NOW = 1_800_000_000;
const CTX: ValidateContext = { nowSeconds: NOW };

// The example member of CometChat's "Import Group Member(s)" page, in the page's own key order.
const SEED_TEXT =
  '{"memberId":"guid1_member_uid2","uid":"uid2","guid":"guid1","joinedAt":"1673421419","scope":"admin",' +
  '"groupDetails":{"guid":"guid1","name":"guid1","type":"public","owner":"uid1","createdAt":"1673421419"},' +
  '"userDetails":{"uid":"uid2","name":"uid2"}}';

function seed(): Record<string, any> {
  return JSON.parse(SEED_TEXT) as Record<string, any>;
}

function ok(raw: unknown, ctx: ValidateContext = CTX): { member: Member; json: string } {
  const result = validateMember(raw, ctx);
  if (!result.ok) assert.fail(`expected ok, got ${result.reason}: ${result.message}`);
  return { member: result.member, json: result.json };
}

function rejected(raw: unknown, reason: ReasonCode, ctx: ValidateContext = CTX): string {
  const result = validateMember(raw, ctx);
  assert.equal(result.ok, false, `expected ${reason}, got ok: ${result.ok ? result.json : ''}`);
  const failed = result as Failure;
  assert.equal(failed.reason, reason, failed.message);
  assert.ok(failed.message.length > 0);
  return failed.message;
}

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { guid: 'g1', uid: 'u1', ...extra };
}

describe('the seed example', () => {
  it('normalizes to itself, text for text, in its own key order', () => {
    const { member, json } = ok(seed(), { key: 'guid1_member_uid2', nowSeconds: NOW });
    assert.equal(json, JSON.stringify(seed()));
    assert.equal(json, SEED_TEXT);
    assert.deepEqual(member, seed());
    assert.equal(JSON.stringify(member), json, 'the member object has the canonical key order too');
  });
});

describe('record shape', () => {
  it('rejects anything but a plain object with NOT_AN_OBJECT', () => {
    for (const junk of [null, undefined, 0, 'text', true, [], [seed()], new Date(), new Map(), () => 1, Symbol('s'), 5n]) {
      rejected(junk, 'NOT_AN_OBJECT');
    }
    assert.match(rejected([1, 2], 'NOT_AN_OBJECT'), /array of 2 items/);
    assert.match(rejected(new Map(), 'NOT_AN_OBJECT'), /Map/);
  });

  it('accepts null-prototype objects', () => {
    const raw = Object.assign(Object.create(null) as object, minimal());
    assert.equal(ok(raw).member.memberId, 'g1_member_u1');
  });

  it('drops unknown fields at every level', () => {
    const raw = seed();
    raw.extra = 1;
    raw.groupDetails.membersCount = 3;
    raw.userDetails.services = { password: 'hash' };
    raw.userDetails.email = 'a@b.c';
    const { member, json } = ok(raw);
    assert.equal(json, SEED_TEXT);
    assert.deepEqual(Object.keys(member.userDetails ?? {}), ['uid', 'name']);
  });

  it('treats null optional fields as absent', () => {
    const { json } = ok(minimal({ joinedAt: null, scope: null, isBanned: null, groupDetails: null, userDetails: null, memberId: null }));
    assert.equal(json, '{"memberId":"g1_member_u1","uid":"u1","guid":"g1","scope":"participant"}');
  });
});

describe('guid and uid', () => {
  it('are required', () => {
    assert.equal(rejected({ uid: 'u1' }, 'MISSING_GUID'), 'guid is missing');
    rejected({ guid: null, uid: 'u1' }, 'MISSING_GUID');
    assert.equal(rejected({ guid: 'g1' }, 'MISSING_UID'), 'uid is missing');
    rejected({ guid: 'g1', uid: null }, 'MISSING_UID');
    rejected({}, 'MISSING_GUID');
  });

  it('are lowercased, and integers become strings', () => {
    const { member } = ok({ guid: 'Team-A_1', uid: 42 });
    assert.equal(member.guid, 'team-a_1');
    assert.equal(member.uid, '42');
    assert.equal(member.memberId, 'team-a_1_member_42');
    assert.equal(ok({ guid: -7, uid: 0 }).member.memberId, '-7_member_0');
  });

  it('must be 1-100 characters of a-z 0-9 _ -', () => {
    assert.equal(ok({ guid: 'g'.repeat(100), uid: 'u1' }).member.guid.length, 100);
    assert.match(rejected({ guid: 'g'.repeat(101), uid: 'u1' }, 'INVALID_GUID'), /guid "g{60}…" \(101 characters\)/);
    assert.match(rejected({ guid: 'a b', uid: 'u1' }, 'INVALID_GUID'), /guid "a b" must be 1-100 characters/);
    rejected({ guid: '', uid: 'u1' }, 'INVALID_GUID');
    rejected({ guid: 'g.1', uid: 'u1' }, 'INVALID_GUID');
    rejected({ guid: 'gé', uid: 'u1' }, 'INVALID_GUID');
    rejected({ guid: 'g1', uid: 'u/1' }, 'INVALID_UID');
    rejected({ guid: 'g1', uid: 'u'.repeat(101) }, 'INVALID_UID');
    rejected({ guid: 'g1', uid: '' }, 'INVALID_UID');
  });

  it('must be strings or safe integers', () => {
    assert.match(rejected({ guid: true, uid: 'u1' }, 'INVALID_GUID'), /must be a string or an integer, got true/);
    assert.match(rejected({ guid: 1.5, uid: 'u1' }, 'INVALID_GUID'), /got 1\.5/);
    assert.match(rejected({ guid: 2 ** 60, uid: 'u1' }, 'INVALID_GUID'), /not a safe integer/);
    rejected({ guid: { $oid: 'abc' }, uid: 'u1' }, 'INVALID_GUID');
    rejected({ guid: 'g1', uid: ['u1'] }, 'INVALID_UID');
    rejected({ guid: 'g1', uid: NaN }, 'INVALID_UID');
  });

  it('reports guid problems before uid problems', () => {
    rejected({ guid: 'a b', uid: 'c d' }, 'INVALID_GUID');
    rejected({ uid: 'c d' }, 'MISSING_GUID');
  });
});

describe('memberId and the map key', () => {
  it('derives memberId when absent', () => {
    assert.equal(ok(minimal()).member.memberId, 'g1_member_u1');
  });

  it('accepts a memberId or key that matches after lowercasing', () => {
    assert.equal(ok(minimal({ memberId: 'G1_Member_U1' }), { key: 'G1_MEMBER_U1', nowSeconds: NOW }).member.memberId, 'g1_member_u1');
    assert.equal(ok({ guid: 'G1', uid: 'U1', memberId: 'G1_member_U1' }).member.memberId, 'g1_member_u1');
  });

  it('rejects a memberId that differs, naming both values', () => {
    const message = rejected(minimal({ memberId: 'g1_member_u2' }), 'INVALID_MEMBER_ID');
    assert.match(message, /"g1_member_u2"/);
    assert.match(message, /"g1_member_u1"/);
    rejected(minimal({ memberId: 12 }), 'INVALID_MEMBER_ID');
    rejected(minimal({ memberId: '' }), 'INVALID_MEMBER_ID');
  });

  it('rejects a map key that differs, naming both values', () => {
    const message = rejected(minimal(), 'INVALID_MEMBER_ID', { key: 'g2_member_u1', nowSeconds: NOW });
    assert.match(message, /map key "g2_member_u1"/);
    assert.match(message, /"g1_member_u1"/);
    rejected(seed(), 'INVALID_MEMBER_ID', { key: 'guid1_member_uid3', nowSeconds: NOW });
    rejected(minimal(), 'INVALID_MEMBER_ID', { key: '', nowSeconds: NOW });
  });
});

describe('scope', () => {
  it('defaults to participant and is always emitted', () => {
    assert.equal(ok(minimal()).member.scope, 'participant');
    assert.match(ok(minimal()).json, /"scope":"participant"/);
  });

  it('maps case and synonyms', () => {
    const table: Record<string, string> = {
      admin: 'admin', ADMIN: 'admin', Owner: 'admin', owner: 'admin', administrator: 'admin',
      moderator: 'moderator', Mod: 'moderator', participant: 'participant', Member: 'participant', user: 'participant',
    };
    for (const [input, expected] of Object.entries(table)) assert.equal(ok(minimal({ scope: input })).member.scope, expected, input);
  });

  it('rejects anything else with INVALID_SCOPE', () => {
    assert.match(rejected(minimal({ scope: 'Boss' }), 'INVALID_SCOPE'), /scope "Boss"/);
    for (const bad of ['', 'admins', ' admin', 1, true, ['admin'], {}]) rejected(minimal({ scope: bad }), 'INVALID_SCOPE');
  });
});

describe('isBanned', () => {
  it('accepts booleans, "true"/"false" and 0/1, and is emitted only when present', () => {
    const cases: [unknown, boolean][] = [[true, true], [false, false], ['true', true], ['FALSE', false], [1, true], [0, false]];
    for (const [input, expected] of cases) {
      const { member, json } = ok(minimal({ isBanned: input }));
      assert.equal(member.isBanned, expected, String(input));
      assert.match(json, new RegExp(`"scope":"participant","isBanned":${String(expected)}}$`));
    }
    assert.equal('isBanned' in ok(minimal()).member, false);
    assert.doesNotMatch(ok(minimal()).json, /isBanned/);
  });

  it('rejects other values with INVALID_IS_BANNED', () => {
    for (const bad of ['yes', 2, -1, '1', {}, [], 'tru']) rejected(minimal({ isBanned: bad }), 'INVALID_IS_BANNED');
  });
});

describe('timestamps in the record', () => {
  const forms: unknown[] = [1673421419, '1673421419', 1673421419000, '1673421419999', 1673421419.7, '2023-01-11T07:16:59Z',
    '2023-01-11T07:16:59.5', '2023-01-11T08:16:59+01:00', { $date: '2023-01-11T07:16:59.000Z' }, { $date: 1673421419000 },
    { $date: { $numberLong: '1673421419000' } }];

  it('normalizes every form to 10-digit text in all five fields', () => {
    for (const form of forms) {
      const raw = minimal({
        joinedAt: form,
        groupDetails: { name: 'G', type: 'public', createdAt: form },
        userDetails: { name: 'U', createdAt: form, lastActiveAt: form, deactivatedAt: form },
      });
      const { member, json } = ok(raw);
      assert.equal(member.joinedAt, '1673421419', JSON.stringify(form));
      assert.equal(member.groupDetails?.createdAt, '1673421419');
      assert.equal(member.userDetails?.createdAt, '1673421419');
      assert.equal(member.userDetails?.lastActiveAt, '1673421419');
      assert.equal(member.userDetails?.deactivatedAt, '1673421419');
      assert.equal(json.match(/"1673421419"/g)?.length, 5);
    }
  });

  it('rejects garbage with INVALID_TIMESTAMP naming the field and value', () => {
    assert.equal(
      rejected(minimal({ joinedAt: 'soon' }), 'INVALID_TIMESTAMP'),
      'joinedAt "soon" is not a timestamp (seconds, milliseconds, ISO-8601 or {"$date": ...})',
    );
    assert.match(rejected(minimal({ joinedAt: 123 }), 'INVALID_TIMESTAMP'), /^joinedAt 123 is outside the 10-digit seconds range/);
    assert.match(rejected(minimal({ joinedAt: '2000-01-01' }), 'INVALID_TIMESTAMP'), /^joinedAt "2000-01-01" \(946684800 s\) is outside/);
    assert.match(rejected(minimal({ groupDetails: { name: 'G', type: 'public', createdAt: true } }), 'INVALID_TIMESTAMP'), /^groupDetails\.createdAt true/);
    assert.match(rejected(minimal({ userDetails: { name: 'U', createdAt: '2023-02-30' } }), 'INVALID_TIMESTAMP'), /^userDetails\.createdAt "2023-02-30"/);
    assert.match(rejected(minimal({ userDetails: { name: 'U', lastActiveAt: [] } }), 'INVALID_TIMESTAMP'), /^userDetails\.lastActiveAt/);
    assert.match(rejected(minimal({ userDetails: { name: 'U', deactivatedAt: { $date: 'x' } } }), 'INVALID_TIMESTAMP'), /^userDetails\.deactivatedAt an object \{"\$date":"x"\}/);
    rejected(minimal({ joinedAt: 99_999_999_999 }), 'INVALID_TIMESTAMP');
    rejected(minimal({ joinedAt: 10_000_000_000_000 }), 'INVALID_TIMESTAMP');
  });

  it('rejects joinedAt after now with JOINED_IN_FUTURE', () => {
    ok(minimal({ joinedAt: NOW }));
    assert.equal(rejected(minimal({ joinedAt: NOW + 1 }), 'JOINED_IN_FUTURE'), `joinedAt ${NOW + 1} is after now (${NOW})`);
    rejected(minimal({ joinedAt: (NOW + 1) * 1000 }), 'JOINED_IN_FUTURE');
  });

  it('rejects joinedAt before groupDetails.createdAt; equal is fine', () => {
    const raw = seed();
    raw.joinedAt = 1673421000;
    assert.equal(rejected(raw, 'JOINED_BEFORE_GROUP_CREATED'), 'joinedAt 1673421000 is before groupDetails.createdAt 1673421419');
    raw.joinedAt = '2023-01-11T07:16:59Z';
    ok(raw);
    raw.joinedAt = '2023-01-11T07:16:58.999Z';
    rejected(raw, 'JOINED_BEFORE_GROUP_CREATED');
  });
});

describe('groupDetails', () => {
  const group = (extra: Record<string, unknown>) => minimal({ groupDetails: { name: 'G', type: 'public', ...extra } });

  it('fills in guid, lowercases type and owner', () => {
    const { member } = ok(group({ type: 'PRIVATE', owner: 'Boss_1' }));
    assert.deepEqual(member.groupDetails, { guid: 'g1', name: 'G', type: 'private', owner: 'boss_1' });
    assert.equal(ok(group({ guid: 'G1', type: 'Password' })).member.groupDetails?.guid, 'g1');
  });

  it('keeps every optional field in canonical order', () => {
    const raw = minimal({
      groupDetails: {
        tags: ['a', 'b'], metadata: { k: [1, 'two'] }, password: 'pw', icon: 'https://x/i.png', createdAt: 1673421419,
        owner: 'u1', type: 'password', name: 'Group', guid: 'g1',
      },
    });
    const { json } = ok(raw);
    assert.equal(json.slice(json.indexOf('"groupDetails"')),
      '"groupDetails":{"guid":"g1","name":"Group","type":"password","owner":"u1","createdAt":"1673421419",' +
      '"icon":"https://x/i.png","password":"pw","metadata":{"k":[1,"two"]},"tags":["a","b"]}}');
  });

  it('rejects structural problems with INVALID_GROUP_DETAILS', () => {
    assert.match(rejected(minimal({ groupDetails: 'g1' }), 'INVALID_GROUP_DETAILS'), /^groupDetails must be an object, got "g1"/);
    rejected(minimal({ groupDetails: ['g1'] }), 'INVALID_GROUP_DETAILS');
    rejected(minimal({ groupDetails: 7 }), 'INVALID_GROUP_DETAILS');
    assert.equal(rejected(minimal({ groupDetails: { type: 'public' } }), 'INVALID_GROUP_DETAILS'), 'groupDetails.name is missing');
    rejected(group({ name: '' }), 'INVALID_GROUP_DETAILS');
    rejected(group({ name: ' \t ' }), 'INVALID_GROUP_DETAILS');
    rejected(group({ name: 5 }), 'INVALID_GROUP_DETAILS');
    rejected(minimal({ groupDetails: { name: 'G' } }), 'INVALID_GROUP_DETAILS');
    assert.match(rejected(group({ type: 'secret' }), 'INVALID_GROUP_DETAILS'), /groupDetails\.type "secret" is not public, private or password/);
    assert.equal(rejected(group({ guid: 'g2' }), 'INVALID_GROUP_DETAILS'), 'groupDetails.guid "g2" differs from the member guid "g1"');
    rejected(group({ guid: 'a b' }), 'INVALID_GROUP_DETAILS');
    rejected(group({ owner: 'a b' }), 'INVALID_GROUP_DETAILS');
    rejected(group({ owner: true }), 'INVALID_GROUP_DETAILS');
    rejected(group({ icon: 5 }), 'INVALID_GROUP_DETAILS');
    rejected(group({ metadata: [1] }), 'INVALID_GROUP_DETAILS');
    rejected(group({ metadata: 'x' }), 'INVALID_GROUP_DETAILS');
    rejected(group({ tags: 'a,b' }), 'INVALID_GROUP_DETAILS');
    assert.match(rejected(group({ tags: ['a', 3] }), 'INVALID_GROUP_DETAILS'), /groupDetails\.tags\[1\] must be a string, got 3/);
  });

  it('never echoes a password', () => {
    const secret = 'hunter2-hunter2';
    const wrongType = rejected(group({ password: { value: secret } }), 'INVALID_GROUP_DETAILS');
    assert.equal(wrongType, 'groupDetails.password must be a string');
    const tooLong = rejected(group({ password: secret.repeat(10) }), 'LIMIT_EXCEEDED');
    assert.doesNotMatch(tooLong, /hunter2/);
  });
});

describe('userDetails', () => {
  const user = (extra: Record<string, unknown>) => minimal({ userDetails: { name: 'U', ...extra } });

  it('fills in uid and keeps every optional field in canonical order', () => {
    const raw = user({
      deactivatedAt: '1673421419', tags: ['t'], metadata: { a: 1 }, lastActiveAt: 1673421420, createdAt: 1673421418,
      role: 'default', link: 'https://x/u', avatar: 'https://x/a.png',
    });
    const { json } = ok(raw);
    assert.equal(json.slice(json.indexOf('"userDetails"')),
      '"userDetails":{"uid":"u1","name":"U","avatar":"https://x/a.png","link":"https://x/u","role":"default",' +
      '"createdAt":"1673421418","lastActiveAt":"1673421420","metadata":{"a":1},"tags":["t"],"deactivatedAt":"1673421419"}}');
    assert.equal(ok(user({ uid: 'U1' })).member.userDetails?.uid, 'u1');
  });

  it('rejects structural problems with INVALID_USER_DETAILS', () => {
    assert.match(rejected(minimal({ userDetails: true }), 'INVALID_USER_DETAILS'), /^userDetails must be an object, got true/);
    assert.equal(rejected(minimal({ userDetails: {} }), 'INVALID_USER_DETAILS'), 'userDetails.name is missing');
    rejected(user({ name: '' }), 'INVALID_USER_DETAILS');
    rejected(user({ name: ['U'] }), 'INVALID_USER_DETAILS');
    assert.equal(rejected(user({ uid: 'u2' }), 'INVALID_USER_DETAILS'), 'userDetails.uid "u2" differs from the member uid "u1"');
    rejected(user({ uid: 'u 1' }), 'INVALID_USER_DETAILS');
    rejected(user({ avatar: 1 }), 'INVALID_USER_DETAILS');
    rejected(user({ link: {} }), 'INVALID_USER_DETAILS');
    rejected(user({ role: 3 }), 'INVALID_USER_DETAILS');
    rejected(user({ metadata: new Date() }), 'INVALID_USER_DETAILS');
    rejected(user({ tags: [null] }), 'INVALID_USER_DETAILS');
  });
});

describe('limits (LIMIT_EXCEEDED)', () => {
  const at = (n: number, ch = 'x') => ch.repeat(n);

  it('names: 100 characters, counted as code points', () => {
    ok(minimal({ groupDetails: { name: at(100), type: 'public' }, userDetails: { name: at(100) } }));
    ok(minimal({ userDetails: { name: at(100, '😀') } }));
    assert.equal(rejected(minimal({ groupDetails: { name: at(101), type: 'public' } }), 'LIMIT_EXCEEDED'),
      "groupDetails.name has 101 characters, over CometChat's limit of 100");
    rejected(minimal({ userDetails: { name: at(101, '😀') } }), 'LIMIT_EXCEEDED');
  });

  it('URLs: 3000 characters', () => {
    ok(minimal({ groupDetails: { name: 'G', type: 'public', icon: at(3000) }, userDetails: { name: 'U', avatar: at(3000), link: at(3000) } }));
    rejected(minimal({ groupDetails: { name: 'G', type: 'public', icon: at(3001) } }), 'LIMIT_EXCEEDED');
    rejected(minimal({ userDetails: { name: 'U', avatar: at(3001) } }), 'LIMIT_EXCEEDED');
    assert.match(rejected(minimal({ userDetails: { name: 'U', link: at(3001) } }), 'LIMIT_EXCEEDED'), /^userDetails\.link has 3001 characters/);
  });

  it('password: 100 characters', () => {
    ok(minimal({ groupDetails: { name: 'G', type: 'password', password: at(100) } }));
    rejected(minimal({ groupDetails: { name: 'G', type: 'password', password: at(101) } }), 'LIMIT_EXCEEDED');
  });

  it('metadata: 5120 bytes of UTF-8 JSON', () => {
    // {"a":"…"} is 8 bytes plus the value; "é" is 2 bytes in UTF-8 but one UTF-16 unit.
    const fits = { a: at(5112 - 2) + 'é' };
    assert.equal(Buffer.byteLength(JSON.stringify(fits)), 5120);
    ok(minimal({ userDetails: { name: 'U', metadata: fits } }));
    const over = { a: at(5112 - 1) + 'é' };
    assert.equal(rejected(minimal({ userDetails: { name: 'U', metadata: over } }), 'LIMIT_EXCEEDED'),
      "userDetails.metadata has 5121 bytes of JSON, over CometChat's limit of 5120");
    rejected(minimal({ groupDetails: { name: 'G', type: 'public', metadata: { a: at(6000) } } }), 'LIMIT_EXCEEDED');
  });

  it('tags: 25 tags of 100 characters', () => {
    ok(minimal({ groupDetails: { name: 'G', type: 'public', tags: Array(25).fill(at(100)) } }));
    assert.match(rejected(minimal({ groupDetails: { name: 'G', type: 'public', tags: Array(26).fill('t') } }), 'LIMIT_EXCEEDED'),
      /^groupDetails\.tags has 26 tags/);
    assert.match(rejected(minimal({ userDetails: { name: 'U', tags: ['ok', at(101)] } }), 'LIMIT_EXCEEDED'), /^userDetails\.tags\[1\] has 101 characters/);
  });

  it('uses the documented numbers', () => {
    assert.deepEqual(LIMITS, { nameChars: 100, urlChars: 3000, passwordChars: 100, metadataBytes: 5120, tags: 25, tagChars: 100 });
  });
});

describe('canonical JSON', () => {
  it('orders keys canonically whatever the input order, and matches both serializers', () => {
    const raw = {
      userDetails: { tags: ['x'], name: 'U', uid: 'u1' }, isBanned: false,
      groupDetails: { createdAt: 1673421419, type: 'public', name: 'G' }, scope: 'mod', joinedAt: 1673421500, uid: 'u1', guid: 'g1',
    };
    const { member, json } = ok(raw);
    assert.equal(json, '{"memberId":"g1_member_u1","uid":"u1","guid":"g1","joinedAt":"1673421500","scope":"moderator","isBanned":false,' +
      '"groupDetails":{"guid":"g1","name":"G","type":"public","createdAt":"1673421419"},"userDetails":{"uid":"u1","name":"U","tags":["x"]}}');
    assert.equal(JSON.stringify(member), json);
  });

  it('escapes free text exactly like JSON.stringify', () => {
    const names = ['quote " here', 'back\\slash', 'new\nline', 'tab\t', '\u0000nul', 'emoji 😀', 'lone \ud800 high', 'lone \udc00 low', 'ünï', 'a\u2028\u2029'];
    for (const name of names) {
      assert.equal(quoteJson(name), JSON.stringify(name));
      const { member, json } = ok(minimal({ userDetails: { name, tags: [name], avatar: name, role: name }, groupDetails: { name, type: 'public', password: name, icon: name } }));
      assert.equal(json, JSON.stringify(member));
      assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(member)));
    }
  });
});

describe('never throws', () => {
  const ctx = { key: 'g1_member_u1', nowSeconds: NOW };

  it('on junk values and nested garbage', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const junk: unknown[] = [
      null, undefined, NaN, 'x'.repeat(5_000_000), [], [[[]]], { guid: 'x'.repeat(5_000_000), uid: 'u' },
      minimal({ groupDetails: { name: 'G', type: 'public', metadata: cyclic } }),
      minimal({ userDetails: { name: 'U', metadata: { n: 10n } } }),
      minimal({ userDetails: { name: 'U', metadata: deep } }),
      minimal({ joinedAt: deep }), minimal({ scope: deep }), minimal({ groupDetails: deep }),
      minimal({ userDetails: { name: 'U', tags: new Array(1_000_000) } }),
      minimal({ joinedAt: { $date: { $numberLong: '9'.repeat(400) } } }),
      { guid: Symbol('g'), uid: () => 1 }, { guid: 'g1', uid: 'u1', scope: Symbol('s') },
      new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); } }),
      new Proxy(minimal(), { get: () => { throw new Error('getter'); } }),
      Object.defineProperty(minimal(), 'joinedAt', { get: () => { throw new Error('boom'); }, enumerable: true }),
    ];
    for (const raw of junk) {
      const result = validateMember(raw, ctx);
      assert.equal(typeof result.ok, 'boolean');
      if (!result.ok) assert.ok(Object.hasOwn(REASONS, result.reason) && result.message.length < 1000, result.message);
    }
    const cyclicResult = validateMember(junk[7], ctx);
    assert.equal(cyclicResult.ok ? 'ok' : cyclicResult.message, 'groupDetails.metadata cannot be serialized as JSON');
  });

  it('on thousands of randomly mutated records, with the same verdict on the fast and the reference path', () => {
    const rnd = createRandom(20240611);
    const pool: unknown[] = [
      undefined, null, '', ' ', 'x', 'X Y', 'Ab-1', 'x'.repeat(101), 'y'.repeat(3001), '😀'.repeat(60), 0, 1, -1, 1.5, 2 ** 60, NaN,
      true, false, 'true', 'OWNER', 'mod', 'admin', 'public', 'Private', 'PASSWORD', 'g1', 'u1', 'G1', 'u2', 1673421419, '1673421419',
      1673421000, 1673421419000, '2023-01-11T07:16:59Z', '2023-01-11', { $date: 1673421419000 }, { $date: 'nope' }, NOW + 5, (NOW + 60) * 1000, '2030-01-01', 999_999_999,
      [], ['a'], [1], Array(26).fill('t'), ['z'.repeat(101)], {}, { k: 'v' }, { k: 'é'.repeat(3000) }, new Date(0), 'quote"back\\',
    ];
    const paths = [
      ['guid'], ['uid'], ['memberId'], ['scope'], ['isBanned'], ['joinedAt'], ['groupDetails'], ['userDetails'],
      ['groupDetails', 'guid'], ['groupDetails', 'name'], ['groupDetails', 'type'], ['groupDetails', 'owner'],
      ['groupDetails', 'createdAt'], ['groupDetails', 'icon'], ['groupDetails', 'password'], ['groupDetails', 'metadata'],
      ['groupDetails', 'tags'], ['userDetails', 'uid'], ['userDetails', 'name'], ['userDetails', 'avatar'], ['userDetails', 'link'],
      ['userDetails', 'role'], ['userDetails', 'createdAt'], ['userDetails', 'lastActiveAt'], ['userDetails', 'metadata'],
      ['userDetails', 'tags'], ['userDetails', 'deactivatedAt'],
    ];
    const seen = new Set<string>();
    let declinedValid = 0;
    for (let i = 0; i < 6000; i++) {
      const raw = seed();
      const mutations = 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < mutations; m++) {
        const path = paths[Math.floor(rnd() * paths.length)] as string[];
        const value = pool[Math.floor(rnd() * pool.length)];
        const parent = path.length === 1 ? raw : raw[path[0] as string];
        if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) (parent as Record<string, unknown>)[path[path.length - 1] as string] = value;
      }
      const key = rnd() < 0.5 ? 'guid1_member_uid2' : undefined;
      const ctx = { key, nowSeconds: NOW };
      const result = validateRecord(members, raw, ctx);
      seen.add(result.ok === true ? 'ok' : result.ok === false ? result.reason : 'skip');
      assert.deepEqual(strip(result), strip(validateReference(members, raw, ctx)), `fast and reference paths disagree on ${describeRaw(raw)}`);
      if (result.ok === true && fastValues(raw) === undefined) declinedValid++;
      if (result.ok === true) {
        // Canonical JSON is a fixed point: read back, it validates to itself.
        const again = validateRecord(members, JSON.parse(result.json), { nowSeconds: NOW });
        assert.equal(again.ok === true ? again.json : 'rejected', result.json);
        assert.ok(result.json.length < 20_000);
      }
    }
    // The corpus must exercise (nearly) every outcome, or the comparison above proves little.
    for (const reason of ['ok', 'MISSING_GUID', 'INVALID_GUID', 'MISSING_UID', 'INVALID_UID', 'INVALID_MEMBER_ID', 'INVALID_SCOPE',
      'INVALID_IS_BANNED', 'INVALID_TIMESTAMP', 'JOINED_BEFORE_GROUP_CREATED', 'JOINED_IN_FUTURE', 'INVALID_GROUP_DETAILS',
      'INVALID_USER_DETAILS', 'LIMIT_EXCEEDED']) {
      assert.ok(seen.has(reason), `the random corpus never produced ${reason}`);
    }
    // The fast path is the one that runs: every record it could accept, it must accept itself.
    assert.equal(declinedValid, 0, `the fast path handed ${declinedValid} valid records to the reference path`);
  });
});

/** A result without its values object (the two paths build it in their own key order). */
function strip(result: ReturnType<typeof validateRecord>): unknown {
  return result.ok === true ? { ok: true, key: result.key, json: result.json } : result;
}

function describeRaw(raw: unknown): string {
  try {
    return JSON.stringify(raw).slice(0, 300);
  } catch {
    return String(raw);
  }
}


describe('the compiled fast path against the reference path', () => {
  // Export-like records in the many forms real exports use, each one a mutation away from valid.
  function exportLike(i: number, rnd: () => number): { raw: Record<string, unknown>; key: string | undefined } {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
    const g = Math.floor(rnd() * 12); // few groups, so the group cache is hit and missed
    const guid = pick([`grp_${g}`, `GRP_${g}`, `grp_${g}`, g]);
    const uid = pick([`user_${i}`, `User_${i}`, i, `user_${i}`]);
    const created = 1_600_000_000 + g * 1000;
    const joined = created + Math.floor(rnd() * 100_000_000);
    const iso = new Date(joined * 1000).toISOString();
    const raw: Record<string, unknown> = {
      memberId: pick([undefined, null, `${String(guid)}_member_${String(uid)}`, `${String(guid).toLowerCase()}_member_${String(uid).toLowerCase()}`, 'wrong_member_x']),
      guid,
      uid,
      joinedAt: pick([joined, String(joined), joined * 1000 + 7, iso, iso.slice(0, 19) + 'Z', iso.slice(0, 19), iso.slice(0, 10),
        { $date: iso }, { $date: joined * 1000 }, { $date: { $numberLong: String(joined * 1000) } }, null, undefined, NOW + 10, created - 1]),
      scope: pick([undefined, 'participant', 'admin', 'moderator', 'Owner', 'member', 'MOD', 'user', 'boss', null]),
      isBanned: pick([undefined, undefined, true, false, 'true', 'False', 0, 1, 'maybe']),
      groupDetails: pick([
        { guid, name: `Team ${g}`, type: pick(['public', 'private', 'password', 'PUBLIC']), owner: pick(['owner_1', 'Owner_1', undefined]), createdAt: pick([created, String(created), undefined]) },
        { name: `Team ${g}`, type: 'public', createdAt: created, password: pick(['pw', 'x'.repeat(101)]) },
        { guid, name: `Tëam "${g}"\n`, type: 'private', icon: 'https://x/i.png', tags: pick([['a', 'b'], [], ['t'.repeat(101)], 'a,b']) },
        { guid, name: `Team ${g}`, type: 'public', metadata: pick([{ k: 1 }, { big: 'x'.repeat(6000) }, [1], 'm']) },
        { guid: pick(['other', 'bad guid']), name: ' ', type: 'public' },
        undefined, null, 'grp', [],
      ]),
      userDetails: pick([
        { uid, name: `Ada ${i}`, avatar: pick([undefined, `https://cdn/${i}.png`, 'a'.repeat(3001)]) },
        { name: `😀 ${i}`, link: 'https://x/u', role: pick(['default', 5]), createdAt: joined, lastActiveAt: iso, deactivatedAt: pick([undefined, 'soon']) },
        { uid: pick(['someone_else', 'bad uid', uid]), name: pick(['', 'x'.repeat(101), 'Ok', 7]), metadata: { a: [1, 2] }, tags: ['x'] },
        undefined, true,
      ]),
    };
    if (rnd() < 0.05) raw.extra = { password: 'never copied' };
    const key = rnd() < 0.3 ? pick([`${String(guid)}_member_${String(uid)}`, 'not_the_key']) : undefined;
    return { raw, key };
  }

  it('gives the reference path\'s result on export-like records, and accepts every valid one itself', () => {
    const rnd = createRandom(99);
    let declined = 0;
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const { raw, key } = exportLike(i, rnd);
      const ctx = { key, nowSeconds: NOW };
      const hot = validateRecord(members, raw, ctx);
      assert.deepEqual(strip(hot), strip(validateReference(members, raw, ctx)), `paths disagree on ${describeRaw(raw)} (key ${key})`);
      if (hot.ok === true && fastValues(raw) === undefined) declined++;
      const outcome = hot.ok === true ? 'ok' : hot.ok === false ? hot.reason : 'skip';
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    assert.equal(declined, 0, `the fast path handed ${declined} valid records to the reference path`);
    assert.ok((outcomes.get('ok') ?? 0) > 300 && outcomes.size >= 10, JSON.stringify([...outcomes]));
  });

  it('accepts what lowercases into a-z (as CometChat does), on both paths', () => {
    const kelvin = { guid: 'pac\u212A', uid: 'u1' }; // U+212A KELVIN SIGN lowercases to "k"
    assert.equal(ok(kelvin).member.guid, 'pack');
    assert.deepEqual(strip(validateReference(members, kelvin, CTX)), strip(validateRecord(members, kelvin, CTX)));
    assert.equal(fastValues({ guid: 'gé', uid: 'u1' }), undefined);
    rejected({ guid: 'gé', uid: 'u1' }, 'INVALID_GUID');
  });

  it('hands details that are objects but not plain ones to the reference path', () => {
    class Details { name = 'G'; type = 'public'; }
    const raw = minimal({ groupDetails: new Details() });
    assert.equal(fastValues(raw), undefined);
    assert.deepEqual(strip(validateRecord(members, raw, CTX)), strip(validateReference(members, raw, CTX)));
    const nullProto = Object.assign(Object.create(null) as object, { name: 'G', type: 'public' });
    assert.notEqual(fastValues(minimal({ groupDetails: nullProto })), undefined);
    assert.equal(ok(minimal({ groupDetails: nullProto })).member.groupDetails?.guid, 'g1');
  });

  it('compares joinedAt with any "now" as the numbers would', () => {
    const nows = [NaN, -1, 0, 999_999_999.5, 1e9, 1673421419, 1673421419.5, 1673421418.9, 9_999_999_999, 1e10, Infinity, -Infinity];
    for (const nowSeconds of nows) {
      for (const joinedAt of ['1000000000', '1673421418', '1673421419', '1673421420', '9999999999']) {
        const raw = minimal({ joinedAt });
        const result = validateMember(raw, { nowSeconds });
        assert.deepEqual(strip(validateRecord(members, raw, { nowSeconds })), strip(validateReference(members, raw, { nowSeconds })), `${joinedAt} vs now ${nowSeconds}`);
        assert.equal(result.ok, !(Number(joinedAt) > nowSeconds), `${joinedAt} vs now ${nowSeconds}`);
      }
    }
  });
});

describe('repeated groupDetails', () => {
  const group = (extra: Record<string, unknown> = {}) => ({ name: 'Team', type: 'public', owner: 'Boss', createdAt: 1673421000, ...extra });

  it('gives each record its own groupDetails object, unaffected by changes to earlier ones', () => {
    const first = ok(minimal({ groupDetails: group() }));
    first.member.groupDetails!.name = 'changed by the caller';
    first.member.groupDetails!.owner = 'someone';
    const second = ok(minimal({ groupDetails: group() }));
    assert.notEqual(second.member.groupDetails, first.member.groupDetails);
    assert.deepEqual(second.member.groupDetails, { guid: 'g1', name: 'Team', type: 'public', owner: 'boss', createdAt: '1673421000' });
    assert.equal(second.json, JSON.stringify(second.member));
  });

  it('never lets one field of a repeated group stand in for another', () => {
    ok(minimal({ groupDetails: group() }));
    assert.equal(ok(minimal({ groupDetails: group({ createdAt: '1673421000' }) })).member.groupDetails?.createdAt, '1673421000');
    assert.equal(ok(minimal({ groupDetails: group({ name: 'Other' }) })).member.groupDetails?.name, 'Other');
    assert.equal(ok(minimal({ groupDetails: group({ password: 'pw' }) })).member.groupDetails?.password, 'pw');
    rejected(minimal({ groupDetails: group({ type: 'secret' }) }), 'INVALID_GROUP_DETAILS');
    rejected(minimal({ groupDetails: group({ owner: 'b o s s' }) }), 'INVALID_GROUP_DETAILS');
    rejected(minimal({ joinedAt: 1673420999, groupDetails: group() }), 'JOINED_BEFORE_GROUP_CREATED');
    // Without its own guid, a group takes the member's: the same raw group under two members.
    assert.equal(ok({ guid: 'g7', uid: 'u1', groupDetails: group() }).member.groupDetails?.guid, 'g7');
    assert.equal(ok({ guid: 'g8', uid: 'u1', groupDetails: group() }).member.groupDetails?.guid, 'g8');
    // A different guid is reported each time, not only when first seen.
    for (let i = 0; i < 3; i++) rejected(minimal({ groupDetails: group({ guid: 'g2' }) }), 'INVALID_GROUP_DETAILS');
  });

  it('stays correct with more groups than it keeps', () => {
    for (let round = 0; round < 3; round++) {
      for (let g = 0; g < 20; g++) {
        const { member, json } = ok({ guid: `g${g}`, uid: 'u1', groupDetails: { name: `Team ${g}`, type: 'private', createdAt: String(1673421000 + g) } });
        assert.deepEqual(member.groupDetails, { guid: `g${g}`, name: `Team ${g}`, type: 'private', createdAt: String(1673421000 + g) });
        assert.equal(json, JSON.stringify(member));
      }
    }
  });
});

describe('id and key helpers', () => {
  it('asId: lowercased ids, safe integers as text, anything else undefined', () => {
    assert.equal(asId('Team-A_1'), 'team-a_1');
    assert.equal(asId('abc'), 'abc');
    assert.equal(asId(-7), '-7');
    for (const bad of ['', 'a b', 'x'.repeat(101), 'gé', 1.5, 2 ** 60, NaN, null, undefined, true, {}]) {
      assert.equal(asId(bad), undefined, String(bad));
    }
    assert.equal(asId('x'.repeat(100)), 'x'.repeat(100));
  });

  it('a memberId must spell exactly <guid>_member_<uid>, even when the ids contain "_member_"', () => {
    assert.equal(ok({ guid: 'a_member_b', uid: 'c', memberId: 'a_member_b_member_c' }).member.memberId, 'a_member_b_member_c');
    assert.equal(ok({ guid: 'a', uid: 'b_member_c', memberId: 'a_member_b_member_c' }).member.memberId, 'a_member_b_member_c');
    for (const memberId of ['g1_member_u2', 'g2_member_u1', 'g1xmember_u1', 'g1_member_u1x', 'xg1_member_u1', 'g1_member_', 'g1_Memberx_u1']) {
      rejected({ guid: 'g1', uid: 'u1', memberId }, 'INVALID_MEMBER_ID');
    }
  });

  it('scope words that name object properties are not synonyms', () => {
    for (const scope of ['boss', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) rejected(minimal({ scope }), 'INVALID_SCOPE');
  });
});
