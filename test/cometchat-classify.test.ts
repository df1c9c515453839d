// Unit tests for the pure CometChat reply classifier: plain values in, decisions out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyReply, type Classification } from '../src/sinks/cometchat/classify.js';
import { MAX_WAIT_MS, readSpentBudgetWaitMs, readWaitMs } from '../src/sinks/rate-hints.js';
import { describeTransportFailure } from '../src/sinks/transport-errors.js';

const NOW = 1_700_000_000_000; // a fixed wall clock, ms
const KEYS = ['g_member_a', 'g_member_b', 'g_member_c'];
const ok = (data?: object) => ({ success: true, data: data ?? { guid: 'g' } });
const fail = (code: string, message = `${code} message`) => ({ success: false, error: { code, message } });

function expectKind<K extends Classification['kind']>(c: Classification, kind: K): Extract<Classification, { kind: K }> {
  assert.equal(c.kind, kind, `expected ${kind}, got ${JSON.stringify(c, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v))}`);
  return c as Extract<Classification, { kind: K }>;
}

test('all entities succeeded (flat nesting) → ok, each imported', () => {
  const c = expectKind(classifyReply({ status: 200, headers: {}, body: { data: { g_member_a: ok(), g_member_b: ok(), g_member_c: ok() } } }, KEYS, NOW), 'ok');
  assert.deepEqual([...c.outcomes], KEYS.map((k) => [k, { kind: 'imported' }]));
});

test('deeper nesting data.<id>.data.data and data.<id>.data.success are both accepted', () => {
  const body = {
    data: {
      g_member_a: { success: true, data: { data: { guid: 'g', uid: 'a' } } },
      g_member_b: { data: { success: true, data: { guid: 'g', uid: 'b' } } },
      g_member_c: { data: { success: false, error: { code: 'ERR_ALREADY_JOINED', message: 'joined' } } },
    },
  };
  const c = expectKind(classifyReply({ status: 200, headers: {}, bodyText: JSON.stringify(body) }, KEYS, NOW), 'ok');
  assert.deepEqual(c.outcomes.get('g_member_a'), { kind: 'imported' });
  assert.deepEqual(c.outcomes.get('g_member_b'), { kind: 'imported' });
  assert.deepEqual(c.outcomes.get('g_member_c'), { kind: 'alreadyPresent', code: 'ERR_ALREADY_JOINED' });
});

test('every already-present code counts as alreadyPresent', () => {
  const codes = ['ERR_ALREADY_JOINED', 'ERR_UID_ALREADY_EXISTS', 'ERR_GUID_ALREADY_EXISTS', 'ERR_IMPORT_MUID_ALREADY_EXISTS'];
  const keys = codes.map((_, i) => `k${i}`);
  const data = Object.fromEntries(codes.map((code, i) => [`k${i}`, fail(code)]));
  const c = expectKind(classifyReply({ status: 200, headers: {}, body: { data } }, keys, NOW), 'ok');
  codes.forEach((code, i) => assert.deepEqual(c.outcomes.get(`k${i}`), { kind: 'alreadyPresent', code }));
});

test('other per-entity codes are rejected with the server code and message', () => {
  const codes = ['ERR_IMPORT_INVALID_JOINEDAT', 'ERR_UID_NOT_FOUND', 'ERR_GUID_NOT_FOUND', 'ERR_BAD_REQUEST', 'ERR_SOMETHING_NEW'];
  const keys = codes.map((_, i) => `k${i}`);
  const data = Object.fromEntries(codes.map((code, i) => [`k${i}`, fail(code, `why ${i}`)]));
  const c = expectKind(classifyReply({ status: 200, headers: {}, body: { data } }, keys, NOW), 'ok');
  codes.forEach((code, i) => assert.deepEqual(c.outcomes.get(`k${i}`), { kind: 'rejected', code, message: `why ${i}` }));
});

test('a failure without a code is final (ERR_UNKNOWN), not retried', () => {
  const c = expectKind(classifyReply({ status: 200, headers: {}, body: { data: { a: { success: false } } } }, ['a'], NOW), 'ok');
  assert.equal(c.outcomes.get('a')?.kind, 'rejected');
  assert.equal((c.outcomes.get('a') as { code: string }).code, 'ERR_UNKNOWN');
});

test('per-entity throttling and internal errors → partial, only those keys retried', () => {
  const body = {
    data: {
      g_member_a: ok(),
      g_member_b: fail('ERR_TOO_MANY_REQUESTS', 'Too many requests, retry after 7 seconds'),
      g_member_c: fail('ERR_INTERNAL_SERVER_ERROR'),
    },
  };
  const c = expectKind(classifyReply({ status: 200, headers: {}, body }, KEYS, NOW), 'partial');
  assert.deepEqual([...c.outcomes.keys()], ['g_member_a']);
  assert.deepEqual(c.retryKeys, ['g_member_b', 'g_member_c']);
  assert.equal(c.throttled, true);
  assert.equal(c.waitMs, 7000);
  assert.match(c.reason, /1 ERR_TOO_MANY_REQUESTS/);
  assert.match(c.reason, /1 transient/);
});

test('an entity missing from the reply is retried; extra keys are ignored', () => {
  const body = { data: { g_member_a: ok(), g_member_c: fail('ERR_UID_NOT_FOUND'), unrelated: ok(), g_member_b: 'garbage' } };
  const c = expectKind(classifyReply({ status: 200, headers: {}, body }, KEYS, NOW), 'partial');
  assert.deepEqual(c.retryKeys, ['g_member_b']);
  assert.equal(c.throttled, false);
  assert.equal(c.waitMs, undefined);
  assert.equal(c.outcomes.size, 2);
  assert.match(c.reason, /1 entities missing/);
});

test('per-entity auth code stops the run', () => {
  const c = expectKind(classifyReply({ status: 200, headers: {}, body: { data: { a: fail('AUTH_ERR_NO_ACCESS') } } }, ['a'], NOW), 'fatal');
  assert.equal(c.errorCode, 'CM_AUTH');
});

test('auth error codes are fatal CM_AUTH whatever the status', () => {
  for (const code of ['AUTH_ERR_EMPTY_APIKEY', 'AUTH_ERR_APIKEY_NOT_FOUND', 'AUTH_ERR_NO_ACCESS']) {
    for (const status of [401, 403, 400, 200, 500]) {
      const c = expectKind(classifyReply({ status, headers: {}, body: { error: { code, message: 'nope' } } }, KEYS, NOW), 'fatal');
      assert.equal(c.errorCode, 'CM_AUTH');
      assert.equal(c.reason, `HTTP ${status} ${code}`);
      assert.equal(c.message, 'nope');
    }
  }
});

test('401/403 without a readable code are fatal CM_AUTH', () => {
  assert.equal(expectKind(classifyReply({ status: 401, headers: {}, bodyText: '<html>no</html>' }, KEYS, NOW), 'fatal').errorCode, 'CM_AUTH');
  assert.equal(expectKind(classifyReply({ status: 403, headers: {}, bodyText: '' }, KEYS, NOW), 'fatal').errorCode, 'CM_AUTH');
});

test('whole-request format errors reject every entity, no retry', () => {
  // Every kind's format code, known by its code even on a status that would otherwise be retried.
  for (const kind of ['MEMBER', 'USER', 'GROUP', 'MESSAGE']) {
    const code = `ERR_IMPORT_INVALID_${kind}_FORMAT`;
    assert.deepEqual(classifyReply({ status: 500, headers: {}, body: { error: { code, message: 'bad wrapper' } } }, KEYS, NOW), { kind: 'rejectAll', code, message: 'bad wrapper' }, code);
  }
  for (const code of ['ERR_IMPORT_INVALID_MEMBER_FORMAT', 'ERR_BAD_REQUEST']) {
    const c = expectKind(classifyReply({ status: 400, headers: {}, body: { error: { code, message: 'bad wrapper' } } }, KEYS, NOW), 'rejectAll');
    assert.deepEqual(c, { kind: 'rejectAll', code, message: 'bad wrapper' });
  }
  // Code first: even on a status that would otherwise be retried.
  expectKind(classifyReply({ status: 500, headers: {}, body: { error: { code: 'ERR_BAD_REQUEST', message: 'x' } } }, KEYS, NOW), 'rejectAll');
  // An unknown code on a plain 4xx is still about this request.
  expectKind(classifyReply({ status: 422, headers: {}, body: { error: { code: 'ERR_WHATEVER', message: 'x' } } }, KEYS, NOW), 'rejectAll');
});

test('a 4xx whose body is unusable, or a wrong URL, is fatal CM_TARGET', () => {
  assert.equal(expectKind(classifyReply({ status: 400, headers: {}, bodyText: '<html>Bad Request</html>' }, KEYS, NOW), 'fatal').errorCode, 'CM_TARGET');
  assert.equal(expectKind(classifyReply({ status: 404, headers: {}, body: { error: { code: 'ERR_NOT_FOUND', message: 'no route' } } }, KEYS, NOW), 'fatal').errorCode, 'CM_TARGET');
  assert.equal(expectKind(classifyReply({ status: 301, headers: { location: 'x' }, bodyText: '' }, KEYS, NOW), 'fatal').errorCode, 'CM_TARGET');
});

test('5xx (JSON or HTML), 408 and transient codes → retry the whole request', () => {
  for (const status of [500, 502, 503, 504]) {
    const c = expectKind(classifyReply({ status, headers: {}, bodyText: `<html>${status}</html>` }, KEYS, NOW), 'retry');
    assert.equal(c.reason, `HTTP ${status}`);
    assert.equal(c.throttled, false);
  }
  const c = expectKind(classifyReply({ status: 502, headers: {}, body: { error: { code: 'ERR_BAD_GATEWAY', message: 'x' } } }, KEYS, NOW), 'retry');
  assert.equal(c.reason, 'HTTP 502 ERR_BAD_GATEWAY');
  expectKind(classifyReply({ status: 408, headers: {}, bodyText: '' }, KEYS, NOW), 'retry');
  expectKind(classifyReply({ status: 400, headers: {}, body: { error: { code: 'ERR_SERVICE_UNAVAILABLE', message: 'x' } } }, KEYS, NOW), 'retry');
});

test('a 2xx without a readable per-entity map is retried (re-import is idempotent)', () => {
  const c = expectKind(classifyReply({ status: 200, headers: {}, bodyText: 'not json' }, KEYS, NOW), 'retry');
  assert.match(c.reason, /unreadable/);
});

test('429 → throttled retry with the wait from Retry-After', () => {
  const c = expectKind(
    classifyReply({ status: 429, headers: { 'Retry-After': '3' }, body: { error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'slow down' } } }, KEYS, NOW),
    'retry',
  );
  assert.deepEqual(c, { kind: 'retry', reason: 'HTTP 429 ERR_TOO_MANY_REQUESTS', throttled: true, waitMs: 3000 });
  // Status alone, no body, no hint: throttled, the caller falls back to its backoff.
  assert.deepEqual(classifyReply({ status: 429, headers: {}, bodyText: '' }, KEYS, NOW), { kind: 'retry', reason: 'HTTP 429', throttled: true, waitMs: undefined });
  // Code first: ERR_TOO_MANY_REQUESTS on another status is still throttling.
  assert.equal(expectKind(classifyReply({ status: 200, headers: {}, body: { error: { code: 'ERR_TOO_MANY_REQUESTS', message: '' } } }, KEYS, NOW), 'retry').throttled, true);
});

test('wait time: both reset header spellings, any case, epoch or relative seconds', () => {
  const epochSec = String(NOW / 1000 + 12);
  assert.equal(readWaitMs({ 'x-rate-limit-reset': epochSec }, undefined, NOW), 12_000);
  assert.equal(readWaitMs({ 'X-RateLimit-Reset': epochSec }, undefined, NOW), 12_000);
  assert.equal(readWaitMs({ 'X-RATE-LIMIT-RESET': '5' }, undefined, NOW), 5_000);
  assert.equal(readWaitMs({ 'x-ratelimit-reset': String(NOW + 2500) }, undefined, NOW), 2_500); // epoch ms
  assert.equal(readWaitMs({ 'x-ratelimit-reset': String(NOW / 1000 - 100) }, undefined, NOW), 0); // already passed
  assert.equal(readWaitMs({ 'x-ratelimit-reset': ['4', '9'] }, undefined, NOW), 4_000);
});

test('wait time: Retry-After wins, and takes seconds or an HTTP date', () => {
  assert.equal(readWaitMs({ 'retry-after': '2', 'x-rate-limit-reset': '50' }, 'retry after 9 seconds', NOW), 2_000);
  assert.equal(readWaitMs({ 'RETRY-AFTER': '1.5' }, undefined, NOW), 1_500);
  assert.equal(readWaitMs({ 'retry-after': new Date(NOW + 30_000).toUTCString() }, undefined, NOW), 30_000);
  assert.equal(readWaitMs({ 'retry-after': '999999999' }, undefined, NOW), MAX_WAIT_MS);
});

test('wait time: "retry after N seconds" in the message text', () => {
  assert.equal(readWaitMs({}, 'Too many requests. Please retry after 4 seconds.', NOW), 4_000);
  assert.equal(readWaitMs({}, 'Retry in 250 ms', NOW), 250);
  assert.equal(readWaitMs({}, 'RETRY AFTER 2', NOW), 2_000);
  assert.equal(readWaitMs({}, 'slow down', NOW), undefined);
  assert.equal(readWaitMs({ 'retry-after': 'soon' }, undefined, NOW), undefined);
  const c = expectKind(classifyReply({ status: 429, headers: {}, body: { error: { code: 'ERR_TOO_MANY_REQUESTS', message: 'retry after 6 seconds' } } }, KEYS, NOW), 'retry');
  assert.equal(c.waitMs, 6_000);
});

test('spent budget: X-RateLimit-Remaining 0 with a reset in epoch ms or seconds, either spelling', () => {
  assert.equal(readSpentBudgetWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW + 1500) }, NOW), 1_500);
  assert.equal(readSpentBudgetWaitMs({ 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': String(NOW / 1000 + 3) }, NOW), 3_000);
  assert.equal(readSpentBudgetWaitMs({ 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': String(NOW + 1500) }, NOW), undefined, 'budget left');
  assert.equal(readSpentBudgetWaitMs({ 'x-ratelimit-remaining': '0' }, NOW), undefined, 'no reset given');
  assert.equal(readSpentBudgetWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW - 10) }, NOW), undefined, 'already reset');
});

test('transport failures: resets and timeouts retry, local argument errors do not, each named in words', () => {
  assert.deepEqual(describeTransportFailure('ECONNRESET', 'read ECONNRESET'), { reason: 'ECONNRESET', words: 'connection reset', retryable: true, code: 'ECONNRESET' });
  assert.equal(describeTransportFailure('UND_ERR_SOCKET', 'other side closed').reason, 'UND_ERR_SOCKET');
  assert.equal(describeTransportFailure('UND_ERR_HEADERS_TIMEOUT', '').reason, 'timeout (UND_ERR_HEADERS_TIMEOUT)');
  assert.equal(describeTransportFailure('UND_ERR_BODY_TIMEOUT', '').reason, 'timeout (UND_ERR_BODY_TIMEOUT)');
  assert.equal(describeTransportFailure(undefined, '').reason, 'network error');
  assert.equal(describeTransportFailure('UND_ERR_INVALID_ARG', 'bad header').retryable, false);
  assert.equal(describeTransportFailure('ECONNREFUSED', '').words, 'connection refused');
  assert.equal(describeTransportFailure('ENOTFOUND', '').words, 'host not found in DNS');
  assert.equal(describeTransportFailure('UND_ERR_CONNECT_TIMEOUT', '').words, 'connection timed out');
  assert.equal(describeTransportFailure('CERT_HAS_EXPIRED', '').words, 'TLS certificate not accepted, CERT_HAS_EXPIRED');
  assert.equal(describeTransportFailure('ERR_SSL_WRONG_VERSION_NUMBER', '').words, 'TLS handshake failed, ERR_SSL_WRONG_VERSION_NUMBER: is the server http rather than https?');
});

test('fast path: an all-success compact reply is recognised without parsing; anything else is not', async () => {
  const { isAllImported, classifyReply } = await import('../src/sinks/cometchat/classify.js');
  const entity = (id: string, ok = true) => `"${id}":{"success":${ok},"data":{"guid":"g","uid":"${id}","scope":"participant","joinedAt":1673421419}}`;
  const keys = ['g_member_a', 'g_member_b', 'g_member_c'];
  const good = `{"data":{${keys.map((k) => entity(k)).join(',')}}}`;
  assert.equal(isAllImported(good, keys), true);
  assert.equal(isAllImported(good, [...keys, 'g_member_d']), false, 'a key missing from the reply');
  assert.equal(isAllImported(good, keys.slice(0, 2)), false, 'more successes than keys sent');
  assert.equal(isAllImported(good.replace(entity('g_member_b'), entity('g_member_b', false)), keys), false);
  assert.equal(isAllImported(good.replace(entity('g_member_b'), entity('g_member_x')), keys), false, 'an id that was not sent');
  assert.equal(isAllImported(JSON.stringify(JSON.parse(good), null, 1), keys), false, 'other formatting is parsed in full');
  assert.equal(isAllImported(good, [keys[1]!, keys[0]!, keys[2]!]), false, 'keys in another order');
  assert.equal(isAllImported(good, ['member_a', 'g_member_b', 'g_member_c']), false, 'a key that is only the end of an id sent');
  assert.equal(isAllImported(good.replace('"g_member_c":{"success":true,', '"g_member_c":{'), keys), false, 'an entity without a success flag');
  assert.equal(isAllImported(good.replace(entity('g_member_b'), `"g_member_b":{"success":true,"error":{"code":"X"}}`), keys), false, 'an error marker');
  assert.equal(isAllImported(good, []), false, 'no keys sent');
  // Both paths agree on the outcome.
  const fast = classifyReply({ status: 200, headers: {}, bodyText: good }, keys, 0);
  const slow = classifyReply({ status: 200, headers: {}, body: JSON.parse(good) }, keys, 0);
  assert.deepEqual(fast, slow);
});
