// `chatmigrate migrate` given something off, before or while it starts: an input that is a
// folder, a --state-dir that is a file (or on a mount where mkdir loops), a mistyped --file-url
// field or --uploads-dir, "CometChat-shaped" files that are Rocket.Chat exports or wrap an array,
// a malformed messages line under --on-malformed skip. Each is refused or reported in words that
// say what to do, never a stack trace or a hang. Stops and resumes: migrate-stops.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateMongodump } from '../bench/generate-mongodump.js';
import { generateRocketChatWorkspace, type GeneratedWorkspace } from '../bench/generate-rocketchat.js';
import type { MigrationReport } from '../src/migrate/migration-report.js';
import { runCli } from './helpers/cli.js';
import { sandboxTarget, workspaceInputs } from './helpers/migrate-args.js';
import { NOW, tempDir } from './helpers/run.js';
import { withSandbox } from './helpers/sandbox.js';

const dir = tempDir('cm-migrate-operator-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

let workspace: Promise<GeneratedWorkspace> | undefined;
/** One small generated workspace. */
function generated(): Promise<GeneratedWorkspace> {
  workspace ??= generateRocketChatWorkspace({ dir: join(dir, 'workspace'), now: NOW, messages: 300 });
  return workspace;
}

test('an input that is a folder is named with its flag (CM_INPUT_UNREADABLE), not a stack trace', async () => {
  const ws = await generated();
  const run = await runCli(['migrate', ...workspaceInputs(ws).slice(0, 2), '--users', join(dir, 'workspace'), '--rooms', ws.files.rooms, '--state-dir', join(dir, 'state-folder-input'), '--dry-run']);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /--users .*workspace is a directory: each phase reads one export file \[CM_INPUT_UNREADABLE\]/);
  assert.match(run.stderr, /--dump-dir/, 'the hint names the flag for a mongodump folder');
  assert.doesNotMatch(run.stderr, /CM_INTERNAL|EISDIR|\n\s+at /);
});

test('a --state-dir that is a file, or lies under one, is named as such', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const ws = await generated();
  const onFile = await runCli(['migrate', ...workspaceInputs(ws), '--state-dir', file, '--dry-run']);
  assert.equal(onFile.code, 1);
  assert.match(onFile.stderr, /--state-dir ".*a-file" is a file, not a folder \[CM_OUTPUT\]/);
  const under = await runCli(['migrate', ...workspaceInputs(ws), '--state-dir', join(file, 'sub', 'dir'), '--dry-run']);
  assert.equal(under.code, 1);
  assert.match(under.stderr, /--state-dir ".*a-file\/sub\/dir" cannot be created: .*a-file is a file, not a folder \[CM_OUTPUT\]/);
});

test('a folder where mkdir answers ENOENT under an existing parent (/proc) fails at once instead of spinning deaf to signals', { skip: !existsSync('/proc/self') }, async () => {
  const ws = await generated();
  // mkdirSync's recursive mode loops forever here, in native code: the timeout kills that.
  const run = await runCli(['migrate', ...workspaceInputs(ws), '--state-dir', '/proc/chatmigrate-no-such-dir/job', '--dry-run'], { timeoutMs: 15_000 });
  assert.equal(run.signal, null, 'the run ended by itself');
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /--state-dir "\/proc\/chatmigrate-no-such-dir\/job" cannot be created: ENOENT \[CM_OUTPUT\]/);
});

test('--file-url with a field that is not {fileId}, {name} or {rid} is refused, with the near one', async () => {
  const ws = await generated();
  const state = join(dir, 'state-file-url');
  const typo = await runCli(['migrate', ...workspaceInputs(ws), '--state-dir', state, '--dry-run', '--file-url', 'https://files.example.com/{fileid}/{name}']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /\{fileid\}: did you mean \{fileId\}\?.*\[CM_USAGE\]/);
  const unknown = await runCli(['migrate', ...workspaceInputs(ws), '--state-dir', state, '--dry-run', '--file-url', 'https://files.example.com/{fileId}/{nme}']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /\{nme\} is none of them.*\[CM_USAGE\]/);
});

test('CometChat-shaped files that are Rocket.Chat exports: the hint gives migrate\'s flags, not import\'s', async () => {
  const ws = await generated();
  const run = await runCli(['migrate', '--users', ws.files.users, '--state-dir', join(dir, 'state-look-alike'), '--dry-run', '--log-level', 'warn']);
  assert.match(run.stderr, /hint: most records look like a Rocket.Chat export .*: migrate a Rocket.Chat workspace with --from rocketchat --users FILE --rooms FILE --subscriptions FILE --messages FILE/);
  assert.doesNotMatch(run.stderr, /rocketchat_subscription export/);
  assert.match(run.stderr, /not run: groups, members, messages \(no input given for them\)/);
});

test('a wrapper that holds an array ({"users": [...]}, one line or pretty-printed) is named, not read as one invalid record or a syntax error', async () => {
  const users = [{ uid: 'alice', name: 'Alice' }, { uid: 'bob', name: 'Bob' }];
  for (const [name, text] of [['one-line', JSON.stringify({ users })], ['pretty', JSON.stringify({ users }, null, 2)]] as const) {
    const file = join(dir, `users-array-${name}.json`);
    writeFileSync(file, text);
    const run = await runCli(['migrate', '--users', file, '--state-dir', join(dir, `state-array-${name}`), '--dry-run', '--log-level', 'warn']);
    assert.equal(run.code, 1, `${name}: ${run.stderr}`);
    assert.match(run.stderr, /wraps an array in "users" .*give the array alone, with --from array --kind users.*\[CM_INPUT_FORMAT\]/, name);
  }
});

test('--on-malformed skip reaches the placeholder pre-pass of a Rocket.Chat messages export: the bad line is rejected by the messages phase, not fatal before the first phase', async () => {
  const ws = await generated();
  const lines = readFileSync(ws.files.messages, 'utf8').split('\n');
  lines.splice(100, 0, '{"_id": broken');
  const bad = join(dir, 'messages-malformed.json');
  writeFileSync(bad, lines.join('\n'));
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const args = (state: string): string[] => ['migrate', ...workspaceInputs(ws).slice(0, -1), bad, ...sandboxTarget(sandbox, state)];
    assert.equal(workspaceInputs(ws).at(-2), '--messages');
    const stops = await runCli(args(join(dir, 'state-malformed-stop')));
    assert.equal(stops.code, 1, stops.stderr);
    assert.match(stops.stderr, /--messages .*malformed input at byte \d+, line 101/);
    assert.equal(sandbox.stats().requests, 0, 'stopped before the first phase: nothing sent');

    const skips = await runCli([...args(join(dir, 'state-malformed-skip')), '--on-malformed', 'skip', '--json']);
    assert.equal(skips.code, 3, skips.stderr);
    const report = JSON.parse(skips.stdout) as MigrationReport;
    assert.deepEqual(report.notRun, []);
    assert.equal(report.phases.messages!.reasons['MALFORMED_JSON'], 1);
    assert.equal(report.phases.messages!.read, ws.expected.messages.read + 1);
  });
});

test('a mistyped --uploads-dir is refused before anything is sent, in a dry run too (its uploads would all be "missing")', async () => {
  const dump = await generateMongodump({ dir: join(dir, 'dump', 'rocketchat'), now: NOW, messages: 200, fileUrl: true, chunkBytes: 1024 });
  await withSandbox({ now: () => NOW * 1000 }, async (sandbox) => {
    const args = (state: string): string[] => ['migrate', '--dump-dir', join(dir, 'dump', 'rocketchat'), '--attachments-dir', join(dir, 'dump-files'), '--uploads-dir', `${dump.uploadsDir}-typo`, '--file-url', 'https://files.example.com/{fileId}/{name}', ...sandboxTarget(sandbox, state)];
    for (const extra of [['--dry-run'], []]) {
      const run = await runCli([...args(join(dir, `state-uploads-typo${extra.length}`)), ...extra]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /--uploads-dir .*-typo cannot be read: ENOENT \[CM_INPUT_UNREADABLE\]/);
    }
    assert.equal(sandbox.stats().requests, 0);
    assert.equal(existsSync(join(dir, 'dump-files')), false, 'no file written');
  });
});
