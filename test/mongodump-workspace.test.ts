// A generated Rocket.Chat workspace written twice, as mongoexport files and as a mongodump folder
// (plain and --gzip): the dump's collections load into the same tables and give, record by record
// through decodeBlock's BSON branch and the phase mappers, exactly what the mongoexport files give;
// the dump's messages, slightly out of order, come out of the time-order sort as the export's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateRocketChatWorkspace } from '../bench/generate-rocketchat.js';
import { generateMongodump } from '../bench/generate-mongodump.js';
import type { KindName } from '../src/entities/kinds.js';
import type { Log } from '../src/log.js';
import { locateDumpDir } from '../src/mongodump/dump-dir.js';
import { orderMessages } from '../src/mongodump/time-order.js';
import type { RecordMapper } from '../src/sources/mapped-record.js';
import { openInputPath } from '../src/sources/open-input.js';
import { createRecordReader } from '../src/sources/record-reader.js';
import { createWorkspaceMappers, loadRocketChatWorkspace, usersPhaseInput } from '../src/sources/rocketchat/index.js';
import { INVALID, readResult, VALID } from '../src/transforms/block-results.js';
import { decodeBlock } from '../src/transforms/decode-block.js';
import { NOW, tempDir } from './helpers/run.js';

const RETENTION_DAYS = 180;
const FILE_URL = 'https://files.example.com/{fileId}/{name}';
const SHAPE = { seed: 3, now: NOW, retentionDays: RETENTION_DAYS, messages: 700, fileUrl: true };
const log: Log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

async function bytesOf(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** Every record of `buf` through decodeBlock with the phase's mapper: "valid JSON", "invalid REASON" or "skip RULE", in order. */
function outcomes(kind: KindName, buf: Buffer, map: RecordMapper): string[] {
  const parts: Buffer[] = [];
  const ends: number[] = [];
  let used = 0;
  const reader = createRecordReader('rocketchat', (b, s, e) => {
    parts.push(b.subarray(s, e));
    used += e - s;
    ends.push(used);
  });
  reader.push(buf);
  reader.end();
  const result = decodeBlock({ bytes: Buffer.concat(parts), ends: Int32Array.from(ends), count: ends.length, keys: undefined }, { kind, nowSeconds: NOW, retentionDays: RETENTION_DAYS, wantJson: true }, map);
  const out: string[] = [];
  const c = readResult(result);
  while (c.next()) out.push(c.status === VALID ? `valid ${c.json()}` : c.status === INVALID ? `invalid ${c.reason}` : `skip ${c.rule}`);
  assert.equal(result.count, ends.length);
  return out;
}

async function compare(gzip: boolean): Promise<void> {
  const dir = tempDir('cm-dump-');
  try {
    mkdirSync(join(dir, 'export'));
    const exported = await generateRocketChatWorkspace({ ...SHAPE, dir: join(dir, 'export'), arrays: ['rooms'], gzip: ['messages'] });
    const dumped = await generateMongodump({ ...SHAPE, dir: join(dir, 'dump'), gzip, chunkBytes: 1024 });
    assert.deepEqual(dumped.expected, exported.expected, 'the same workspace was generated');
    const files = await locateDumpDir(join(dir, 'dump'));
    assert.ok(files.messages && files.uploads && files.chunks && files.users.endsWith(gzip ? '.bson.gz' : '.bson'));

    const options = { fileUrl: FILE_URL, sentAfter: NOW - RETENTION_DAYS * 86_400 };
    const a = await loadRocketChatWorkspace({ users: exported.files.users, rooms: exported.files.rooms, messages: exported.files.messages }, options, log);
    const b = await loadRocketChatWorkspace({ users: files.users, rooms: files.rooms, messages: files.messages }, options, log);
    assert.deepEqual(b.placeholders, a.placeholders);
    assert.deepEqual(Buffer.concat([...usersPhaseInput(b.tables)]), Buffer.concat([...usersPhaseInput(a.tables)]), 'the users phase input is the same');
    assert.ok(!Buffer.concat([...usersPhaseInput(b.tables)]).includes('GENERATED-SECRET'), 'no services');

    const mapA = createWorkspaceMappers(a.tables, { nowSeconds: NOW, fileUrl: FILE_URL });
    const mapB = createWorkspaceMappers(b.tables, { nowSeconds: NOW, fileUrl: FILE_URL });
    const read = async (path: string): Promise<Buffer> => bytesOf((await openInputPath(path)).chunks);
    assert.deepEqual(outcomes('groups', await read(files.rooms), mapB.groups), outcomes('groups', await read(exported.files.rooms), mapA.groups), 'groups');
    assert.deepEqual(outcomes('members', await read(files.subscriptions), mapB.members), outcomes('members', await read(exported.files.subscriptions), mapA.members), 'members');

    // The dump's messages are out of order; sorted, they are the export's, record for record.
    const order = await orderMessages({ input: files.messages!, dir: join(dir, 'state', 'messages-order'), runBytes: 32 * 1024, log });
    assert.equal(order.inOrder, false);
    assert.equal(order.encoding, 'bson');
    const sorted = await bytesOf(order.stream!());
    assert.equal(sorted.length, order.bytes);
    const fromDump = outcomes('messages', sorted, mapB.messages);
    const fromExport = outcomes('messages', await read(exported.files.messages), mapA.messages);
    assert.equal(fromDump.length, exported.expected.messages.read);
    assert.deepEqual(fromDump, fromExport, 'messages');
    assert.ok(fromDump.some((o) => o.includes('"attachments"')), 'file messages carry attachments');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a mongodump folder gives what the mongoexport files of the same workspace give, messages in time order', () => compare(false));

test('the same with mongodump --gzip', () => compare(true));

test('a dump folder without a required collection is named in the error, with the database folder suggested', async () => {
  const dir = tempDir('cm-dump-');
  try {
    await generateMongodump({ ...SHAPE, messages: 30, dir: join(dir, 'rocketchat') });
    await assert.rejects(locateDumpDir(dir), (e: Error & { code?: string; hint?: string }) => e.code === 'CM_INPUT_UNREADABLE' && /has no users\.bson, rocketchat_room\.bson, rocketchat_subscription\.bson/.test(e.message) && /did you mean --dump-dir .*rocketchat\?/.test(e.hint ?? ''));
    rmSync(join(dir, 'rocketchat', 'rocketchat_message.bson'));
    const found = await locateDumpDir(join(dir, 'rocketchat'));
    assert.equal(found.messages, undefined, 'no messages: no messages phase');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
