// Where the CometChat endpoint comes from: --base-url wins; otherwise the app id and region
// (flags or environment) make it, checked when an import will use it and only then.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../src/config.js';
import { isChatmigrateError } from '../src/errors.js';

const refused = (fn: () => unknown, message: RegExp): void =>
  assert.throws(fn, (err) => isChatmigrateError(err) && err.code === 'CM_USAGE' && message.test(err.message));

test('app id and region make the URL; the environment is trimmed and its region case-insensitive', () => {
  assert.equal(resolveConfig('import', { appId: 'MyApp', apiKey: 'k' }, { COMETCHAT_REGION: ' EU ' }).baseUrl, 'https://myapp.api-eu.cometchat.io/v3');
  assert.equal(resolveConfig('import', { apiKey: 'k' }, { COMETCHAT_APP_ID: 'abc123\r\n' }).baseUrl, 'https://abc123.api-us.cometchat.io/v3');
  assert.equal(resolveConfig('import', { appId: 'abc', region: 'in', apiKey: 'k' }, { COMETCHAT_REGION: 'eu' }).baseUrl, 'https://abc.api-in.cometchat.io/v3', 'the flag wins');
});

test('a bad app id or region is refused for import, naming where it came from; unused ones are not', () => {
  refused(() => resolveConfig('import', { apiKey: 'k' }, { COMETCHAT_APP_ID: 'a/b' }), /^COMETCHAT_APP_ID expects a CometChat app ID .*, got "a\/b"$/);
  refused(() => resolveConfig('import', { appId: 'evil.example.com#', apiKey: 'k' }, {}), /^--app-id expects/);
  refused(() => resolveConfig('import', { appId: 'ab', apiKey: 'k' }, { COMETCHAT_REGION: 'mars' }), /^COMETCHAT_REGION expects one of us, eu, in, got "mars"$/);
  // --base-url makes them irrelevant; validate sends nothing.
  assert.equal(resolveConfig('import', { baseUrl: 'http://127.0.0.1:9/v3', apiKey: 'k' }, { COMETCHAT_APP_ID: 'my_app', COMETCHAT_REGION: 'mars' }).baseUrl, 'http://127.0.0.1:9/v3');
  assert.equal(resolveConfig('validate', {}, { COMETCHAT_APP_ID: 'my_app', COMETCHAT_REGION: 'mars' }).baseUrl, undefined);
});
