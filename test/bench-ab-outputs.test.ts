// `ab:outputs` end to end with real builds and child processes, in one run against a copy of
// this build whose executable judges joinedAt as if --now were 400 days earlier: the Rocket.Chat
// fixture (joins long before either date) comes out identical in validate and in import (into
// each build's own sandbox), a small generated input differs in its report, rejects file and
// accepted members, shown as a unified diff; exit 1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyBuild, shiftNow } from './helpers/build-copy.js';

const ROOT = realpathSync(fileURLToPath(new URL('../../', import.meta.url)));
const TOOL = join(ROOT, 'dist', 'bench', 'ab-outputs.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TOOL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('ab:outputs: identical where the builds agree; where one judges differently, shows the difference and fails', { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ab-outputs-test-'));
  try {
    const other = copyBuild(ROOT, join(tmp, 'other'));
    shiftNow(other, 400);
    const d = await run(['--against', other, '--count', '200', '--only', 'rocketchat/subscriptions.ndjson', '--only', 'gen-ndjson.ndjson']);
    assert.equal(d.code, 1, `${d.stdout}\n${d.stderr.slice(-2000)}`);
    assert.match(d.stdout, /\| rocketchat\/subscriptions\.ndjson \| validate \| 3 \/ 3 \| same \| same \| — \| identical \|/);
    assert.match(d.stdout, /\| rocketchat\/subscriptions\.ndjson \| import \| 3 \/ 3 \| same \| same \| same \| identical \|/);
    assert.match(d.stdout, /\| gen-ndjson\.ndjson \| validate \| 3 \/ 3 \| differs \| differs \| — \| DIFFERS \|/);
    assert.match(d.stdout, /\| gen-ndjson\.ndjson \| import \| 3 \/ 3 \| differs \| differs \| differs \| DIFFERS \|/);
    // A unified diff of the first differing lines: the ref (the shifted copy) rejected more records as joined in the future.
    assert.match(d.stdout, /^--- ref\/1-gen-ndjson\.ndjson-validate\/report\.json$/m);
    assert.match(d.stdout, /^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    assert.match(d.stdout, /^-  "invalid": \d+,$/m);
    assert.match(d.stdout, /^-\{"reason":"JOINED_IN_FUTURE"/m);
    assert.match(d.stdout, /DIFFERS: 2 of 4 cases/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
