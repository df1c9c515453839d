// An output reached through a link never overwrites an input: --rejects, --report and --checkpoint
// through a symlinked folder, a symlinked file or a hard link to the input are refused (exit 2,
// both flags and the real path named) before anything is opened, and the input's bytes stay the
// same. The checkpoint's companions (journal, lock, temp file), --rooms/--users and --to rocketchat too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';
import { SANDBOX_KEY, withSandbox } from './helpers/sandbox.js';
import { tempPathFor } from '../src/accounting/path-identity.js';
import { guardRunFiles, pipelineFiles } from '../src/accounting/output-paths.js';
import { validateExport } from '../src/index.js';
import { isChatmigrateError } from '../src/errors.js';

const FIXTURE = 'fixtures/members.ndjson';

/** real/export.ndjson, reachable as alias/export.ndjson (symlinked folder), link.ndjson (symlink) and hard.ndjson (hard link). */
function layout() {
  const root = tempDir('cm-links-');
  const real = join(root, 'real');
  mkdirSync(real);
  const input = join(real, 'export.ndjson');
  copyFileSync(FIXTURE, input);
  symlinkSync(real, join(root, 'alias'));
  symlinkSync(input, join(root, 'link.ndjson'));
  linkSync(input, join(root, 'hard.ndjson'));
  const through = { 'a symlinked folder': join(root, 'alias', 'export.ndjson'), 'a symlinked file': join(root, 'link.ndjson'), 'a hard link': join(root, 'hard.ndjson') };
  return { root, real, input, realInput: realpathSync(input), through };
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

test('--rejects, --report and --checkpoint through a symlinked folder, a symlinked file or a hard link: refused (exit 2) naming both flags and the real path; the input is unchanged', async () => {
  const t = layout();
  const before = sha256(t.input);
  for (const flag of ['--rejects', '--report', '--checkpoint'] as const) {
    const key = flag.slice(2) as 'rejects' | 'report' | 'checkpoint';
    for (const [how, out] of Object.entries(t.through)) {
      const link = how === 'a hard link' ? 'a hard link' : 'a symbolic link';
      await assert.rejects(validateExport(t.input, { [key]: out }), (e: unknown) => {
        assert.ok(isChatmigrateError(e) && e.code === 'CM_USAGE' && e.exitCode === 2, String(e));
        assert.equal(e.message, `${flag} ${JSON.stringify(out)} is INPUT ${JSON.stringify(t.input)} through ${link} (both are ${t.realInput}): writing ${flag} would destroy the input`);
        assert.equal(e.hint, `give ${flag} a path of its own`);
        return true;
      }, `${flag} through ${how}`);
      assert.equal(sha256(t.input), before, `${flag} through ${how}: the input's bytes are unchanged`);
    }
  }
  // Nothing was created beside the input: no lock, journal, temp or rejects file.
  assert.deepEqual(readdirSync(t.real), ['export.ndjson']);
});

test('the CLI: exit 2 with the refusal and its hint, for each output flag, before anything is written', { timeout: 30_000 }, async () => {
  const t = layout();
  const before = sha256(t.input);
  for (const [flag, how] of [['--rejects', 'a symlinked folder'], ['--report', 'a symlinked file'], ['--checkpoint', 'a hard link']] as const) {
    const out = t.through[how];
    const r = await runCli(['validate', t.input, flag, out]);
    assert.equal(r.code, 2, `${flag} through ${how}: ${r.stderr}`);
    const link = how === 'a hard link' ? 'a hard link' : 'a symbolic link';
    assert.equal(r.stderr, `chatmigrate: ${flag} ${JSON.stringify(out)} is INPUT ${JSON.stringify(t.input)} through ${link} (both are ${t.realInput}): writing ${flag} would destroy the input [CM_USAGE]\n  hint: give ${flag} a path of its own\n`);
    assert.equal(sha256(t.input), before);
  }
  assert.deepEqual(readdirSync(t.real), ['export.ndjson']);
});

test('the checkpoint\'s journal and lock, reached through a link, are refused like the checkpoint itself (library: the same check)', async () => {
  const t = layout();
  copyFileSync(FIXTURE, join(t.real, 'job.ckpt.journal.3'));
  copyFileSync(FIXTURE, join(t.real, 'job.ckpt.lock'));
  linkSync(t.input, join(t.real, 'hard.ckpt.journal.0'));
  const before = sha256(t.input);
  const alias = join(t.root, 'alias');
  const refused = (input: string, checkpoint: string) => validateExport(input, { checkpoint }).then(() => assert.fail('not refused'), (e: unknown) => (isChatmigrateError(e) && e.exitCode === 2 ? e.message : assert.fail(String(e))));
  assert.match(
    await refused(join(t.real, 'job.ckpt.journal.3'), join(alias, 'job.ckpt')),
    /^the delivery journal of --checkpoint ".*\/alias\/job\.ckpt" is INPUT ".*\/real\/job\.ckpt\.journal\.3" through a symbolic link \(both are .*\/real\/job\.ckpt\.journal\.3\): writing --checkpoint would destroy the input$/,
  );
  assert.match(await refused(t.input, join(alias, 'hard.ckpt')), /^the delivery journal of --checkpoint ".*\/alias\/hard\.ckpt" is INPUT ".*\/real\/export\.ndjson" through a hard link/);
  assert.match(await refused(join(t.real, 'job.ckpt.lock'), join(alias, 'job.ckpt')), /^the lock file of --checkpoint ".*\/alias\/job\.ckpt" is INPUT ".*\/real\/job\.ckpt\.lock" through a symbolic link/);
  assert.equal(sha256(t.input), before);
});

test('the temp file of an atomic write, --rooms/--users and two outputs through links are one check (library: the same refusal)', { timeout: 20_000 }, async () => {
  const t = layout();
  const alias = join(t.root, 'alias');
  // The report is written through .NAME.PID.tmp beside it: an input by that name is refused too.
  const temp = tempPathFor(join(t.real, 'report.json'));
  copyFileSync(FIXTURE, temp);
  await assert.rejects(guardRunFiles(pipelineFiles({ input: temp, report: join(alias, 'report.json') }, false)), /the temp file of atomic writes of --report ".*\/alias\/report\.json" is INPUT/);
  // An output over --rooms / --users, and two outputs that are one file through a link.
  const rooms = join(t.real, 'rooms.json');
  copyFileSync(FIXTURE, rooms);
  await assert.rejects(guardRunFiles(pipelineFiles({ input: t.input, rooms, users: t.input + '.users', rejects: join(alias, basename(rooms)) }, false)), /--rejects ".*\/alias\/rooms\.json" is --rooms ".*\/real\/rooms\.json" through a symbolic link/);
  await assert.rejects(guardRunFiles(pipelineFiles({ input: t.input, report: join(t.real, 'r.json'), rejects: join(alias, 'r.json') }, false)), /--rejects ".*\/alias\/r\.json" is --report ".*\/real\/r\.json" through a symbolic link \(both are .*\/real\/r\.json\): one would overwrite the other/);
  // The library refuses before anything is opened, with the same error.
  const before = sha256(t.input);
  await assert.rejects(validateExport(t.input, { rejects: t.through['a symlinked folder'] }), (e: unknown) => isChatmigrateError(e) && e.code === 'CM_USAGE' && e.exitCode === 2 && /is INPUT/.test(e.message));
  assert.equal(sha256(t.input), before);
  assert.deepEqual(readdirSync(t.real).sort(), [basename(temp), 'export.ndjson', 'rooms.json'].sort());
});

test('--to rocketchat: --report through a link to the selection is refused before anything is read or sent', { timeout: 20_000 }, async () => {
  const t = layout();
  const before = sha256(t.input);
  const dry = await runCli(['validate', '--to', 'rocketchat', t.input, '--report', t.through['a symlinked folder']]);
  assert.equal(dry.code, 2, dry.stderr);
  assert.match(dry.stderr, /--report ".*\/alias\/export\.ndjson" is INPUT ".*\/real\/export\.ndjson" through a symbolic link/);
  await withSandbox({}, async (sandbox) => {
    const root = sandbox.baseUrl.replace(/\/v3$/, '');
    const r = await runCli(['import', '--to', 'rocketchat', t.input, '--base-url', root, '--report', t.through['a hard link']], { env: { ROCKETCHAT_USER_ID: 'sandbox-admin', ROCKETCHAT_AUTH_TOKEN: 'sandbox-token', COMETCHAT_API_KEY: SANDBOX_KEY } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--report ".*\/hard\.ndjson" is INPUT ".*\/real\/export\.ndjson" through a hard link/);
    assert.equal(sandbox.stats().requests, 0, 'nothing sent');
  });
  assert.equal(sha256(t.input), before);
});
