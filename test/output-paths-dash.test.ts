// `--rejects -` (and every other output given as "-"): INPUT `-` is stdin, so "-" reads as a
// standard stream, but as an output path it once created a file named "-". Refused (exit 2),
// naming what does put the output on stdout; nothing is created.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';
import { guardRunFiles, pipelineFiles } from '../src/accounting/output-paths.js';
import { isChatmigrateError } from '../src/errors.js';

const FIXTURE = join(process.cwd(), 'fixtures/members.ndjson');

test('an output given as "-" is a usage error that names the way to stdout', async () => {
  const hints: Record<string, string> = {
    rejects: 'for --rejects on stdout write --rejects /dev/stdout, or give a file path (./- if you really mean that name)',
    report: 'for the report on stdout use --json, or give a file path (./- if you really mean that name)',
    checkpoint: 'give a file path (./- if you really mean that name)',
    ids: 'for --ids on stdout write --ids /dev/stdout, or give a file path (./- if you really mean that name)',
  };
  for (const [key, hint] of Object.entries(hints)) {
    await assert.rejects(guardRunFiles(pipelineFiles({ input: FIXTURE, [key]: '-' }, false)), (e: unknown) => {
      assert.ok(isChatmigrateError(e) && e.code === 'CM_USAGE' && e.exitCode === 2, String(e));
      assert.equal(e.message, `--${key} "-" names no file (only INPUT - means a standard stream): it would create a file named "-"`);
      assert.equal(e.hint, hint);
      return true;
    });
  }
});

test('the CLI: `validate FILE --rejects -` exits 2 and leaves no file named "-" behind', async () => {
  const dir = tempDir('cm-dash-');
  const child = spawn(process.execPath, [CLI, 'validate', FIXTURE, '--rejects', '-'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^chatmigrate: --rejects "-" names no file/);
  assert.equal(existsSync(join(dir, '-')), false);
});
