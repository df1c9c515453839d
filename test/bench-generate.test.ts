// Tests of the seeded export generator: determinism, formats, planted defects, counts, size, CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { generateExport, generateToString, parseByteSize, type ExpectedCounts, type ExportFormat } from '../bench/generate.js';
import { createRecordFactory, JOINED_UNTIL, MEMBERS_PER_GROUP } from '../bench/generate-records.js';

const SCRIPT = fileURLToPath(new URL('../bench/generate.js', import.meta.url));
const FORMATS: ExportFormat[] = ['ndjson', 'array', 'cometchat', 'map'];
const MIXED = { seed: 7, dupRate: 0.05, conflictRate: 0.04, invalidRate: 0.1 };

type Json = Record<string, unknown>;
const ID = /^[a-z0-9_-]{1,100}$/;
const SCOPES = new Set(['admin', 'moderator', 'participant', 'owner', 'member']);
const lower = (v: unknown): string | undefined => (typeof v === 'string' ? v.toLowerCase() : undefined);

/** An independent reading of SPEC §1 timestamps: seconds, ms, numeric strings, ISO, {"$date"}. */
function toSeconds(v: unknown): number | undefined {
  if (typeof v === 'object' && v !== null && '$date' in v) return toSeconds((v as Json).$date);
  if (typeof v === 'number') return v >= 1e12 ? Math.floor(v / 1000) : v;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return toSeconds(Number(v));
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Every SPEC §1 rule a record breaks, as reason codes (a clean record gives []). */
function defects(r: Json): string[] {
  const out: string[] = [];
  const guid = lower(r.guid);
  const uid = lower(r.uid);
  if (guid === undefined || !ID.test(guid)) out.push('INVALID_GUID');
  if (r.uid === undefined) out.push('MISSING_UID');
  else if (uid === undefined || !ID.test(uid)) out.push('INVALID_UID');
  if (guid !== undefined && uid !== undefined && lower(r.memberId) !== `${guid}_member_${uid}`) out.push('INVALID_MEMBER_ID');
  if (r.scope !== undefined && !SCOPES.has(lower(r.scope) ?? '')) out.push('INVALID_SCOPE');
  if (r.isBanned !== undefined && typeof r.isBanned !== 'boolean') out.push('INVALID_IS_BANNED');
  const gd = r.groupDetails as Json | undefined;
  if (gd !== undefined && (lower(gd.guid) !== guid || typeof gd.name !== 'string' ||
    !['public', 'private', 'password'].includes(gd.type as string))) out.push('INVALID_GROUP_DETAILS');
  const created = toSeconds(gd?.createdAt);
  if (gd?.createdAt !== undefined && created === undefined) out.push('INVALID_TIMESTAMP');
  if (r.joinedAt !== undefined) {
    const joined = toSeconds(r.joinedAt);
    if (joined === undefined) out.push('INVALID_TIMESTAMP');
    else if (created !== undefined && joined < created) out.push('JOINED_BEFORE_GROUP_CREATED');
    else if (joined > Date.now() / 1000) out.push('JOINED_IN_FUTURE');
  }
  const ud = r.userDetails as Json | undefined;
  if (ud !== undefined && (lower(ud.uid) !== uid || typeof ud.name !== 'string')) out.push('INVALID_USER_DETAILS');
  if (typeof gd?.name === 'string' && gd.name.length > 100) out.push('LIMIT_EXCEEDED');
  if (typeof ud?.name === 'string' && ud.name.length > 100) out.push('LIMIT_EXCEEDED');
  return out;
}

/** Counts recomputed from the text alone: first defect, else first/identical/different repeat. */
function countFromLines(lines: string[]): ExpectedCounts {
  const counts: ExpectedCounts = { read: 0, valid: 0, invalid: 0, duplicates: 0, conflicts: 0, invalidByReason: {} };
  const first = new Map<string, string>();
  for (const line of lines) {
    counts.read++;
    const record = JSON.parse(line) as Json;
    const found = defects(record)[0];
    if (found !== undefined) {
      counts.invalid++;
      counts.invalidByReason[found] = (counts.invalidByReason[found] ?? 0) + 1;
      continue;
    }
    const id = lower(record.memberId) ?? '';
    const earlier = first.get(id);
    if (earlier === undefined) { first.set(id, line); counts.valid++; continue; }
    counts.duplicates++;
    if (earlier !== line) counts.conflicts++;
  }
  return counts;
}

/** The record texts of any format, one per line, with framing and map keys taken off. */
function recordLines(format: ExportFormat, text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (format === 'ndjson') return lines;
  return lines.slice(1, -1).map((line) => {
    const body = line.endsWith(',') ? line.slice(0, -1) : line;
    if (format === 'array') return body;
    const m = /^"([^"]+)": (\{.*\})$/.exec(body);
    assert.ok(m, `keyed line: ${body.slice(0, 80)}`);
    assert.equal((JSON.parse(m[2] as string) as Json).memberId, m[1], 'map key equals memberId');
    return m[2] as string;
  });
}

test('same seed gives the same bytes, another seed other bytes', () => {
  const a = generateToString({ format: 'ndjson', count: 400, ...MIXED });
  const b = generateToString({ format: 'ndjson', count: 400, ...MIXED });
  const c = generateToString({ format: 'ndjson', count: 400, ...MIXED, seed: 8 });
  assert.equal(a.text, b.text);
  assert.deepEqual(a.expected, b.expected);
  assert.notEqual(a.text, c.text);
});

test('every format is valid JSON and all four carry the same records in the same order', () => {
  const ndjson = generateToString({ format: 'ndjson', count: 300, seed: 3 }).text;
  const objects = ndjson.trimEnd().split('\n').map((l) => JSON.parse(l) as Json);
  assert.equal(objects.length, 300);
  assert.deepEqual(JSON.parse(generateToString({ format: 'array', count: 300, seed: 3 }).text), objects);
  const members = (JSON.parse(generateToString({ format: 'cometchat', count: 300, seed: 3 }).text) as { members: Json }).members;
  const map = JSON.parse(generateToString({ format: 'map', count: 300, seed: 3 }).text) as Json;
  for (const parsed of [members, map]) {
    assert.deepEqual(Object.keys(parsed), objects.map((o) => o.memberId));
    assert.deepEqual(Object.values(parsed), objects);
  }
  // With repeats the maps hold duplicate keys, so compare the per-line record texts instead.
  const mixed = FORMATS.map((format) => generateToString({ format, count: 500, ...MIXED }));
  const reference = recordLines('ndjson', mixed[0]?.text ?? '');
  assert.equal(reference.length, 500);
  mixed.forEach((out, i) => {
    const format = FORMATS[i] as ExportFormat;
    assert.doesNotThrow(() => (format === 'ndjson' ? reference.forEach((l) => JSON.parse(l)) : JSON.parse(out.text)));
    assert.deepEqual(recordLines(format, out.text), reference, format);
    assert.deepEqual(out.expected, mixed[0]?.expected, format);
  });
  for (const format of FORMATS) assert.doesNotThrow(() => JSON.parse(generateToString({ format, count: 0 }).text || '0'));
});

test('expected counts match what the text contains', () => {
  const { text, expected } = generateToString({ format: 'ndjson', count: 6000, ...MIXED });
  const recount = countFromLines(text.trimEnd().split('\n'));
  assert.deepEqual(recount, expected);
  assert.equal(expected.read, expected.valid + expected.invalid + expected.duplicates);
  assert.ok(expected.invalid > 450 && expected.invalid < 750, `invalid ${expected.invalid}`);
  assert.ok(expected.duplicates - expected.conflicts > 200, `dups ${expected.duplicates}`);
  assert.ok(expected.conflicts > 150, `conflicts ${expected.conflicts}`);
  assert.equal(Object.keys(expected.invalidByReason).length, 8);
});

test('each record is clean or has exactly its one planted defect; repeats copy recent valid records', () => {
  const factory = createRecordFactory({ ...MIXED, seed: 11 });
  const seen = new Map<string, { json: string; at: number }>();
  const forms = new Set<string>();
  const scopes = new Set<string>();
  let uppercase = 0;
  for (let i = 0; i < 20_000; i++) {
    const rec = factory.next();
    const record = JSON.parse(rec.json) as Json;
    assert.equal(record.memberId, rec.key);
    assert.deepEqual(defects(record), rec.kind === 'invalid' ? [rec.reason] : [], rec.json);
    const id = rec.key.toLowerCase();
    const earlier = seen.get(id);
    if (rec.kind === 'valid' || rec.kind === 'invalid') {
      assert.equal(earlier, undefined, `fresh id ${id} is new`);
      if (rec.kind === 'valid') seen.set(id, { json: rec.json, at: i });
      else seen.set(id, { json: '', at: -1 }); // never a repeat source: a repeat of it would fail below
    }
    if (rec.kind === 'duplicate' || rec.kind === 'conflict') {
      assert.ok(earlier !== undefined && earlier.at >= 0, 'repeats a valid record');
      assert.ok(i - earlier.at <= 6000, 'from the recent ring');
      assert.equal(rec.json === earlier.json, rec.kind === 'duplicate');
    }
    if (rec.kind !== 'valid') continue;
    const joined = toSeconds(record.joinedAt);
    assert.ok(joined === undefined || joined <= JOINED_UNTIL);
    const j = record.joinedAt;
    forms.add(j === undefined ? 'none' : typeof j === 'object' ? '$date' : typeof j === 'number'
      ? (j > 1e12 ? 'ms' : 'seconds') : /^\d+$/.test(j as string) ? 'seconds-text' : 'iso');
    scopes.add(String(record.scope));
    if (record.uid !== lower(record.uid)) uppercase++;
  }
  assert.deepEqual([...forms].sort(), ['$date', 'iso', 'ms', 'none', 'seconds', 'seconds-text']);
  for (const s of ['owner', 'member', 'Admin', 'participant', 'undefined']) assert.ok(scopes.has(s), s);
  assert.ok(uppercase > 300 && uppercase < 1500, `uppercase ${uppercase}`);
});

test('groups are shared by ~200 members and keep one createdAt, name and type', () => {
  const { text } = generateToString({ format: 'ndjson', count: 10_000, seed: 5 });
  const groups = new Map<string, string>();
  const sizes = new Map<string, number>();
  for (const line of text.trimEnd().split('\n')) {
    const r = JSON.parse(line) as { guid: string; groupDetails: Json };
    const key = r.guid.toLowerCase();
    const gd = r.groupDetails;
    const shape = `${toSeconds(gd.createdAt)}|${gd.name}|${gd.type}|${gd.owner}`;
    assert.equal(groups.get(key) ?? shape, shape, key);
    groups.set(key, shape);
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  const expectedGroups = 10_000 / MEMBERS_PER_GROUP;
  assert.ok(groups.size >= expectedGroups * 0.9 && groups.size <= expectedGroups * 1.1, `${groups.size} groups`);
});

test('records average 300-380 bytes and --bytes lands within 1% of the target', async () => {
  const { text } = generateToString({ format: 'ndjson', count: 20_000, seed: 9 });
  const average = Buffer.byteLength(text) / 20_000;
  assert.ok(average >= 300 && average <= 380, `average ${average}`);
  for (const format of FORMATS) {
    let size = 0;
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { size += chunk.length; done(); } });
    const counts = await generateExport({ format, bytes: 3_000_000, ...MIXED }, sink);
    assert.ok(Math.abs(size - 3_000_000) / 3_000_000 < 0.01, `${format}: ${size} bytes`);
    assert.ok(counts.read > 7000, `${format}: ${counts.read} records`);
  }
  assert.equal(parseByteSize('1GB'), 1e9);
  assert.equal(parseByteSize('100MB'), 1e8);
  assert.equal(parseByteSize('1e9'), 1e9);
  assert.equal(parseByteSize('1.5KiB'), 1536);
  assert.equal(parseByteSize('lots'), undefined);
});

test('generateExport waits for drain and writes exactly the string form', async () => {
  const parts: Buffer[] = [];
  let maxBuffered = 0;
  const slow = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      maxBuffered = Math.max(maxBuffered, this.writableLength);
      parts.push(chunk);
      setImmediate(done);
    },
  });
  const options = { format: 'cometchat' as const, bytes: 6_000_000, ...MIXED };
  const counts = await generateExport(options, slow);
  const { text, expected } = generateToString(options);
  assert.equal(Buffer.concat(parts).toString('latin1'), text);
  assert.deepEqual(counts, expected);
  // Without waiting for 'drain', all ~6 MB would queue at once.
  assert.ok(maxBuffered <= 1.1 * 1024 * 1024, `buffered ${maxBuffered}`);
});

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { maxBuffer: 64 << 20, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

test('the CLI writes the export and its expected counts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-generate-'));
  try {
    const expectFile = join(dir, 'expect.json');
    const args = ['--format', 'map', '--count', '700', '--seed', '7', '--dup-rate', '0.05',
      '--conflict-rate', '0.04', '--invalid-rate', '0.1', '--expect', expectFile];
    const run = await runCli(args);
    assert.equal(run.code, 0, run.stderr);
    const library = generateToString({ format: 'map', count: 700, ...MIXED });
    assert.equal(run.stdout, library.text);
    assert.deepEqual(JSON.parse(await readFile(expectFile, 'utf8')), library.expected);
    const sized = await runCli(['--bytes', '2MB', '--format', 'array']);
    assert.equal(sized.code, 0, sized.stderr);
    assert.ok(Math.abs(sized.stdout.length - 2e6) < 2e4, `${sized.stdout.length} bytes`);
    assert.ok(Array.isArray(JSON.parse(sized.stdout)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the CLI rejects bad flags with exit 2, naming the flag and the value', async () => {
  const cases: [string[], string[]][] = [
    [['--format', 'xml'], ['--format', 'xml', 'ndjson']],
    [['--count', 'many'], ['--count', 'many']],
    [['--dup-rate', '1.5'], ['--dup-rate', '1.5']],
    [['--bytes', '5XB'], ['--bytes', '5XB']],
    [['--frobnicate'], ['--frobnicate']],
    [['--count', '5', '--bytes', '1MB'], ['--count', '--bytes']],
  ];
  for (const [args, words] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, args.join(' '));
    assert.equal(run.stdout, '');
    for (const word of words) assert.ok(run.stderr.includes(word), `${args.join(' ')} → ${run.stderr}`);
  }
});
