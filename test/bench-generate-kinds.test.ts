// Tests of the generator's users and messages: the expected counts it writes are what `validate`
// counts on the same export, in every format (as bench-generate.test.ts checks for members), and
// the export is sized in UTF-8 bytes, seeded, and in range of the bench's fixed "now".
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { generateExport, generateToString, type ExportFormat, type ExportKind } from '../bench/generate.js';
import { BENCH_NOW } from '../bench/generate-messages.js';
import { NOW, validateText } from './helpers/run.js';

const SCRIPT = fileURLToPath(new URL('../bench/generate.js', import.meta.url));
const FORMATS: ExportFormat[] = ['ndjson', 'array', 'cometchat', 'map'];
const MIXED = { seed: 7, dupRate: 0.05, conflictRate: 0.04, invalidRate: 0.1 };
const DAY = 86_400;

for (const kind of ['users', 'messages'] as const satisfies readonly ExportKind[]) {
  test(`${kind}: validate counts what the generator expects, in every format`, async () => {
    for (const format of FORMATS) {
      const { text, expected } = generateToString({ kind, format, count: 3000, ...MIXED });
      // The {"<kind>": {...}} wrapper names the kind; the other forms are members unless told.
      const r = await validateText(text, 64 * 1024, format === 'cometchat' ? {} : { kind });
      assert.equal(r.kind, kind, format);
      const counted = { read: r.read, valid: r.valid, invalid: r.invalid, duplicates: r.duplicates, conflicts: r.conflicts, invalidByReason: r.reasons };
      const { outOfOrder, ...counts } = expected;
      assert.deepEqual(counted, counts, `${kind} ${format}`);
      assert.equal(r.skipped, 0, `${kind} ${format}: no message is outside the 180-day retention`);
      assert.equal(r.outOfOrder, outOfOrder ?? 0, `${kind} ${format}: out of order`);
    }
  });
}

test('each kind has every planted defect, repeats and conflicts; messages come a few out of order', () => {
  const users = generateToString({ kind: 'users', format: 'ndjson', count: 6000, ...MIXED }).expected;
  assert.equal(Object.keys(users.invalidByReason).length, 5);
  assert.equal(users.outOfOrder, undefined);
  const messages = generateToString({ kind: 'messages', format: 'ndjson', count: 6000, ...MIXED }).expected;
  assert.equal(Object.keys(messages.invalidByReason).length, 12);
  for (const e of [users, messages]) {
    assert.equal(e.read, e.valid + e.invalid + e.duplicates);
    assert.ok(e.conflicts > 150 && e.duplicates - e.conflicts > 200, JSON.stringify(e));
  }
  // About 1% of new messages arrive late.
  assert.ok(messages.outOfOrder! > 20 && messages.outOfOrder! < 100, `outOfOrder ${messages.outOfOrder}`);
});

test('messages: receivers, categories and times are those of a recent, mostly ordered history', () => {
  const { text } = generateToString({ kind: 'messages', format: 'ndjson', count: 5000, seed: 5 });
  const seen = { group: 0, user: 0, custom: 0, media: 0, text: 0, metadata: 0 };
  let first = Infinity;
  let last = -Infinity;
  for (const line of text.trimEnd().split('\n')) {
    const m = JSON.parse(line) as Record<string, unknown>;
    seen[m.receiverType as 'group' | 'user']++;
    const data = m.data as Record<string, unknown>;
    if (m.category === 'custom') seen.custom++;
    else if (data.attachments !== undefined) seen.media++;
    else seen.text++;
    if (data.metadata !== undefined) seen.metadata++;
    const s = m.sentAt as unknown;
    const raw = typeof s === 'object' && s !== null ? (s as { $date: number }).$date : s;
    const seconds = typeof raw === 'number' ? (raw > 1e11 ? raw / 1000 : raw) : /^\d+$/.test(raw as string) ? Number(raw) : Date.parse(raw as string) / 1000;
    first = Math.min(first, seconds);
    last = Math.max(last, seconds);
  }
  assert.equal(NOW, BENCH_NOW, 'the tests and the bench probes validate with the same now');
  assert.ok(first >= BENCH_NOW - 171 * DAY && last < BENCH_NOW, `${first}..${last}`);
  assert.ok(seen.group > 2500 && seen.user > 1500, JSON.stringify(seen));
  assert.ok(seen.text > 3900 && seen.media > 350 && seen.custom > 150 && seen.metadata > 400, JSON.stringify(seen));
});

test('same seed, same bytes; --bytes counts UTF-8 bytes', async () => {
  for (const kind of ['users', 'messages'] as const) {
    const a = generateToString({ kind, format: 'map', count: 500, ...MIXED });
    assert.deepEqual(generateToString({ kind, format: 'map', count: 500, ...MIXED }), a);
    assert.notEqual(generateToString({ kind, format: 'map', count: 500, ...MIXED, seed: 8 }).text, a.text);
    assert.notEqual(Buffer.byteLength(a.text), a.text.length, `${kind}: some non-ASCII text`);
    let size = 0;
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { size += chunk.length; done(); } });
    await generateExport({ kind, format: 'cometchat', bytes: 2_000_000, ...MIXED }, sink);
    assert.ok(size >= 2_000_000 && size < 2_010_000, `${kind}: ${size} bytes`);
  }
  assert.throws(() => generateToString({ kind: 'users', format: 'ndjson', rich: true }), /rich/);
});

test('the CLI takes --kind and refuses an unknown one', async () => {
  const run = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { maxBuffer: 16 << 20, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
  const ok = await run(['--kind', 'messages', '--format', 'cometchat', '--count', '300', '--seed', '7', '--dup-rate', '0.05', '--conflict-rate', '0.04', '--invalid-rate', '0.1']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, generateToString({ kind: 'messages', format: 'cometchat', count: 300, ...MIXED }).text);
  assert.ok(ok.stdout.startsWith('{"messages": {'));
  const bad = await run(['--kind', 'groups']);
  assert.equal(bad.code, 2);
  assert.ok(bad.stderr.includes('--kind') && bad.stderr.includes('groups'), bad.stderr);
});
