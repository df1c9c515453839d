// How a secret travels (issue 18.2): a base URL is https (verified; a private CA through
// NODE_EXTRA_CA_CERTS) or plain http to this machine; plain http to another host is refused,
// naming the flag and why, before any connection, unless --allow-insecure-http.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../src/base-url.js';
import { resolveConfig } from '../src/config.js';
import { isChatmigrateError } from '../src/errors.js';
import { resolveRocketChatConfig } from '../src/rocketchat-import/config.js';
import { runCli } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';

const FIXTURE = 'fixtures/members.ndjson';
/** `.invalid` never resolves (RFC 2606): even a regression would not reach another machine. */
const NOWHERE = 'http://chatmigrate-insecure-http.invalid';

const insecure = (fn: () => unknown, flag: RegExp): void =>
  assert.throws(fn, (err) => isChatmigrateError(err) && err.code === 'CM_USAGE' && flag.test(err.message) && /unencrypted/.test(err.message) && /--allow-insecure-http/.test(err.hint ?? ''));

test('loopback is localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped), in any spelling the URL parser accepts', () => {
  for (const url of ['http://localhost:8080', 'http://LOCALHOST', 'http://127.0.0.1', 'http://127.255.0.9:1', 'http://0x7f000001', 'http://[::1]:80', 'http://[0:0:0:0:0:0:0:1]', 'http://[::ffff:127.0.0.1]']) {
    assert.ok(isLoopbackHost(new URL(url).hostname), url);
  }
  for (const url of ['http://10.0.0.1', 'http://128.0.0.1', 'http://126.255.255.255', 'http://[::2]', 'http://[::ffff:10.0.0.1]', 'http://localhost.example.com', 'http://127.0.0.1.nip.io', 'http://chat.example.com']) {
    assert.ok(!isLoopbackHost(new URL(url).hostname), url);
  }
});

test('CometChat --base-url: plain http to another host is refused (exit code 2), https and loopback are not, --allow-insecure-http allows', () => {
  insecure(() => resolveConfig('import', { baseUrl: 'http://chat.example.com/v3', apiKey: 'k' }, {}), /^--base-url http:\/\/chat\.example\.com is plain http to another machine: the API key/);
  assert.throws(() => resolveConfig('import', { baseUrl: 'http://10.0.0.5/v3', apiKey: 'k' }, {}), (err) => isChatmigrateError(err) && err.exitCode === 2);
  // Only the origin is shown: a user:password@ part or a query would be secrets or noise.
  assert.throws(
    () => resolveConfig('import', { baseUrl: 'http://admin:hunter2@chat.example.com/v3?token=abc', apiKey: 'k' }, {}),
    (err) => isChatmigrateError(err) && !/hunter2|token=abc/.test(err.message + (err.hint ?? '')),
  );
  // The refusal comes before the key is looked for: no key file is read for a run that cannot go.
  insecure(() => resolveConfig('import', { baseUrl: 'http://chat.example.com/v3', apiKeyFile: '/nonexistent/key' }, {}), /^--base-url/);
  assert.equal(resolveConfig('import', { baseUrl: 'https://chat.example.com/v3', apiKey: 'k' }, {}).baseUrl, 'https://chat.example.com/v3');
  assert.equal(resolveConfig('import', { baseUrl: 'http://127.0.0.1:9/v3', apiKey: 'k' }, {}).baseUrl, 'http://127.0.0.1:9/v3');
  assert.equal(resolveConfig('import', { baseUrl: 'http://[::1]:9/v3', apiKey: 'k' }, {}).baseUrl, 'http://[::1]:9/v3');
  assert.equal(resolveConfig('import', { baseUrl: 'http://chat.example.com/v3', apiKey: 'k', allowInsecureHttp: true }, {}).baseUrl, 'http://chat.example.com/v3');
  // validate sends nothing, so there is nothing to protect.
  assert.equal(resolveConfig('validate', { baseUrl: 'http://chat.example.com/v3' }, {}).baseUrl, 'http://chat.example.com/v3');
});

test('Rocket.Chat --base-url: the same rule for the auth token', () => {
  const env = { ROCKETCHAT_USER_ID: 'u', ROCKETCHAT_AUTH_TOKEN: 't' };
  insecure(() => resolveRocketChatConfig({ baseUrl: 'http://chat.example.com' }, env), /^--base-url http:\/\/chat\.example\.com is plain http to another machine: the auth token/);
  assert.equal(resolveRocketChatConfig({ baseUrl: 'http://localhost:3000' }, env).baseUrl, 'http://localhost:3000');
  assert.equal(resolveRocketChatConfig({ baseUrl: 'https://chat.example.com/' }, env).baseUrl, 'https://chat.example.com');
  assert.equal(resolveRocketChatConfig({ baseUrl: 'http://chat.example.com', allowInsecureHttp: true }, env).baseUrl, 'http://chat.example.com');
  assert.equal(resolveRocketChatConfig({ baseUrl: 'http://chat.example.com', input: '-' }, {}, 'validate').baseUrl, 'http://chat.example.com', 'a dry run sends nothing');
});

test('the real CLI refuses plain http to a host that does not resolve with exit 2, before any connection is tried', { timeout: 20_000 }, async () => {
  // Without the check both runs would try to connect, fail (no such host) and end with exit 1.
  const common = ['--max-retries', '0', '--request-timeout-ms', '2000', '--log-level', 'debug'];
  const cometchat = await runCli(['import', FIXTURE, '--base-url', `${NOWHERE}/v3`, '--api-key', 'k', '--now', String(NOW), ...common]);
  assert.equal(cometchat.code, 2, cometchat.stderr);
  assert.match(cometchat.stderr, /--base-url http:\/\/chatmigrate-insecure-http\.invalid is plain http to another machine.*\[CM_USAGE\]/);
  assert.match(cometchat.stderr, /hint: use https:\/\/ \(for a private CA, set NODE_EXTRA_CA_CERTS=.*or add --allow-insecure-http/);
  assert.doesNotMatch(cometchat.stderr, /ENOTFOUND|EAI_AGAIN|run started/, 'nothing ran');

  const rocketchat = await runCli(['import', '--to', 'rocketchat', '--base-url', NOWHERE, ...common], { env: { ROCKETCHAT_USER_ID: 'u', ROCKETCHAT_AUTH_TOKEN: 't' } });
  assert.equal(rocketchat.code, 2, rocketchat.stderr);
  assert.match(rocketchat.stderr, /--base-url http:\/\/chatmigrate-insecure-http\.invalid is plain http to another machine: the auth token/);
  assert.doesNotMatch(rocketchat.stderr, /ENOTFOUND|EAI_AGAIN/);
});

const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('https stays verified: a self-signed server is refused, and trusted through NODE_EXTRA_CA_CERTS', { timeout: 20_000, skip: openssl ? false : 'needs the openssl command to make a certificate' }, async () => {
  const dir = tempDir();
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  let requests = 0;
  // Any request that gets through TLS is answered as CometChat answers an unknown key.
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
    requests++;
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'AUTH_ERR_APIKEY_NOT_FOUND', message: 'unknown key' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
    const args = ['import', FIXTURE, '--base-url', baseUrl, '--api-key', 'k', '--now', String(NOW), '--max-retries', '0', '--rpm', '0'];
    const untrusted = await runCli(args);
    assert.equal(untrusted.code, 1, untrusted.stderr);
    assert.match(untrusted.stderr, /self[- ]signed certificate|CERT|certificate/i);
    assert.equal(requests, 0, 'no request got through an unverified connection');
    const trusted = await runCli(args, { env: { NODE_EXTRA_CA_CERTS: cert } });
    assert.equal(trusted.code, 1, trusted.stderr);
    assert.match(trusted.stderr, /\[CM_AUTH\]/, 'the server was reached and answered');
    assert.ok(requests >= 1);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
