// The kind of a run: named by a CometChat body's wrapper key (read at any chunk size), by --kind
// for arrays, NDJSON and bare maps (members otherwise); contradictions and misplaced messages
// options are usage errors; records of another kind, or a Rocket.Chat export, say which flag fits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { NOW, readNdjson, tempDir, validate, validateText } from './helpers/run.js';
import type { Report } from '../src/accounting/report.js';
import { resolveConfig, type RunOptions } from '../src/config.js';
import type { ChatmigrateError } from '../src/errors.js';

const user = (uid: string) => ({ uid, name: `User ${uid}` });
const message = (muid: string) => ({ muid, sender: 'ann', receiverType: 'user', receiver: 'bob', sentAt: NOW - 60, data: { text: 'hi' } });

test('the wrapper key names the kind, whatever the chunking; --from cometchat looks past other keys', async () => {
  const bodies: Array<[string, string]> = [
    ['users', JSON.stringify({ users: { ada: user('ada'), bob: user('bob') } })],
    ['groups', JSON.stringify({ groups: { team: { guid: 'team', name: 'Team', type: 'public' } } })],
    ['messages', JSON.stringify({ messages: { 'M-1': message('M-1') } })],
    ['members', JSON.stringify({ members: { g_member_u: { guid: 'g', uid: 'u' } } })],
  ];
  for (const [kind, text] of bodies) {
    for (const size of [1, 3, 7, 1 << 16]) {
      const r = await validateText(`\ufeff ${text}`, size);
      assert.deepEqual([r.kind, r.input.format, r.invalid, r.valid > 0], [kind, 'cometchat', 0, true], `${kind} in chunks of ${size}`);
    }
  }
  // The narrative example sends other keys before its wrapper: --from cometchat reads past them.
  const withMeta = JSON.stringify({ guid: 'x', meta: { a: [1, { b: '}' }] }, messages: { 'M-2': message('M-2') } });
  const r = await validateText(withMeta, 5, { from: 'cometchat' });
  assert.deepEqual([r.kind, r.valid], ['messages', 1]);
});

test('arrays, NDJSON and bare maps are members unless --kind says; a bare map of another kind with --kind', async () => {
  const ndjson = [user('ada'), user('bob')].map((u) => JSON.stringify(u)).join('\n');
  const asMembers = await validateText(ndjson, 64);
  assert.deepEqual([asMembers.kind, asMembers.invalid], ['members', 2]);
  const asUsers = await validateText(ndjson, 64, { kind: 'users' });
  assert.deepEqual([asUsers.kind, asUsers.valid], ['users', 2]);
  // A message's first key may hold an object: still NDJSON, not a map keyed by "data".
  const { data, ...rest } = message('m1');
  const messages = [JSON.stringify({ data, ...rest }), JSON.stringify(message('m2'))].join('\n');
  const m = await validateText(messages, 16, { kind: 'messages' });
  assert.deepEqual([m.input.format, m.valid], ['ndjson', 2]);
  const bare = JSON.stringify({ ada: user('ada'), bob: user('bob') });
  for (const from of ['auto', 'cometchat', 'map'] as const) {
    const r = await validateText(bare, 4, { kind: 'users', from });
    assert.deepEqual([r.kind, r.input.format, r.valid], ['users', 'map', 2], from);
  }
});

test('--kind against the wrapper, misplaced messages options and sharded messages are usage errors (exit 2) naming both', async () => {
  const dir = tempDir();
  const body = join(dir, 'messages.json');
  writeFileSync(body, JSON.stringify({ messages: { m1: message('m1') } }));
  const members = join(dir, 'members.ndjson');
  writeFileSync(members, JSON.stringify({ guid: 'g', uid: 'u' }) + '\n');
  // Through the real CLI: the exit code and the message on stderr.
  const cli: Array<[string[], RegExp]> = [
    [['validate', body, '--kind', 'users'], /--kind users contradicts the input: its CometChat body wraps messages \(\{"messages": \{\.\.\.\}\}\)/],
    [['validate', members, '--retention-days', '30'], /--retention-days is for messages, and this run reads members \(the input is members/],
    [['validate', body, '--ids', join(dir, 'ids.ndjson')], /unknown option --ids for validate/],
  ];
  // Side by side: each is a process start-up and a refusal.
  const results = await Promise.all(cli.map(([args]) => runCli([...args, '--now', String(NOW)])));
  cli.forEach(([args, message], i) => {
    const r = results[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.match(r.stderr, /CM_USAGE/);
  });
  // The rest through the library: the same checks, refused before anything is read.
  const library: Array<[RunOptions, RegExp]> = [
    [{ input: members, kind: 'groups', retentionDays: 30 }, /^--retention-days is for messages, and this run reads groups$/],
    [{ input: members, kind: 'messages', shard: '1/2' }, /messages cannot be sharded/],
    [{ input: members, from: 'rocketchat', rooms: members, users: members, kind: 'users' }, /^--from rocketchat reads rocketchat_subscription exports, which are members; got --kind users$/],
    [{ input: members, kind: 'reactions' }, /^--kind expects one of users, groups, members, messages, got "reactions"$/],
    [{ input: members, retentionDays: '-1' }, /^--retention-days expects an integer from 0 to 100000, got "-1"$/],
    [{ input: members, kind: 'messages', ids: join(dir, 'ids.ndjson') }, /^--ids is written by an import/],
  ];
  for (const [options, message] of library) {
    assert.throws(() => resolveConfig('validate', options), (e: ChatmigrateError) => e.code === 'CM_USAGE' && e.exitCode === 2 && message.test(e.message), JSON.stringify(options));
  }
  // One body, two kinds: one run reads one kind.
  const both = join(dir, 'both.json');
  writeFileSync(both, JSON.stringify({ users: { ada: user('ada') }, groups: { t: { guid: 't', name: 'T', type: 'public' } } }));
  const r = await runCli(['validate', both]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /holds "groups" besides "users": one run reads one kind/);
});

test('records of another kind say which --kind fits; most of a run failing that way (or a Rocket.Chat export) says it once', async () => {
  const dir = tempDir();
  const input = join(dir, 'messages.ndjson');
  writeFileSync(input, [message('m1'), message('m2'), { guid: 'g', uid: 'u' }].map((m) => JSON.stringify(m)).join('\n'));
  const rejects = join(dir, 'rejects.ndjson');
  const r = await runCli(['validate', input, '--rejects', rejects, '--now', String(NOW), '--json', '--log-level', 'silent']);
  assert.equal(r.code, 3, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.suggestion, 'most records look like messages (they have muid, sender, receiver): run with --kind messages');
  assert.match(r.stderr, /\n {2}hint: most records look like messages \(they have muid, sender, receiver\): run with --kind messages\n/);
  const lines = readNdjson(rejects);
  assert.match(String(lines[0]!['message']), /^guid is missing \(the record looks like a message: it has muid, sender, receiver; try --kind messages\)$/);

  // Mostly valid: no run-level hint, however the few invalid ones look.
  const mostlyFine = await validateText([...Array(5).fill(JSON.stringify({ guid: 'g', uid: 'u' })), JSON.stringify(message('m'))].join('\n'), 64);
  assert.equal(mostlyFine.suggestion, undefined);

  // A Rocket.Chat subscriptions export read as members.
  const rc = join(dir, 'subscriptions.json');
  writeFileSync(rc, [1, 2, 3].map((i) => JSON.stringify({ _id: `s${i}`, rid: 'GENERAL', u: { _id: `u${i}`, username: `user${i}` }, ts: { $date: '2024-01-01T00:00:00Z' } })).join('\n'));
  const rcRun = await validate({ input: rc });
  assert.equal(rcRun.suggestion, 'most records look like a Rocket.Chat export (_id with rid, u, username or t): read a rocketchat_subscription export with --from rocketchat --rooms FILE --users FILE, or a whole workspace (users, rooms, subscriptions, messages) with chatmigrate migrate --from rocketchat');
});
