// A finished checkpoint is a finished job: running the same command again verifies the input
// against it, sends nothing, writes the report (alreadyComplete) and ends with the job's own exit
// code. Another input or target is refused (exit 2, --start-over named); a grown input needs
// --resume; --start-over runs the job anew. An unfinished checkpoint's refusal names --start-over.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToString } from '../bench/generate.js';
import { runCli } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';
import { importInto, SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';
import { resolveConfig, type RunOptions } from '../src/config.js';
import { runPipeline } from '../src/pipeline.js';
import { isChatmigrateError } from '../src/errors.js';
import type { Report } from '../src/accounting/report.js';

const SANDBOX = { requireKnownGroupsAndUsers: false };
const members = (count: number): string => generateToString({ format: 'ndjson', count, seed: 6, dupRate: 0, conflictRate: 0, invalidRate: 0 }).text;
const files = (dir: string) => ({ checkpoint: join(dir, 'job.ckpt'), rejects: join(dir, 'rejects.ndjson') });
const counts = (r: Report) => ({ read: r.read, valid: r.valid, invalid: r.invalid, duplicates: r.duplicates, imported: r.imported, alreadyPresent: r.alreadyPresent, rejected: r.rejected, unsent: r.unsent, requests: r.requests, status: r.status, exitCode: r.exitCode });

/** The library's answer to a run that is refused: thrown before it starts, or reported once the input shows it. */
async function refusal(run: Promise<Report>): Promise<{ code: string; exitCode: number; message: string; hint: string }> {
  try {
    const r = await run;
    assert.ok(r.error, `not refused: ${r.status}`);
    return { code: r.error.code, exitCode: r.exitCode, message: r.error.message, hint: r.error.hint ?? '' };
  } catch (e) {
    assert.ok(isChatmigrateError(e), String(e));
    return { code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint ?? '' };
  }
}

test('the same `import --checkpoint` over a finished job sends nothing, says it was already complete and exits 0 with the job\'s report', { timeout: 30_000 }, async () => {
  const dir = tempDir('cm-finished-');
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, members(120));
  await withSandbox(SANDBOX, async (sandbox) => {
    const args = ['import', input, '--base-url', sandbox.baseUrl, '--rpm', '0', '--now', String(NOW), '--log-level', 'warn', '--checkpoint', join(dir, 'job.ckpt'), '--report', join(dir, 'report.json')];
    const env = { COMETCHAT_API_KEY: SANDBOX_KEY };
    const first = await runCli(args, { env });
    assert.equal(first.code, 0, first.stderr);
    const done = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    assert.equal(sandbox.stats().requests, 3);

    const checkpoint = readFileSync(join(dir, 'job.ckpt'));
    const again = await runCli(args, { env });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readFileSync(join(dir, 'job.ckpt')), checkpoint, 'the finished job\'s checkpoint stands as it was');
    assert.deepEqual(readdirSync(dir).sort(), ['export.ndjson', 'job.ckpt', 'report.json'], 'no journal or lock left behind');
    assert.equal(sandbox.stats().requests, 3, 'nothing sent again');
    assert.match(again.stderr, /already complete: the job in --checkpoint .*job\.ckpt had finished; the input was verified against it and nothing was sent \(--start-over runs it as a new job\)/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    assert.equal(report.alreadyComplete, true);
    assert.deepEqual(counts(report), counts(done), 'the finished job\'s counts');
    // Under a quota too, the summary shows the job's requests without a share of a budget it did not use.
    const quota = await runCli(args.map((a, i) => (args[i - 1] === '--rpm' ? '60' : a)), { env });
    assert.equal(quota.code, 0, quota.stderr);
    assert.match(quota.stderr, /\n {2}requests: 3 \(0 retries, 0 throttled\)\n/);

    // --start-over is a new job: everything is sent again and is already there.
    const anew = await importInto(sandbox, { input, checkpoint: join(dir, 'job.ckpt'), startOver: true });
    assert.equal(sandbox.stats().requests, 6);
    assert.deepEqual([anew.exitCode, anew.imported, anew.alreadyPresent, anew.alreadyComplete], [0, 0, 120, undefined]);
  });
});

test('a finished job with invalid records keeps its exit code 3, and its fixed-up rejects file is left alone', { timeout: 20_000 }, async () => {
  const dir = tempDir('cm-finished-rejects-');
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, readFileSync('fixtures/members.ndjson'));
  await withSandbox(SANDBOX, async (sandbox) => {
    assert.equal((await importInto(sandbox, { input, ...files(dir) })).exitCode, 3);
    const sent = sandbox.stats().requests;
    // The operator fixes the rejects file in place, to feed it back in later.
    appendFileSync(files(dir).rejects, '{"note":"fixed by hand"}\n');
    const edited = readFileSync(files(dir).rejects);
    const again = await importInto(sandbox, { input, ...files(dir) });
    assert.deepEqual([again.exitCode, again.status, again.alreadyComplete], [3, 'some-invalid', true]);
    assert.equal(sandbox.stats().requests, sent);
    assert.deepEqual(readFileSync(files(dir).rejects), edited, 'neither cut back nor rewritten');
  });
});

test('a finished checkpoint is checked to be this run\'s: another input or target is refused naming --start-over; a grown input needs --resume', { timeout: 20_000 }, async () => {
  const dir = tempDir('cm-finished-other-');
  const input = join(dir, 'export.ndjson');
  // The job's input is the first 60 members of 65: the grown export adds 5 new ones.
  const lines = members(65).split('\n');
  writeFileSync(input, lines.slice(0, 60).join('\n') + '\n');
  await withSandbox(SANDBOX, async (sandbox) => {
    assert.equal((await importInto(sandbox, { input, ...files(dir) })).exitCode, 0);
    const sent = sandbox.stats().requests;
    const checkpoint = readFileSync(files(dir).checkpoint);

    const other = join(dir, 'other.ndjson');
    writeFileSync(other, generateToString({ format: 'ndjson', count: 60, seed: 7, dupRate: 0, conflictRate: 0, invalidRate: 0 }).text);
    const otherInput = await refusal(importInto(sandbox, { input: other, ...files(dir) }));
    assert.deepEqual([otherInput.code, otherInput.exitCode], ['CM_RESUME_MISMATCH', 2]);
    assert.match(otherInput.message, /^--checkpoint .*job\.ckpt holds a finished job, not this run's: .*other\.ndjson is not the input the checkpoint was written for/);
    assert.equal(otherInput.hint, 'to run this as a new job add --start-over (the finished job\'s checkpoint is replaced), or choose another --checkpoint path');

    const otherTarget = await refusal(importInto(sandbox, { input, ...files(dir), baseUrl: `${sandbox.baseUrl}/elsewhere` }));
    assert.equal(otherTarget.exitCode, 2);
    assert.match(otherTarget.message, /holds a finished job, not this run's: the checkpoint was written for the target .*, this run has .*\/elsewhere/);

    const grown = join(dir, 'grown.ndjson');
    writeFileSync(grown, lines.join('\n'));
    const more = await refusal(importInto(sandbox, { input: grown, ...files(dir) }));
    assert.equal(more.exitCode, 2);
    assert.match(more.message, /holds a finished job of 60 records, and .*grown\.ndjson has more records after them$/);
    assert.match(more.hint, /^add --resume to send the records after them as part of that job, or --start-over/);
    assert.equal(sandbox.stats().requests, sent, 'nothing sent by the refused runs');
    assert.deepEqual(readFileSync(files(dir).checkpoint), checkpoint, 'the finished checkpoint is left as it was');

    const resumed = await importInto(sandbox, { input: grown, ...files(dir), resume: true });
    assert.equal(resumed.exitCode, 0);
    assert.equal(sandbox.stats().requests, sent + 1, 'only the new records are sent');
    assert.deepEqual([resumed.read, resumed.imported, resumed.alreadyComplete], [65, 65, undefined]);
  });
});

test('an unfinished checkpoint: the refusal names --resume and --start-over; --start-over needs --checkpoint and excludes --resume; a foreign file is not "damaged"', { timeout: 20_000 }, async () => {
  const dir = tempDir('cm-unfinished-');
  const input = join(dir, 'export.ndjson');
  // Malformed at the end: the run stops (exit 1) with an unfinished checkpoint.
  writeFileSync(input, readFileSync('fixtures/members.ndjson', 'utf8') + '{"uid": broken\n');
  const options: RunOptions = { input, checkpoint: join(dir, 'job.ckpt'), now: NOW, progress: false };
  assert.equal((await runPipeline(resolveConfig('validate', options))).exitCode, 1);
  const again = await runCli(['validate', input, '--checkpoint', join(dir, 'job.ckpt')]);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /holds the progress of an unfinished run \(14 records settled\) \[CM_USAGE\]\n {2}hint: add --resume to continue it, or --start-over to begin a new job \(the checkpoint is replaced; records already imported then count as already present\)\n$/);
  assert.throws(() => resolveConfig('validate', { ...options, resume: true, startOver: true }), /--start-over and --resume contradict each other/);
  assert.throws(() => resolveConfig('validate', { input, startOver: true }), /--start-over needs --checkpoint FILE/);
  assert.equal((await runPipeline(resolveConfig('validate', { ...options, startOver: true }))).exitCode, 1, 'a new job, stopped at the same bad line');
  writeFileSync(join(dir, 'job.ckpt'), 'not a checkpoint\n');
  const foreign = await refusal(runPipeline(resolveConfig('validate', options)));
  assert.equal(foreign.code, 'CM_CHECKPOINT_CORRUPT');
  assert.match(foreign.message, /^--checkpoint .*job\.ckpt is not a chatmigrate checkpoint$/);
  assert.equal(foreign.hint, 'give the path of the checkpoint file, or a new path for a new job (--start-over would replace this file)');
});
