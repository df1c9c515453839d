// The real `chatmigrate` binary in a child process: help, stdin, files, gzip, every format,
// malformed input and bad flags, with the documented exit codes and messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';
import { optionsFor } from '../src/cli/options.js';

const now = ['--now', String(NOW)];

test('validate --help documents every option and the exit codes', async () => {
  const r = await runCli(['validate', '--help']);
  assert.equal(r.code, 0);
  for (const o of optionsFor('validate')) assert.ok(r.stdout.includes(`--${o.flag}`), `--${o.flag} is documented`);
  assert.match(r.stdout, /Exit codes:/);
  assert.match(r.stdout, /130/);
  const main = await runCli(['--help']);
  assert.equal(main.code, 0);
  assert.match(main.stdout, /chatmigrate import/);
  assert.match(main.stdout, /chatmigrate sandbox/);
});

test('validate reads stdin, files and gzip, in every format, with exit 3 when some records are invalid', async () => {
  const dir = tempDir();
  for (const f of ['members.ndjson', 'members.array.json', 'members.cometchat.json', 'members.map.json']) {
    const path = join('fixtures', f);
    const gz = join(dir, `${f}.gz`);
    writeFileSync(gz, gzipSync(readFileSync(path)));
    const runs = [
      await runCli(['validate', path, '--json', ...now]),
      await runCli(['validate', '-', '--json', ...now], { stdin: readFileSync(path) }),
      await runCli(['validate', '--json', ...now], { stdin: gzipSync(readFileSync(path)) }),
      await runCli(['validate', gz, '--json', ...now]),
    ];
    for (const r of runs) {
      assert.equal(r.code, 3, r.stderr);
      const report = JSON.parse(r.stdout) as Record<string, number>;
      assert.deepEqual([report['read'], report['valid'], report['invalid'], report['duplicates']], [14, 6, 6, 2]);
      assert.match(r.stderr, /14 read = 6 valid \+ 6 invalid \+ 2 duplicates/);
    }
  }
});

test('a clean input exits 0 and writes the report and an empty rejects file', async () => {
  const dir = tempDir();
  const input = join(dir, 'clean.ndjson');
  writeFileSync(input, readFileSync('fixtures/members.ndjson', 'utf8').split('\n').slice(0, 5).join('\n'));
  const report = join(dir, 'report.json');
  const rejects = join(dir, 'rejects.ndjson');
  const r = await runCli(['validate', input, '--report', report, '--rejects', rejects, ...now]);
  assert.equal(r.code, 0, r.stderr);
  const written = JSON.parse(readFileSync(report, 'utf8')) as { valid: number; status: string; plan: { text: string } };
  assert.equal(written.valid, 5);
  assert.equal(written.status, 'ok');
  assert.match(written.plan.text, /5 members → 1 request/);
  assert.equal(readFileSync(rejects, 'utf8'), '');
});

test('an empty input is not a success: exit 1, CM_INPUT_EMPTY (unless --allow-empty); an unreadable one prints only its error', async () => {
  const empty = await runCli(['validate', '-', ...now], { stdin: '' });
  assert.equal(empty.code, 1, empty.stderr);
  assert.match(empty.stderr, /0 read[\s\S]*stdin held no records: nothing was checked or sent \[CM_INPUT_EMPTY\][\s\S]*did the command before the pipe fail\?/);
  const blank = await runCli(['validate', '-', '--json', ...now], { stdin: '\n\n  \n' });
  assert.equal(blank.code, 1, 'blank lines are no records either');
  assert.equal((JSON.parse(blank.stdout) as { error: { code: string } }).error.code, 'CM_INPUT_EMPTY');
  const allowed = await runCli(['validate', '-', '--allow-empty', ...now], { stdin: '' });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stderr, /0 read[\s\S]*warning: the input held no records/);
  const missing = await runCli(['validate', join(tempDir(), 'nope.json'), ...now]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /CM_INPUT_UNREADABLE/);
  assert.doesNotMatch(missing.stderr, /0 read|plan:|warning/);
});

test('malformed input exits 1 with byte offset (and line for NDJSON), and still writes the report', async () => {
  const dir = tempDir();
  const report = join(dir, 'report.json');
  const text = '{"guid":"g","uid":"a"}\n{"guid":"g","uid":"b"\n';
  const r = await runCli(['validate', '-', '--report', report, ...now], { stdin: text });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /malformed input at byte 44, line 2/);
  assert.match(r.stderr, /CM_INPUT_MALFORMED/);
  assert.equal((JSON.parse(readFileSync(report, 'utf8')) as { read: number }).read, 1);
  const doc = await runCli(['validate', '-', ...now], { stdin: '{"members": {"g_member_u": {"guid": "g"} "x": 1}}' });
  assert.equal(doc.code, 1);
  assert.match(doc.stderr, /byte 41: expected ',' or a closing bracket but found '"'/);
  const notJson = await runCli(['validate', '-'], { stdin: 'guid,uid\ng,u\n' });
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /does not look like JSON/);
});

test('bad flags exit 2 and name the flag, what it expects and what it got', async () => {
  const input = 'fixtures/members.ndjson';
  const cases: Array<[string[], RegExp]> = [
    [[input, '--rpm', 'abc'], /--rpm expects an integer from 0 to 1000000, got "abc"/],
    [[input, '--batch-size', '51'], /--batch-size expects an integer from 1 to 50, got "51"/],
    [[input, '--from', 'xml'], /--from expects one of auto, cometchat, map, array, ndjson, rocketchat, bson, got "xml"/],
    [[input, '--rmp', '5'], /unknown option --rmp for validate \(did you mean --rpm\?\)/],
    [[input, '--shard', '4/3'], /--shard expects K\/N with 1 ≤ K ≤ N/],
    [[input, '--log-level', 'loud'], /--log-level expects one of/],
    [['a.json', 'b.json'], /validate takes one INPUT/],
    [[input, '--rejects'], /--rejects expects a value/],
    [[input, '--rejects', input], /--rejects "fixtures\/members.ndjson" is INPUT "fixtures\/members.ndjson" \(both are \/.*\/fixtures\/members.ndjson\): writing --rejects would destroy the input/],
    [[input, '--skip-bots'], /--skip-bots selects what a Rocket.Chat import takes: it needs --to rocketchat/],
    [[input, '--resume'], /--resume needs --checkpoint FILE/],
    [[input, '--checkpoint', 'r.json', '--report', 'r.json'], /--report "r.json" is --checkpoint "r.json" \(both are \/.*\/r\.json\): one would overwrite the other/],
    [[input, '--report', 'r.json', '--rejects', './r.json'], /--rejects ".\/r.json" is --report "r.json" \(both are \/.*\/r\.json\): one would overwrite the other/],
    [[input, '--rpm', '-5'], /--rpm expects an integer from 0 to 1000000, got "-5"/],
    [[input, '--json=yes'], /--json is a switch and takes no value/],
    [[input, '--to', 'foo'], /--to expects one of cometchat, rocketchat, got "foo"/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['validate', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('import without credentials is a configuration error (exit 2) that says what to pass', async () => {
  const r = await runCli(['import', 'fixtures/members.ndjson'], { env: { COMETCHAT_API_KEY: '', COMETCHAT_APP_ID: '' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no CometChat endpoint: pass --app-id/);
  const noKey = await runCli(['import', 'fixtures/members.ndjson', '--base-url', 'http://127.0.0.1:9/v3'], { env: { COMETCHAT_API_KEY: '' } });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /no API key: pass --api-key-file FILE, set COMETCHAT_API_KEY_FILE or COMETCHAT_API_KEY, or pass --api-key/);
});

test('--on-malformed skip: a line that is not JSON is rejected with its raw text, offset and line, and the run goes on; a document still stops, saying why', async () => {
  const dir = tempDir();
  const input = join(dir, 'in.ndjson');
  const rejects = join(dir, 'rejects.ndjson');
  writeFileSync(input, '{"guid":"g","uid":"a"}\n{"guid":"g","uid":"b"\n{"guid":"g","uid":"c"}\nnot json at all\n');
  const stop = await runCli(['validate', input, ...now]);
  assert.equal(stop.code, 1);
  assert.match(stop.stderr, /malformed input at byte 44, line 2[\s\S]*--on-malformed skip/);
  const skip = await runCli(['validate', input, '--on-malformed', 'skip', '--rejects', rejects, '--json', ...now]);
  assert.equal(skip.code, 3, skip.stderr);
  const report = JSON.parse(skip.stdout) as { read: number; valid: number; invalid: number; reasons: Record<string, number> };
  assert.deepEqual([report.read, report.valid, report.invalid, report.reasons['MALFORMED_JSON']], [4, 2, 2, 2]);
  const lines = readFileSync(rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; position: { offset: number; line: number }; record: unknown });
  assert.deepEqual(lines.map((l) => [l.reason, l.position.offset, l.position.line, l.record]), [
    ['MALFORMED_JSON', 23, 2, '{"guid":"g","uid":"b"'],
    ['MALFORMED_JSON', 68, 4, 'not json at all'],
  ]);
  // Fixed in the rejects file and fed back: the repaired line is read as a record again.
  writeFileSync(rejects, readFileSync(rejects, 'utf8').replace('"record":"{\\"guid\\":\\"g\\",\\"uid\\":\\"b\\""', '"record":"{\\"guid\\":\\"g\\",\\"uid\\":\\"b\\"}"'));
  const again = await runCli(['validate', rejects, '--on-malformed', 'skip', '--json', ...now]);
  assert.deepEqual([(JSON.parse(again.stdout) as { valid: number }).valid, (JSON.parse(again.stdout) as { invalid: number }).invalid], [1, 1]);
  const doc = await runCli(['validate', '-', '--on-malformed', 'skip', ...now], { stdin: '[{"guid":"g","uid":"a"},{"guid":"g" "uid":"b"}]' });
  assert.equal(doc.code, 1);
  assert.match(doc.stderr, /One JSON document cannot skip a broken record/);
  const bad = await runCli(['validate', input, '--on-malformed', 'ignore']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--on-malformed expects one of stop, skip, got "ignore"/);
});

test('a reason about a nested object names the fields that broke, in the summary and the report (not a fixed text about uid and name)', async () => {
  const text = '{"guid":"g","uid":"a","userDetails":{"name":"A","metadata":[1]}}\n{"guid":"g","uid":"b","userDetails":{"name":"B","metadata":[2]}}\n{"guid":"g","uid":"c","userDetails":{"uid":"c"}}\n';
  const r = await runCli(['validate', '-', '--json', ...now], { stdin: text });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /INVALID_USER_DETAILS +3 +a field of userDetails is missing or has a bad value[^\n]*\n +fields: userDetails\.metadata 2, userDetails\.name 1/);
  assert.doesNotMatch(r.stderr, /needs uid \(= member uid\) and name/);
  assert.deepEqual((JSON.parse(r.stdout) as { reasonFields: unknown }).reasonFields, { INVALID_USER_DETAILS: { 'userDetails.metadata': 2, 'userDetails.name': 1 } });
});
