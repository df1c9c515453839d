// The pure Rocket.Chat selection core: the token walker over every chunking, the selection rules
// and first-wins dedupe, the normalized entries, the spooled bodies, and the reply classifier.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { classifyRocketChatReply } from '../src/sinks/rocketchat/classify.js';
import { createSelector, encodeChannel, encodeUser, type SelectionRules } from '../src/rocketchat-import/selection.js';
import { readSelection } from '../src/rocketchat-import/selection-reader.js';
import type { SelectionKind } from '../src/rocketchat-import/selection-walker.js';
import { createSelectionSpool, type StreamedBody } from '../src/rocketchat-import/spool.js';
import { isChatmigrateError } from '../src/errors.js';
import { CHUNK_SIZES, chunksOf } from './helpers/chunks.js';
import { tempDir } from './helpers/run.js';

const NO_RULES: SelectionRules = { skipBots: false, skipDeleted: false, skipArchived: false, skipDirect: false, exclude: undefined };

const SEED_BODY = `{
"input":
{
"users": [{
"user_id": "testbh", "username": "testbh", "email": "testbh@example.com",
"is_deleted": false, "is_bot": false, "do_import": true, "is_email_taken": false
}],
"channels": [{
"channel_id": "WDuJLFkjwk6L7LdFC", "name": "dlp", "is_archived": false, "do_import": true, "is_private": false, "is_direct": false
}]
}
}`;

async function collect(text: string, size: number) {
  const entries: Array<[SelectionKind, unknown]> = [];
  const forms: string[] = [];
  const top: Array<[string, unknown]> = [];
  const shortIds: string[] = [];
  await readSelection(Readable.from(chunksOf(Buffer.from(text), size)), {
    entry: (kind, value) => entries.push([kind, value]),
    form: (kind, form, wrapped) => forms.push(`${kind}:${form}:${wrapped}`),
    topLevel: (key, value) => top.push([key, value]),
    shortId: (_kind, id) => shortIds.push(String(id)),
  }, 'test');
  return { entries, forms, top, shortIds };
}

test('the walker finds entries in both document shapes, in every chunking', async () => {
  const fileData = JSON.stringify({ users: [{ user_id: 'a', n: 1 }, { user_id: 'é✓', nested: { x: [1, 2] } }], channels: [{ channel_id: 'c' }], message_count: 3, success: true });
  for (const size of CHUNK_SIZES) {
    const seed = await collect(SEED_BODY, size);
    assert.deepEqual(seed.entries.map(([k, v]) => [k, (v as Record<string, unknown>)['user_id'] ?? (v as Record<string, unknown>)['channel_id']]), [['users', 'testbh'], ['channels', 'WDuJLFkjwk6L7LdFC']], `size ${size}`);
    assert.deepEqual(seed.forms, ['users:array:true', 'channels:array:true']);
    const bare = await collect(fileData, size);
    assert.deepEqual(bare.entries, [['users', { user_id: 'a', n: 1 }], ['users', { user_id: 'é✓', nested: { x: [1, 2] } }], ['channels', { channel_id: 'c' }]]);
    assert.deepEqual(bare.top, [['message_count', 3], ['success', true]]);
    const short = await collect('{"input":{"users":{"all":false,"list":["u1","u2"]},"channels":{"all":true}}}', size);
    assert.deepEqual(short.shortIds, ['u1', 'u2']);
    assert.deepEqual(short.forms, ['users:short:true', 'channels:short:true']);
  }
});

test('malformed JSON and wrong shapes are clear input errors', async () => {
  await assert.rejects(collect('{"users": [{"user_id": "a"}, ', 64), (err) => isChatmigrateError(err) && err.code === 'CM_INPUT_MALFORMED' && /in bytes \d+–\d+ \(line 1 or after\)/.test(err.message));
  await assert.rejects(collect('[1, 2]', 64), (err) => isChatmigrateError(err) && err.code === 'CM_INPUT_FORMAT');
  await assert.rejects(collect('', 64), (err) => isChatmigrateError(err) && err.code === 'CM_INPUT_FORMAT');
});

test('a malformed selection names the 4 KB stretch and the line where it breaks', async () => {
  const users = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ user_id: `u${i}`, username: `u${i}`, do_import: true }));
  const good = `{"users": [\n${users.join(',\n')}\n], "channels": []}`;
  const at = good.indexOf('{"user_id":"u2000"');
  const bad = good.slice(0, at) + 'xx' + good.slice(at);
  for (const chunk of [100, 65536]) {
    await assert.rejects(collect(bad, chunk), (err) => {
      assert.ok(isChatmigrateError(err) && err.code === 'CM_INPUT_MALFORMED', String(err));
      const m = /in bytes (\d+)–(\d+) \(line (\d+) or after\)/.exec(err.message);
      assert.ok(m, err.message);
      assert.ok(Number(m[1]) <= at && at < Number(m[2]) && Number(m[2]) - Number(m[1]) <= 4096 + 16, `${at} in ${m[1]}–${m[2]}`);
      const line = good.slice(0, at).split('\n').length; // 1-based line of the break
      assert.ok(Number(m[3]) <= line && line - Number(m[3]) < 200, `line ${m[3]} vs ${line}`);
      return true;
    });
  }
});

test('rules, first-wins dedupe and counts that add up', () => {
  const s = createSelector({ skipBots: true, skipDeleted: true, skipArchived: true, skipDirect: true, exclude: /^tmp-|secret/ });
  const users = [
    { user_id: 'u1', username: 'ann', email: 'a@x', is_bot: false, is_deleted: false, do_import: true },
    { user_id: 'u1', username: 'ann-again' }, // duplicate: first wins
    { user_id: 'bot', username: 'rocket.cat', is_bot: true },
    { user_id: 'gone', is_deleted: true },
    { user_id: 'tmp-7', username: 'x' },
    { user_id: 'u9', username: 'top-secret' }, // excluded by name
    { user_id: 'u10', do_import: false }, // the input's own choice
    { username: 'no id' },
    'not an object',
  ];
  const verdicts = users.map((u) => s.judge('users', u).kind);
  assert.deepEqual(verdicts, ['selected', 'duplicate', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'invalid', 'invalid']);
  const c = s.counts('users');
  assert.deepEqual(c, { read: 9, invalid: 2, duplicates: 1, skipped: 5, skippedBy: { bot: 1, deleted: 1, exclude: 2, notSelected: 1 }, selected: 1 });
  assert.equal(c.read, c.invalid + c.duplicates + c.skipped + c.selected);
  const channels = [
    { channel_id: 'c1', name: 'general' },
    { channel_id: 'c2', name: 'old', is_archived: true },
    { channel_id: '__directMessages__', name: 'DM', is_direct: true },
    { channel_id: 'c1', name: 'dup' },
  ];
  assert.deepEqual(channels.map((ch) => s.judge('channels', ch).kind), ['selected', 'skipped', 'skipped', 'duplicate']);
  assert.deepEqual(s.counts('channels').skippedBy, { archived: 1, direct: 1 });
  // Same id in users and channels: separate namespaces.
  assert.equal(createSelector(NO_RULES).judge('channels', { channel_id: 'u1' }).kind, 'selected');
});

test('entries are normalized to every required field, do_import from the verdict', () => {
  assert.deepEqual(JSON.parse(encodeUser({ user_id: 'x', is_bot: 'yes' }, 'x', false)), {
    user_id: 'x', username: 'x', email: '', is_deleted: false, is_bot: false, do_import: false, is_email_taken: false,
  });
  assert.deepEqual(JSON.parse(encodeChannel({ channel_id: 'c', name: 'n', creator: 'MF72', is_private: true }, 'c', true)), {
    channel_id: 'c', name: 'n', creator: 'MF72', is_archived: false, do_import: true, is_private: true, is_direct: false,
  });
});

async function text(body: StreamedBody): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body.chunks()) parts.push(c);
  const all = Buffer.concat(parts);
  assert.equal(all.length, body.length, 'content length matches the bytes streamed');
  return all.toString('utf8');
}

test('the spool streams both body forms, repeatedly, and cleans up', async () => {
  const dir = tempDir();
  const spool = createSelectionSpool(dir);
  spool.entry('users', '{"user_id":"ü1","do_import":true}');
  spool.selectedId('users', 'ü1');
  spool.entry('users', '{"user_id":"u2","do_import":false}');
  spool.finish();
  const array = await text(spool.arrayBody());
  assert.deepEqual(JSON.parse(array), { input: { users: [{ user_id: 'ü1', do_import: true }, { user_id: 'u2', do_import: false }], channels: [] } });
  assert.equal(await text(spool.arrayBody()), array, 'a body can be streamed again');
  assert.deepEqual(JSON.parse(await text(spool.shortBody({ users: false, channels: true }))), { input: { users: { all: false, list: ['ü1'] }, channels: { all: true, list: [] } } });
  spool.dispose();
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(dir), []);
});

test('replies are classified: auth, permission, operation, form, throttling', () => {
  const now = 1_800_000_000_000;
  const c = (status: number, body: unknown, headers = {}) => classifyRocketChatReply('POST /api/v1/startImport', status, headers, JSON.stringify(body), now);
  assert.deepEqual(c(200, { success: true }), { kind: 'ok', body: { success: true } });
  const unauth = c(401, { status: 'error', message: 'You must be logged in to do this.' });
  assert.ok(unauth.kind === 'fatal' && unauth.errorCode === 'CM_AUTH' && /credentials/.test(unauth.message));
  const forbidden = c(403, { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' });
  assert.ok(forbidden.kind === 'fatal' && forbidden.errorCode === 'CM_AUTH' && /run-import/.test(forbidden.message));
  const noOp = c(400, { success: false, error: 'Import Operation Not Found [error-operation-not-found]', errorType: 'error-operation-not-found' });
  assert.ok(noOp.kind === 'fatal' && noOp.errorCode === 'CM_TARGET' && /Administration → Import/.test(noOp.hint ?? ''));
  // errorType absent: the code in brackets still counts.
  assert.deepEqual(c(400, { success: false, error: 'must be object [invalid-params]' }), { kind: 'invalidParams', message: 'must be object [invalid-params]' });
  const limited = c(429, { success: false, error: 'too many [too-many-requests]' }, { 'X-RateLimit-Reset': String(now + 4200) });
  assert.deepEqual(limited, { kind: 'retry', reason: 'HTTP 429 too many requests', throttled: true, waitMs: 4200 });
  assert.equal(classifyRocketChatReply('GET x', 502, {}, '<html>bad gateway</html>', now).kind, 'retry');
  assert.equal(c(200, { success: false, error: 'odd' }).kind, 'fatal');
});
