// `chatmigrate sandbox` (runSandboxCommand): flag parsing and usage errors in process, and a real
// sandbox in a child process: one stdout line with the base URL, introspection, SIGTERM, summary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'undici';
import { parseSandboxArgs, runSandboxCommand } from '../src/cli/sandbox-command.js';
import { isChatmigrateError } from '../src/errors.js';
import { startSandbox } from '../src/sandbox/index.js';
import { CLI } from './helpers/cli.js';
import { SEED_REQUEST } from './helpers/seeds.js';

function launch(args: string[], env: NodeJS.ProcessEnv = {}) {
  // The real executable, as users run it.
  const child = spawn(process.execPath, [CLI, 'sandbox', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COMETCHAT_API_KEY: '', ...env },
    timeout: 20_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const firstLine = new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    };
    child.stdout.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before printing a URL; stderr: ${stderr}`)));
  });
  const exited = once(child, 'exit').then(([code]) => code as number);
  return { child, firstLine, exited, out: () => stdout, err: () => stderr };
}

test('flags map to sandbox options; bad values are usage errors naming the flag', async () => {
  const { options, help, defaultKey } = parseSandboxArgs(
    ['--port', '0', '--rpm', '5', '--window-ms', '500', '--max-entities', '10', '--nested-replies', '--error-rate', '0.25', '--seed', '9', '--stall-after', '3'],
    { COMETCHAT_API_KEY: 'from-env' },
  );
  assert.equal(help, false);
  assert.equal(defaultKey, false);
  assert.equal(options.apiKey, 'from-env');
  assert.equal(options.rpm, 5);
  assert.equal(options.windowMs, 500);
  assert.equal(options.maxEntities, 10);
  assert.equal(options.nestedReplies, true);
  assert.equal(options.requireKnownGroupsAndUsers, true);
  assert.equal(options.storeFullRecords, true);
  assert.equal(parseSandboxArgs(['--compact-records', '--allow-unknown'], {}).options.storeFullRecords, false);
  assert.equal(parseSandboxArgs(['--allow-unknown'], {}).options.requireKnownGroupsAndUsers, false);
  assert.equal(options.faults?.errorRate, 0.25);
  assert.equal(options.faults?.seed, 9);
  assert.equal(options.faults?.stallAfter, 3);
  const defaults = parseSandboxArgs([], { COMETCHAT_API_KEY: '' });
  assert.equal(defaults.options.apiKey, 'sandbox-key');
  assert.equal(defaults.defaultKey, true);
  assert.equal(defaults.options.rpm, 60);
  assert.equal(parseSandboxArgs(['--api-key', 'flag-wins'], { COMETCHAT_API_KEY: 'env' }).options.apiKey, 'flag-wins');

  const bad: Array<[string[], RegExp]> = [
    [['--rpm', 'lots'], /^--rpm expects an integer .* got "lots"$/],
    [['--port', '70000'], /^--port expects an integer from 0 to 65535, got "70000"$/],
    [['--error-rate', '1.5'], /^--error-rate expects a number from 0 to 1, got "1.5"$/],
    [['--window-ms', '0'], /^--window-ms expects/],
    [['--bogus'], /--bogus/],
    [['--port'], /^--port expects a value/],
    [['extra'], /no positional arguments, got "extra"/],
  ];
  for (const [argv, message] of bad) {
    await assert.rejects(runSandboxCommand(argv), (err: unknown) => {
      assert.ok(isChatmigrateError(err), String(err));
      assert.equal(err.code, 'CM_USAGE');
      assert.equal(err.exitCode, 2);
      assert.match(err.message, message);
      return true;
    });
  }
});

test('a port already in use is a usage error naming --port and saying it is in use', { timeout: 5000 }, async () => {
  const busy = await startSandbox({ apiKey: 'x' });
  try {
    const port = Number(new URL(busy.url).port);
    await assert.rejects(runSandboxCommand(['--port', String(port)]), (err: unknown) => {
      assert.ok(isChatmigrateError(err));
      assert.equal(err.code, 'CM_USAGE');
      assert.equal(err.message, `--port ${port}: that port is already in use on 127.0.0.1`);
      return true;
    });
  } finally {
    await busy.close();
  }
});

test('the sandbox command in a child process: one URL line, works, stops on SIGTERM with a summary', async () => {
  const secret = 'child-secret-key';
  const run = launch(['--rpm', '100', '--window-ms', '1000'], { COMETCHAT_API_KEY: secret });
  try {
    const baseUrl = await run.firstLine;
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v3$/);
    const root = baseUrl.slice(0, -'/v3'.length);
    const body = SEED_REQUEST;
    const res = await request(`${baseUrl}/data_import/members`, { method: 'POST', headers: { apikey: secret }, body: JSON.stringify(body) });
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as any).data.guid1_member_uid2.data.joinedAt, 1673421419);

    const stats = (await (await request(`${root}/__sandbox/stats`)).body.json()) as any;
    assert.equal(stats.accepted.members, 1);
    const nd = await (await request(`${root}/__sandbox/accepted/members`)).body.text();
    assert.deepEqual(JSON.parse(nd.trim()), body.members.guid1_member_uid2);

    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.equal(run.out(), `${baseUrl}\n`, 'stdout holds exactly the URL line');
    assert.match(run.err(), /sandbox: 1 request \(200: 1\)/);
    assert.match(run.err(), /accepted 1 member,/);
    assert.ok(!run.err().includes(secret), 'the key is never printed');
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('without a key the child accepts the default and says so on stderr; --help prints usage', async () => {
  const run = launch([]);
  try {
    const baseUrl = await run.firstLine;
    const res = await request(`${baseUrl}/data_import/members`, { method: 'POST', headers: { apikey: 'sandbox-key' }, body: '{"members":{}}' });
    assert.equal(res.statusCode, 400); // authenticated, then refused for the empty wrapper
    await res.body.dump();
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0);
    assert.match(run.err(), /sandbox-key/);
  } finally {
    run.child.kill('SIGKILL');
  }

  // Help wins over a bad value on the same line, and lists the inspection routes.
  const help = launch(['--help', '--port', 'abc']);
  assert.equal(await help.exited, 0);
  assert.match(help.out(), /Usage: chatmigrate sandbox/);
  assert.match(help.out(), /--spurious-429-rate/);
  assert.match(help.out(), /GET  \/__sandbox\/accepted\/KIND/);
});
