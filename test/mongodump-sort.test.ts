// The time-order sort: messages out of order come out in (ts, _id) order, the same records, from a
// mongodump file (BSON out) or a mongoexport file, --jsonArray included (NDJSON out); an input in
// order is left as it is; many runs merge in several rounds to the same bytes; kill -9 while runs
// are written or merged, then again: finished runs are kept and the output is the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { deserialize, serialize } from 'bson';
import type { Log } from '../src/log.js';
import { orderMessages, type TimeOrderOptions } from '../src/mongodump/time-order.js';
import { createRecordReader } from '../src/sources/record-reader.js';
import { createRandom } from './helpers/random.js';
import { tempDir } from './helpers/run.js';

const CHILD = fileURLToPath(new URL('./helpers/sort-child.js', import.meta.url));

function logger(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (_o, m) => void lines.push(m), warn: () => undefined, error: () => undefined, debug: () => undefined };
}

/** Messages mostly in order: each one's ts is its position plus a jitter of up to ±3 steps; some share a ts. */
function messages(count: number, seed: number): Array<{ _id: string; ts: Date; msg: string }> {
  const rand = createRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    _id: `m${Math.floor(rand() * 1e6).toString(36)}`,
    ts: new Date(1_700_000_000_000 + Math.round(i + (rand() - 0.5) * 6) * 1000),
    msg: 'x'.repeat(Math.floor(rand() * 200)) + (i % 7 === 0 ? ' café 🚀' : ''),
  }));
}

async function sortedBytes(o: TimeOrderOptions): Promise<Buffer> {
  const order = await orderMessages(o);
  assert.ok(order.stream);
  const parts: Buffer[] = [];
  for await (const c of order.stream()) parts.push(c);
  const all = Buffer.concat(parts);
  assert.equal(all.length, order.bytes);
  return all;
}

function records(buf: Buffer): Array<{ key: [number, string]; value: string }> {
  const out: Array<{ key: [number, string]; value: string }> = [];
  const reader = createRecordReader('rocketchat', (b, s, e) => {
    const bson = reader.format === 'rocketchat' && b.readInt32LE(s) === e - s;
    const d = (bson ? deserialize(b.subarray(s, e)) : JSON.parse(b.toString('utf8', s, e))) as { _id: string; ts: Date | { $date: string } };
    const ms = d.ts instanceof Date ? d.ts.getTime() : Date.parse(d.ts.$date);
    out.push({ key: [ms, d._id], value: JSON.stringify({ ...d, ts: ms }) });
  });
  reader.push(buf);
  reader.end();
  return out;
}

function assertSortedCopy(out: Buffer, docs: ReturnType<typeof messages>): void {
  const got = records(out);
  for (let i = 1; i < got.length; i++) {
    const [a, b] = [got[i - 1]!.key, got[i]!.key];
    assert.ok(a[0] < b[0] || (a[0] === b[0] && Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1])) <= 0), `out of order at ${i}`);
  }
  const want = docs.map((d) => JSON.stringify({ ...d, ts: d.ts.getTime() })).sort();
  assert.deepEqual(got.map((r) => r.value).sort(), want, 'the same messages');
}

test('BSON and mongoexport inputs (lines or a pretty --jsonArray) come out sorted, the same messages; a sorted input is left as it is', async () => {
  const dir = tempDir('cm-sort-');
  try {
    const docs = messages(2000, 1);
    const log = logger();
    writeFileSync(join(dir, 'm.bson'), Buffer.concat(docs.map((d) => serialize(d))));
    const out = await sortedBytes({ input: join(dir, 'm.bson'), dir: join(dir, 's1'), runBytes: 64 * 1024, log });
    assertSortedCopy(out, docs);
    assert.match(log.lines.join('\n'), /messages are not in time order: sorting 2000 messages in \d+ runs under /);
    for (const name of readdirSync(join(dir, 's1'))) assert.equal(statSync(join(dir, 's1', name)).mode & 0o777, 0o600, name);

    const asJson = docs.map((d) => ({ ...d, ts: { $date: d.ts.toISOString() } }));
    writeFileSync(join(dir, 'm.json'), asJson.map((d) => JSON.stringify(d)).join('\n') + '\n');
    writeFileSync(join(dir, 'm.array.json'), JSON.stringify(asJson, null, 2));
    const fromLines = await sortedBytes({ input: join(dir, 'm.json'), dir: join(dir, 's2'), runBytes: 64 * 1024, log });
    assertSortedCopy(fromLines, docs);
    const fromArray = await sortedBytes({ input: join(dir, 'm.array.json'), dir: join(dir, 's3'), runBytes: 64 * 1024, log });
    assertSortedCopy(fromArray, docs);
    const lines = fromArray.toString('utf8').split('\n');
    assert.deepEqual([lines.length, lines.pop()], [2001, ''], 'a pretty-printed record is one NDJSON line');

    const inOrder = [...docs].sort((a, b) => a.ts.getTime() - b.ts.getTime() || Buffer.compare(Buffer.from(a._id), Buffer.from(b._id)));
    writeFileSync(join(dir, 'sorted.bson'), Buffer.concat(inOrder.map((d) => serialize(d))));
    const order = await orderMessages({ input: join(dir, 'sorted.bson'), dir: join(dir, 's4'), log });
    assert.deepEqual([order.inOrder, order.records, order.runs, order.stream], [true, 2000, 0, undefined]);
    assert.deepEqual(readdirSync(join(dir, 's4')), ['manifest.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('many runs merged a few at a time give the same bytes as one merge', async () => {
  const dir = tempDir('cm-sort-');
  try {
    writeFileSync(join(dir, 'm.bson'), Buffer.concat(messages(800, 2).map((d) => serialize(d))));
    const log = logger();
    const one = await sortedBytes({ input: join(dir, 'm.bson'), dir: join(dir, 'a'), runBytes: 8 * 1024, fanIn: 1000, log });
    const rounds = await sortedBytes({ input: join(dir, 'm.bson'), dir: join(dir, 'b'), runBytes: 8 * 1024, fanIn: 3, log });
    assert.ok(rounds.equals(one));
    assert.ok(readdirSync(join(dir, 'b')).length <= 4, 'merged runs replace the runs they hold');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 while runs are written, and while they are merged: run again, finished runs kept, the same output', async () => {
  const dir = tempDir('cm-sort-');
  try {
    const docs = messages(1200, 3);
    const input = join(dir, 'm.bson');
    writeFileSync(input, Buffer.concat(docs.map((d) => serialize(d))));
    const log = logger();
    const whole = await sortedBytes({ input, dir: join(dir, 'whole'), runBytes: 16 * 1024, fanIn: 8, log });

    const state = join(dir, 'killed');
    const killed = spawnSync(process.execPath, [CHILD, input, state, String(16 * 1024), '8', 'runs', '5'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const manifest = JSON.parse(readFileSync(join(state, 'manifest.json'), 'utf8')) as { runs: Array<{ file: string }>; built: boolean; consumed: number };
    assert.deepEqual([manifest.runs.length, manifest.built], [5, false]);
    const kept = manifest.runs.map((r) => [r.file, statSync(join(state, r.file)).mtimeMs] as const);
    writeFileSync(join(state, 'run-000099.bin.tmp'), 'a run cut short');
    // The merge rounds would replace the first runs: keep them apart by merging all at once.
    const resumed = await orderMessages({ input, dir: state, runBytes: 16 * 1024, fanIn: 1000, log });
    for (const [file, mtime] of kept) assert.equal(statSync(join(state, file)).mtimeMs, mtime, `${file} was not written again`);
    const parts: Buffer[] = [];
    for await (const c of resumed.stream!()) parts.push(c);
    assert.ok(Buffer.concat(parts).equals(whole), 'the same output after kill -9 during the runs');
    assert.equal(readdirSync(state).includes('run-000099.bin.tmp'), false);

    const merging = join(dir, 'killed-merging');
    const killed2 = spawnSync(process.execPath, [CHILD, input, merging, String(16 * 1024), '8', 'merge', '1'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(killed2.signal, 'SIGKILL', killed2.stderr);
    assert.ok(whole.equals(await sortedBytes({ input, dir: merging, runBytes: 16 * 1024, fanIn: 8, log })), 'the same output after kill -9 during the merges');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
