// Worker threads change where records are parsed and validated, never the result: the report,
// the rejects file and the delivered set are identical with 0, 1 and 2 workers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToString } from '../bench/generate.js';
import { countsOf, tempDir, validate } from './helpers/run.js';

// Enough records for many blocks, so the workers (which start after the first blocks) do real work.
const RECORDS = 12_000;

for (const format of ['ndjson', 'cometchat'] as const) {
  test(`${format}: validate with 0, 1 and 2 workers gives the same report and rejects file`, async () => {
    const dir = tempDir();
    const input = join(dir, `in.${format}`);
    const { text, expected } = generateToString({ format, count: RECORDS, seed: 9, dupRate: 0.03, conflictRate: 0.01, invalidRate: 0.03 });
    writeFileSync(input, text);
    const runs = [];
    for (const workers of [0, 1, 2]) {
      const rejects = join(dir, `rejects-${workers}.ndjson`);
      const report = await validate({ input, workers, rejects });
      runs.push({ counts: countsOf(report), rejects: readFileSync(rejects, 'utf8') });
    }
    assert.equal(runs[0]!.counts.read, expected.read);
    assert.equal(runs[0]!.counts.valid, expected.valid);
    assert.equal(runs[0]!.counts.conflicts, expected.conflicts);
    assert.ok(runs[0]!.rejects.length > 0);
    for (const r of runs.slice(1)) {
      assert.deepEqual(r.counts, runs[0]!.counts);
      assert.equal(r.rejects, runs[0]!.rejects);
    }
  });
}

test('a malformed record found by a worker stops the run at the right byte and line', async () => {
  const dir = tempDir();
  const input = join(dir, 'bad.ndjson');
  const { text } = generateToString({ format: 'ndjson', count: RECORDS, seed: 4 });
  const lines = text.split('\n');
  const badLine = 9_000;
  lines[badLine - 1] = lines[badLine - 1]!.replace('"uid"', '"uid" 1,');
  writeFileSync(input, lines.join('\n'));
  const offset = Buffer.byteLength(lines.slice(0, badLine - 1).join('\n')) + 1;
  for (const workers of [0, 2]) {
    const r = await validate({ input, workers });
    assert.equal(r.error?.code, 'CM_INPUT_MALFORMED');
    assert.match(r.error!.message, new RegExp(`line ${badLine}`));
    const at = Number(/byte (\d+)/.exec(r.error!.message)?.[1]);
    assert.ok(at > offset && at < offset + lines[badLine - 1]!.length, `byte ${at} is inside line ${badLine}`);
    assert.equal(r.read, badLine - 1);
  }
});

test('a 12 MB record (over the 8 MB blocks a worker takes) among small ones: judged on the main thread, the same result as with no workers', async () => {
  const dir = tempDir();
  const input = join(dir, 'giant.ndjson');
  const { text } = generateToString({ format: 'ndjson', count: 4000, seed: 5 });
  const giant = JSON.stringify({ memberId: 'g1_member_u1', guid: 'g1', uid: 'u1', userDetails: { uid: 'u1', name: '\u{1F600}'.repeat(3 * 1024 * 1024) } });
  writeFileSync(input, `${text}${giant}\n${text.split('\n').slice(0, 500).join('\n')}\n`);
  const runs = [];
  for (const workers of [0, 2]) runs.push(countsOf(await validate({ input, workers })));
  assert.equal(runs[0]!.invalid, 1, 'the giant record is invalid (its name is over the limit)');
  assert.deepEqual(runs[1], runs[0]);
});
