// A finished checkpoint is a finished job: running the same command again verifies the input
// against it, sends nothing, writes the report (alreadyComplete) and ends with the job's own exit
// code. Another input or target is refused (exit 2, --start-over named); a grown input needs
// --resume; --start-over runs the job anew. An unfinished checkpoint's refusal names --start-over.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToString } from '../bench/generate.js';
import { runCli } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';
import type { Sandbox } from '../src/sandbox/index.js';
import type { Report } from '../src/accounting/report.js';

const SANDBOX = { requireKnownGroupsAndUsers: false };
const env = { COMETCHAT_API_KEY: SANDBOX_KEY };

function job(sandbox: Sandbox, dir: string, input: string, ...more: string[]): string[] {
  return ['import', input, '--base-url', sandbox.baseUrl, '--rpm', '0', '--now', String(NOW), '--log-level', 'warn',
    '--checkpoint', join(dir, 'job.ckpt'), '--report', join(dir, 'report.json'), '--rejects', join(dir, 'rejects.ndjson'), ...more];
}

const reportIn = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
const counts = (r: Report) => ({ read: r.read, valid: r.valid, invalid: r.invalid, duplicates: r.duplicates, imported: r.imported, alreadyPresent: r.alreadyPresent, rejected: r.rejected, unsent: r.unsent, requests: r.requests, status: r.status, exitCode: r.exitCode });

test('the same import over a finished checkpoint sends nothing, says it was already complete and exits 0 with the job\'s report', { timeout: 30_000 }, async () => {
  const dir = tempDir('cm-finished-');
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, generateToString({ format: 'ndjson', count: 120, seed: 5, dupRate: 0, conflictRate: 0, invalidRate: 0 }).text);
  await withSandbox(SANDBOX, async (sandbox) => {
    const first = await runCli(job(sandbox, dir, input), { env });
    assert.equal(first.code, 0, first.stderr);
    const done = reportIn(dir);
    const sent = sandbox.stats().requests;
    assert.equal(sent, 3);

    const again = await runCli(job(sandbox, dir, input), { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(sandbox.stats().requests, sent, 'nothing sent again');
    assert.match(again.stderr, /already complete: the job in --checkpoint .*job\.ckpt had finished; the input was verified against it and nothing was sent \(--start-over runs it as a new job\)/);
    const report = reportIn(dir);
    assert.equal(report.alreadyComplete, true);
    assert.deepEqual(counts(report), counts(done), 'the finished job\'s counts');

    // --start-over is a new job: everything is sent again and is already there.
    const anew = await runCli(job(sandbox, dir, input, '--start-over'), { env });
    assert.equal(anew.code, 0, anew.stderr);
    assert.equal(sandbox.stats().requests, sent * 2);
    assert.deepEqual([reportIn(dir).imported, reportIn(dir).alreadyPresent, reportIn(dir).alreadyComplete], [0, 120, undefined]);
  });
});

test('a finished job with invalid records keeps its exit code 3, and its fixed-up rejects file is left alone', { timeout: 30_000 }, async () => {
  const dir = tempDir('cm-finished-rejects-');
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, readFileSync('fixtures/members.ndjson'));
  await withSandbox(SANDBOX, async (sandbox) => {
    assert.equal((await runCli(job(sandbox, dir, input), { env })).code, 3);
    const sent = sandbox.stats().requests;
    // The operator fixes the rejects file in place to feed it back in later.
    appendFileSync(join(dir, 'rejects.ndjson'), '{"note":"fixed by hand"}\n');
    const edited = readFileSync(join(dir, 'rejects.ndjson'));
    const again = await runCli(job(sandbox, dir, input), { env });
    assert.equal(again.code, 3, again.stderr);
    assert.equal(sandbox.stats().requests, sent);
    assert.equal(reportIn(dir).alreadyComplete, true);
    assert.deepEqual(readFileSync(join(dir, 'rejects.ndjson')), edited, 'neither cut back nor rewritten');
  });
});

test('a finished checkpoint is checked to be this run\'s: another input or target is refused naming --start-over; a grown input needs --resume', { timeout: 30_000 }, async () => {
  const dir = tempDir('cm-finished-other-');
  const input = join(dir, 'export.ndjson');
  // The job's input is the first 60 members of 65: the grown export adds 5 new ones.
  const lines = generateToString({ format: 'ndjson', count: 65, seed: 6, dupRate: 0, conflictRate: 0, invalidRate: 0 }).text.split('\n');
  writeFileSync(input, lines.slice(0, 60).join('\n') + '\n');
  await withSandbox(SANDBOX, async (sandbox) => {
    assert.equal((await runCli(job(sandbox, dir, input), { env })).code, 0);
    const sent = sandbox.stats().requests;
    const checkpoint = readFileSync(join(dir, 'job.ckpt'));

    const other = join(dir, 'other.ndjson');
    writeFileSync(other, generateToString({ format: 'ndjson', count: 60, seed: 7, dupRate: 0, conflictRate: 0, invalidRate: 0 }).text);
    const otherInput = await runCli(job(sandbox, dir, other), { env });
    assert.equal(otherInput.code, 2, otherInput.stderr);
    assert.match(otherInput.stderr, /--checkpoint .*job\.ckpt holds a finished job, not this run's: .*other\.ndjson is not the input the checkpoint was written for .*\[CM_RESUME_MISMATCH\]\n {2}hint: to run this as a new job add --start-over/);

    const otherTarget = await runCli(job(sandbox, dir, input, '--base-url', `${sandbox.baseUrl}/elsewhere`), { env });
    assert.equal(otherTarget.code, 2, otherTarget.stderr);
    assert.match(otherTarget.stderr, /holds a finished job, not this run's: the checkpoint was written for the target .*, this run has .*\/elsewhere/);

    const grown = join(dir, 'grown.ndjson');
    writeFileSync(grown, lines.join('\n'));
    const refused = await runCli(job(sandbox, dir, grown), { env });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /holds a finished job of 60 records, and .*grown\.ndjson has more records after them[\s\S]*hint: add --resume to send the records after them as part of that job, or --start-over/);
    assert.equal(sandbox.stats().requests, sent, 'nothing sent by the refused runs');
    assert.deepEqual(readFileSync(join(dir, 'job.ckpt')), checkpoint, 'the finished checkpoint is left as it was');

    const resumed = await runCli(job(sandbox, dir, grown, '--resume'), { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(sandbox.stats().requests, sent + 1, 'only the new records are sent');
    assert.deepEqual([reportIn(dir).read, reportIn(dir).imported, reportIn(dir).alreadyComplete], [65, 65, undefined]);
  });
});

test('an unfinished checkpoint: the refusal names --resume and --start-over; --start-over needs --checkpoint and excludes --resume', { timeout: 20_000 }, async () => {
  const dir = tempDir('cm-unfinished-');
  const input = join(dir, 'export.ndjson');
  // Malformed at the end: the run stops (exit 1) with an unfinished checkpoint.
  writeFileSync(input, readFileSync('fixtures/members.ndjson', 'utf8') + '{"uid": broken\n');
  const args = ['validate', input, '--checkpoint', join(dir, 'job.ckpt'), '--now', String(NOW)];
  assert.equal((await runCli(args)).code, 1);
  const [again, both, alone] = await Promise.all([runCli(args), runCli([...args, '--resume', '--start-over']), runCli(['validate', input, '--start-over'])]);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /holds the progress of an unfinished run \(14 records settled\) \[CM_USAGE\]\n {2}hint: add --resume to continue it, or --start-over to begin a new job/);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--start-over and --resume contradict each other/);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--start-over needs --checkpoint FILE/);
  writeFileSync(join(dir, 'job.ckpt'), 'not a checkpoint\n');
  const foreign = await runCli(args);
  assert.equal(foreign.code, 1);
  assert.match(foreign.stderr, /--checkpoint .*job\.ckpt is not a chatmigrate checkpoint \[CM_CHECKPOINT_CORRUPT\]\n {2}hint: give the path of the checkpoint file, or a new path for a new job \(--start-over would replace this file\)/);
});
