// The Rocket.Chat source through the real pipeline: line and --jsonArray forms agree, any
// --workers gives the same result, stdin in tiny chunks and gzip work, the rejects file holds the
// original subscriptions with their positions (and can be fed back), the import delivers exactly
// the expected members to the sandbox, and no user's services secret leaks anywhere.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { RunOptions } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import type { Report } from '../src/accounting/report.js';
import { createRandom } from './helpers/random.js';
import { countsOf, readNdjson, tempDir, validate, validateText } from './helpers/run.js';
import { acceptedIds, assertCountsAddUp, importInto, withSandbox } from './helpers/sandbox.js';

const DIR = 'fixtures/rocketchat';
const LINES = `${DIR}/subscriptions.ndjson`;
const ARRAY = `${DIR}/subscriptions.array.json`;
const TABLES: RunOptions = { from: 'rocketchat', rooms: `${DIR}/rooms.json`, users: `${DIR}/users.ndjson` };
const SECRET = 'SERVICES-SECRET';

/** The members the fixture must deliver (see source-rocketchat-mapping.test.ts for each case). */
const EXPECTED_IDS = [
  '64b7f0c2a1b2c3d4e5f60718_member_64b7f0c2a1b2c3d4e5f60799',
  'discroom01_member_daveid004',
  'general_member_aliceid01',
  'general_member_bobid0002',
  'general_member_carolid03',
  'general_member_helperbot1',
  'oldroom01_member_aliceid01',
  'privroom01_member_aliceid01',
  'privroom01_member_daveid004',
  'pwdroom01_member_bobid0002',
  'teamroom01_member_erinid005',
  'townhall01_member_aliceid01',
  'townhall01_member_frankid06',
];

const EXPECTED_COUNTS = { read: 21, invalid: 3, skipped: 4, duplicates: 1, valid: 13, conflicts: 0 };
const EXPECTED_SKIPPED_BY = { 'direct-room': 2, 'livechat-room': 1, 'voip-room': 1 };
const EXPECTED_REASONS = { INVALID_UID: 1, ROOM_NOT_FOUND: 1, USER_NOT_FOUND: 1 };

function summary(r: Report) {
  return { ...countsOf(r), skippedBy: r.skippedBy, format: r.input.format };
}

test('line and --jsonArray forms: the same counts, reasons, skip rules and rejected documents', async () => {
  const dir = tempDir();
  const results = [];
  for (const [name, input] of [['lines', LINES], ['array', ARRAY]] as const) {
    const rejects = join(dir, `${name}.rejects.ndjson`);
    const r = await validate({ ...TABLES, input, rejects });
    assert.deepEqual(
      { read: r.read, invalid: r.invalid, skipped: r.skipped, duplicates: r.duplicates, valid: r.valid, conflicts: r.conflicts },
      EXPECTED_COUNTS,
      name,
    );
    assert.deepEqual(r.skippedBy, EXPECTED_SKIPPED_BY, name);
    assert.deepEqual(r.reasons, EXPECTED_REASONS, name);
    assert.equal(r.exitCode, 3);
    assert.equal(r.input.format, 'rocketchat');
    results.push({ summary: summary(r), rejects: readNdjson(rejects) });
  }
  const [lines, array] = results;
  assert.deepEqual(lines!.summary, array!.summary);
  const strip = (l: Record<string, unknown>) => ({ reason: l['reason'], message: l['message'], record: l['record'], index: (l['position'] as { index: number }).index });
  assert.deepEqual(lines!.rejects.map(strip), array!.rejects.map(strip));
});

test('the rejects file holds each original subscription, its reason and where it is in the input', async () => {
  const rejects = join(tempDir(), 'rejects.ndjson');
  await validate({ ...TABLES, input: LINES, rejects });
  const text = readFileSync(LINES);
  const lines = readNdjson(rejects);
  assert.deepEqual(lines.map((l) => l['reason']), ['INVALID_UID', 'ROOM_NOT_FOUND', 'USER_NOT_FOUND']);
  for (const l of lines) {
    const pos = l['position'] as { index: number; offset: number; line: number };
    const original = text.toString('utf8').split('\n')[pos.index]!;
    assert.equal(pos.line, pos.index + 1);
    assert.equal(text.subarray(pos.offset, pos.offset + Buffer.byteLength(original)).toString(), original, 'offset points at the document');
    assert.deepEqual(l['record'], JSON.parse(original), 'the original subscription, not a mapped member');
  }
  assert.deepEqual(lines.map((l) => (l['record'] as { _id: string })._id), ['sub-13', 'sub-15', 'sub-16']);

  // Fed back as input (after "fixing" nothing), the same three outcomes come out again.
  const again = await validate({ ...TABLES, input: rejects });
  assert.deepEqual([again.read, again.invalid, again.reasons], [3, 3, EXPECTED_REASONS]);
});

test('--workers 0, 1 and 2 give identical reports and rejects files (6,000 generated subscriptions, many blocks)', async () => {
  const dir = tempDir();
  const random = createRandom(5);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const types = ['c', 'c', 'p', 'd', 'l'];
  const rooms = Array.from({ length: 60 }, (_, i) => ({ _id: `Room${i}`, t: pick(types), name: `room-${i}`, ts: { $date: { $numberLong: String(1673000000000 + i * 1000) } } }));
  const users = Array.from({ length: 300 }, (_, i) => ({ _id: `User${i}`, username: `user.${i}`, active: i % 17 !== 0, services: { password: { bcrypt: SECRET } } }));
  const subs = Array.from({ length: 6000 }, (_, i) => ({
    _id: `s${i}`,
    rid: random() < 0.01 ? 'MissingRoom' : pick(rooms)._id,
    u: { _id: random() < 0.01 ? 'MissingUser' : pick(users)._id },
    roles: random() < 0.1 ? ['owner'] : random() < 0.1 ? ['moderator'] : undefined,
    ts: { $date: 1674000000000 + i },
  }));
  const options = {
    from: 'rocketchat',
    rooms: join(dir, 'rooms.json'),
    users: join(dir, 'users.ndjson'),
    input: join(dir, 'subs.ndjson'),
  };
  writeFileSync(options.rooms, JSON.stringify(rooms));
  writeFileSync(options.users, users.map((u) => JSON.stringify(u)).join('\n'));
  writeFileSync(options.input, subs.map((u) => JSON.stringify(u)).join('\n'));
  const seen = new Set<string>();
  let report: Report | undefined;
  for (const workers of [0, 1, 2]) {
    const rejects = join(dir, `rejects-${workers}.ndjson`);
    report = await validate({ ...options, rejects, workers });
    seen.add(JSON.stringify(summary(report)) + readFileSync(rejects, 'utf8'));
  }
  assert.equal(seen.size, 1);
  assert.equal(report!.read, 6000);
  assert.equal(report!.read, report!.invalid + report!.skipped + report!.duplicates + report!.valid);
  assert.ok(report!.skipped > 1000 && report!.valid > 2000 && report!.duplicates > 0, JSON.stringify(summary(report!)));
  assert.ok((report!.reasons['ROOM_NOT_FOUND'] ?? 0) > 0 && (report!.reasons['USER_NOT_FOUND'] ?? 0) > 0);
});

test('stdin in 1- and 7-byte chunks, and gzip-compressed rooms and users, give the same result', async () => {
  const reference = summary(await validate({ ...TABLES, input: LINES }));
  for (const input of [LINES, ARRAY]) {
    for (const size of [1, 7]) {
      const r = await validateText(readFileSync(input), size, TABLES);
      assert.deepEqual(summary(r), reference, `${input} in ${size}-byte chunks`);
    }
  }
  // A BOM and blank lines before the array: the form is chosen by the first byte that is not blank.
  const padded = Buffer.concat([Buffer.from('\ufeff \r\n\n'), readFileSync(ARRAY)]);
  assert.deepEqual(summary(await validateText(padded, 1, TABLES)), reference);
  const empty = await validateText('', 1, TABLES);
  assert.deepEqual([empty.read, empty.exitCode, empty.error?.code], [0, 1, 'CM_INPUT_EMPTY']);
  const allowed = await validateText('', 1, { ...TABLES, allowEmpty: true });
  assert.deepEqual([allowed.read, allowed.exitCode], [0, 0]);

  const dir = tempDir();
  const rooms = join(dir, 'rooms.json.gz');
  const users = join(dir, 'users.ndjson.gz');
  writeFileSync(rooms, gzipSync(readFileSync(TABLES.rooms!)));
  writeFileSync(users, gzipSync(readFileSync(TABLES.users!)));
  const subs = join(dir, 'subs.json.gz');
  writeFileSync(subs, gzipSync(readFileSync(ARRAY)));
  assert.deepEqual(summary(await validate({ ...TABLES, rooms, users, input: subs })), reference);
});

test('--shard K/N: every subscription is counted in exactly one shard, skip rules included', async () => {
  const shards = await Promise.all([1, 2, 3].map((k) => validate({ ...TABLES, input: LINES, shard: `${k}/3` })));
  const sum = (f: (r: Report) => number) => shards.reduce((n, r) => n + f(r), 0);
  assert.equal(sum((r) => r.read), 63, 'each shard reads everything');
  assert.equal(sum((r) => r.valid + r.duplicates), EXPECTED_COUNTS.valid + EXPECTED_COUNTS.duplicates);
  assert.equal(sum((r) => r.invalid), EXPECTED_COUNTS.invalid);
  for (const [rule, n] of Object.entries(EXPECTED_SKIPPED_BY)) assert.equal(sum((r) => r.skippedBy?.[rule] ?? 0), n, rule);
});

test('bad rooms or users files stop the run with the file named; nothing secret in the message', async () => {
  const dir = tempDir();
  const missing = await validate({ ...TABLES, rooms: join(dir, 'nope.json'), input: LINES });
  assert.equal(missing.error?.code, 'CM_INPUT_UNREADABLE');
  assert.match(missing.error!.message, /^--rooms: cannot open input .*nope\.json: ENOENT/);
  assert.equal(missing.exitCode, 1);
  assert.equal(missing.read, 0);

  const users = join(dir, 'users.ndjson');
  writeFileSync(users, readFileSync(TABLES.users!, 'utf8') + `{"_id":"x","services":{"password":{"bcrypt":"${SECRET}-broken"}},,}\n`);
  const broken = await validate({ ...TABLES, users, input: LINES });
  assert.equal(broken.error?.code, 'CM_INPUT_MALFORMED');
  assert.match(broken.error!.message, /^--users .*users\.ndjson: malformed input at byte \d+, line 10: not valid JSON$/);
  assert.ok(!broken.error!.message.includes(SECRET));
});

test('import into the sandbox delivers exactly the expected members; no services secret anywhere', async () => {
  await withSandbox({}, async (sandbox) => {
    const dir = tempDir();
    const rejects = join(dir, 'rejects.ndjson');
    let logs = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const r = await importInto(sandbox, { ...TABLES, input: LINES, rejects, batchSize: 5 }, { logger: createLogger('trace', sink) });
    assertCountsAddUp(r);
    assert.deepEqual([r.valid, r.imported, r.rejected, r.unsent], [13, 13, 0, 0]);
    assert.deepEqual(r.skippedBy, EXPECTED_SKIPPED_BY);
    assert.equal(r.exitCode, 3, 'some subscriptions were invalid');
    assert.deepEqual(acceptedIds(sandbox), EXPECTED_IDS);
    const pwd = sandbox.accepted('members').get('pwdroom01_member_bobid0002') as { groupDetails: Record<string, unknown> };
    assert.deepEqual([pwd.groupDetails['type'], pwd.groupDetails['password']], ['password', 'open-sesame']);

    assert.ok(logs.includes('Rocket.Chat rooms and users loaded'), 'the load was logged');
    const everything = [JSON.stringify(r), readFileSync(rejects, 'utf8'), JSON.stringify([...sandbox.accepted('members')]), logs].join('\n');
    assert.ok(!everything.includes(SECRET), 'a services secret leaked');
    assert.ok(!everything.includes('bcrypt') && !everything.includes('loginTokens'));
  });
});
