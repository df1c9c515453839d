// The real binary with the Rocket.Chat source: help documents --rooms/--users, stdin works for
// validate and import (into a sandbox over 127.0.0.1), and misused flags are exit 2 naming the flag.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli } from './helpers/cli.js';
import { NOW } from './helpers/run.js';
import { acceptedIds, SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';

const DIR = 'fixtures/rocketchat';
const SUBS = `${DIR}/subscriptions.ndjson`;
const tables = ['--from', 'rocketchat', '--rooms', `${DIR}/rooms.json`, '--users', `${DIR}/users.ndjson`];
const now = ['--now', String(NOW)];

test('--help documents --rooms, --users and the rocketchat format', async () => {
  for (const command of ['validate', 'import']) {
    const r = await runCli([command, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--rooms FILE +with --from rocketchat: mongoexport of rocketchat_room/);
    assert.match(r.stdout, /--users FILE +with --from rocketchat: mongoexport of users/);
    assert.match(r.stdout.replace(/\s+/g, ' '), /rocketchat \(mongoexport or mongodump of rocketchat_subscription/);
  }
});

test('validate reads the subscriptions from stdin (--jsonArray form): exit 3, counts and skip rules in the JSON report', async () => {
  const r = await runCli(['validate', '-', ...tables, '--json', ...now], { stdin: readFileSync(`${DIR}/subscriptions.array.json`) });
  assert.equal(r.code, 3, r.stderr);
  const report = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(
    [report['read'], report['valid'], report['invalid'], report['skipped'], report['duplicates'], report['skippedBy']],
    [21, 13, 3, 4, 1, { 'direct-room': 2, 'livechat-room': 1, 'voip-room': 1 }],
  );
  assert.match(r.stderr, /4 skipped/);
  assert.match(r.stderr, /direct-room +2/);
});

test('import from stdin into the sandbox delivers the 13 members', async () => {
  await withSandbox({}, async (sandbox) => {
    const r = await runCli(['import', ...tables, '--base-url', sandbox.baseUrl, '--rpm', '0', '--json', ...now], {
      stdin: readFileSync(SUBS),
      env: { COMETCHAT_API_KEY: SANDBOX_KEY },
    });
    assert.equal(r.code, 3, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual([report['imported'], report['rejected'], report['unsent']], [13, 0, 0]);
    assert.equal(acceptedIds(sandbox).length, 13);
    assert.ok(!(r.stdout + r.stderr).includes('SERVICES-SECRET'));
  });
});

test('misused --rooms/--users are usage errors (exit 2) that name the flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['validate', SUBS, '--from', 'rocketchat', '--users', `${DIR}/users.ndjson`], /--from rocketchat needs --rooms FILE/],
    [['validate', SUBS, '--from', 'rocketchat', '--rooms', `${DIR}/rooms.json`], /--from rocketchat needs --users FILE/],
    [['validate', SUBS, '--rooms', `${DIR}/rooms.json`, '--users', `${DIR}/users.ndjson`], /--rooms is only for --from rocketchat, got --from auto/],
    [['validate', SUBS, ...tables.slice(0, 4), '--users', SUBS], /--users ".*subscriptions\.ndjson" is INPUT ".*subscriptions\.ndjson" \(both are \/.*\/subscriptions\.ndjson\): each needs its own file/],
    [['validate', SUBS, ...tables, '--report', `${DIR}/rooms.json`], /--report ".*rooms\.json" is --rooms ".*rooms\.json" \(both are \/.*\/rooms\.json\): writing --report would destroy the input/],
    [['validate', SUBS, '--from', 'rocketchat', '--rooms', '-', '--users', `${DIR}/users.ndjson`], /--rooms expects a file, got "-"/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
