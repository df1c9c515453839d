// The executable's shebang and src/runtime-flags.ts (which the benchmarks start their probes
// with) must say the same, and the executable must run through that shebang as installed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI } from './helpers/cli.js';
import { NODE_FLAGS, RUNTIME_ENV } from '../src/runtime-flags.js';

test('the shebang starts node with exactly the runtime flags and environment the benchmarks use', () => {
  const first = readFileSync(CLI, 'utf8').split('\n')[0]!;
  const env = Object.entries(RUNTIME_ENV).map(([k, v]) => `${k}=${v}`);
  assert.equal(first, `#!/usr/bin/env -S ${[...env, 'node', ...NODE_FLAGS].join(' ')}`);
});

test('the built executable is executable and runs through its shebang (env -S), as npx runs it', { skip: process.platform === 'win32' }, () => {
  // `npm ci` builds it (prepare) and marks it executable: `npx chatmigrate` needs both.
  accessSync(CLI, constants.X_OK);
  const r = spawnSync(CLI, ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});
