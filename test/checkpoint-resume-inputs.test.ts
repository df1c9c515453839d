// What a resume accepts and refuses when the operator touched the inputs between runs: fixing
// the malformed record that stopped a run is fine (it lies after the watermark), changing the
// extra inputs that shape the records (--rooms, --users) is not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToString } from '../bench/generate.js';
import { runCli } from './helpers/cli.js';
import { NOW, tempDir } from './helpers/run.js';

function reportOf(path: string): Record<string, unknown> {
  const { read, invalid, skipped, duplicates, valid, conflicts, reasons } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return { read, invalid, skipped, duplicates, valid, conflicts, reasons };
}

test('a run stopped by a malformed record resumes once the record is fixed, and ends as a clean run would', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const lines = generateToString({ format: 'ndjson', count: 600, seed: 5, invalidRate: 0.05, dupRate: 0.05 }).text.split('\n');
  const good = lines[300]!;
  lines[300] = good.slice(0, 40); // cut short: not JSON
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, lines.join('\n'));
  const args = ['validate', input, '--now', String(NOW), '--checkpoint', join(dir, 'cp.json'), '--rejects', join(dir, 'rejects.ndjson'), '--report', join(dir, 'report.json')];
  const stopped = await runCli(args);
  assert.equal(stopped.code, 1, stopped.stderr);
  assert.match(stopped.stderr, /line 301[\s\S]*--resume/);
  lines[300] = good;
  writeFileSync(input, lines.join('\n'));
  const resumed = await runCli([...args, '--resume']);
  assert.equal(resumed.code, 3, resumed.stderr);

  const clean = tempDir();
  const reference = await runCli(['validate', input, '--now', String(NOW), '--rejects', join(clean, 'rejects.ndjson'), '--report', join(clean, 'report.json')]);
  assert.equal(reference.code, 3, reference.stderr);
  assert.deepEqual(reportOf(join(dir, 'report.json')), reportOf(join(clean, 'report.json')));
  assert.equal(readFileSync(join(dir, 'rejects.ndjson'), 'utf8'), readFileSync(join(clean, 'rejects.ndjson'), 'utf8'));
});

test('--from rocketchat: resuming with changed --rooms content is refused (exit 2, names the flag); a moved copy is fine', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const rooms = join(dir, 'rooms.json');
  copyFileSync('fixtures/rocketchat/rooms.json', rooms);
  const args = ['validate', 'fixtures/rocketchat/subscriptions.ndjson', '--from', 'rocketchat', '--rooms', rooms, '--users', 'fixtures/rocketchat/users.ndjson', '--now', String(NOW), '--checkpoint', join(dir, 'cp.json')];
  const first = await runCli(args);
  assert.equal(first.code, 3, first.stderr);
  const moved = join(dir, 'rooms-moved.json');
  copyFileSync(rooms, moved);
  const again = await runCli([...args.map((a) => (a === rooms ? moved : a)), '--resume']);
  assert.equal(again.code, 3, again.stderr);
  writeFileSync(rooms, readFileSync(rooms, 'utf8').replace(/"fname":\s*"[^"]*"/, '"fname": "Renamed"'));
  const changed = await runCli([...args, '--resume']);
  assert.equal(changed.code, 2, changed.stderr);
  assert.match(changed.stderr, /--rooms file changed/);
});

test('resuming with a shorter input is refused (exit 2) without a summary and without touching the report of the real run', { timeout: 30_000 }, async () => {
  const dir = tempDir();
  const text = generateToString({ format: 'ndjson', count: 600, seed: 6, invalidRate: 0.05, dupRate: 0.05 }).text;
  const input = join(dir, 'export.ndjson');
  writeFileSync(input, text);
  const report = join(dir, 'report.json');
  const args = ['validate', input, '--now', String(NOW), '--checkpoint', join(dir, 'cp.json'), '--report', report];
  const first = await runCli(args);
  assert.equal(first.code, 3, first.stderr);
  const reportBefore = readFileSync(report, 'utf8');
  const checkpointBefore = readFileSync(join(dir, 'cp.json'), 'utf8');
  writeFileSync(input, text.split('\n').slice(0, 300).join('\n') + '\n');
  const short = await runCli([...args, '--resume']);
  assert.equal(short.code, 2, short.stderr);
  assert.match(short.stderr, /cannot resume: .*\(it has 300 records, the checkpoint settled 600\) \[CM_RESUME_MISMATCH\]/);
  assert.doesNotMatch(short.stderr, /^chatmigrate validate/m, 'no summary of a run that did not happen');
  assert.equal(readFileSync(report, 'utf8'), reportBefore, 'the report of the real run is left alone');
  assert.equal(readFileSync(join(dir, 'cp.json'), 'utf8'), checkpointBefore, 'the checkpoint is left alone');
});
