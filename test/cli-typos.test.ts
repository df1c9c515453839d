// A mistyped command, flag or flag value is a usage error (exit 2) that suggests what was meant:
// `-kind` (one dash) is the flag --kind, not the short flags -k -i -n -d; `--kind user` is users.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatmigrateError } from '../src/errors.js';
import { parseCommandArgs } from '../src/cli/parse-args.js';
import { parseSandboxArgs } from '../src/cli/sandbox-command.js';
import { resolveConfig } from '../src/config.js';
import { runCli } from './helpers/cli.js';

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ChatmigrateError, String(err));
    assert.equal(err.code, 'CM_USAGE');
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  assert.fail('no usage error');
}

test('an unknown flag names it as typed and the flag meant, one dash short included', () => {
  const cases: Array<[string, string[], string]> = [
    ['validate', ['x.json', '-kind', 'users'], 'unknown option -kind for validate (did you mean --kind?)'],
    ['import', ['x.json', '-kind=users'], 'unknown option -kind for import (did you mean --kind?)'],
    ['migrate', ['-dump-dir', 'd'], 'unknown option -dump-dir for migrate (did you mean --dump-dir?)'],
    ['validate', ['x.json', '--kindd', 'users'], 'unknown option --kindd for validate (did you mean --kind?)'],
    // A lone letter suggests the one flag it starts, or nothing (not the nearest short word).
    ['validate', ['x.json', '-h'], 'unknown option -h for validate (did you mean --help?)'],
    ['validate', ['x.json', '-x'], 'unknown option -x for validate'],
  ];
  for (const [command, argv, message] of cases) {
    assert.equal(usage(() => parseCommandArgs(command as 'validate', argv)), message, argv.join(' '));
  }
  assert.equal(usage(() => parseSandboxArgs(['-port', '3'], {})), 'unknown option -port for sandbox (did you mean --port?)');
});

test('a mistyped value of a flag with a fixed set of values suggests the one meant', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ kind: 'user' }, '--kind expects one of users, groups, members, messages, got "user" (did you mean users?)'],
    [{ kind: 'Messages' }, '--kind expects one of users, groups, members, messages, got "Messages" (did you mean messages?)'],
    [{ from: 'ndjosn' }, '--from expects one of auto, cometchat, map, array, ndjson, rocketchat, bson, got "ndjosn" (did you mean ndjson?)'],
    [{ onMalformed: 'skp' }, '--on-malformed expects one of stop, skip, got "skp" (did you mean skip?)'],
    // Nothing near: the list alone.
    [{ kind: 'channels' }, '--kind expects one of users, groups, members, messages, got "channels"'],
  ];
  for (const [options, message] of cases) assert.equal(usage(() => resolveConfig('validate', { input: 'x.json', ...options }, {})), message, JSON.stringify(options));
});

test('an unknown command suggests the one meant', async () => {
  const r = await runCli(['imprt', 'x.json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^chatmigrate: unknown command "imprt" \(did you mean import\?\): expected import, validate, migrate, sandbox or demo \[CM_USAGE\]\n/);
});
