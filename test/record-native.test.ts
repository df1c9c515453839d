// The native fast path (native/scan_block.cc) against the JavaScript paths, record by record:
// whatever it handles must be what JSON.parse + validateMember accept, with the same canonical
// JSON, memberId, fingerprint and content digest; and whole runs must give the same reports,
// rejects files and delivered records with it and without it (CHATMIGRATE_NATIVE=0).
//
// The native path is built by `npm ci` / `npm run build` (scripts/build-native.mjs) when a C++
// compiler is present; on a machine without one, run the suite with CHATMIGRATE_NATIVE=0.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nativeScanBlock } from '../src/entities/native-scan.js';
import { validateMember } from '../src/entities/validate-member.js';
import { contentDigest16, fingerprint128 } from '../src/transforms/dedupe/fingerprint.js';
import { W_ID_END, W_JSON_END, W_STATUS_DIGEST, WORDS_PER_RECORD } from '../src/transforms/record-block.js';
import { createRecordFactory } from '../bench/generate-records.js';
import { editedTexts, exportLikeTexts, TEXT_NOW } from './helpers/member-texts.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/run.js';

const disabled = process.env['CHATMIGRATE_NATIVE'] === '0';

/** Runs one block through the native path and checks every record it handled; returns how many. */
function checkBlock(records: ReadonlyArray<{ text: string; key: string | undefined }>, nowSeconds: number, wantJson = true): number {
  const scan = nativeScanBlock!;
  const parts = records.map((r) => Buffer.from(r.text));
  const bytes = Buffer.concat(parts);
  const ends = new Int32Array(records.length);
  let end = 0;
  parts.forEach((p, i) => (ends[i] = end += p.length));
  const hasKeys = records.some((r) => r.key !== undefined);
  const words = new Int32Array(records.length * WORDS_PER_RECORD);
  const flags = new Uint8Array(records.length);
  const ids = Buffer.alloc(bytes.length * 2 + 64);
  const jsons = Buffer.alloc(bytes.length * 2 + 64 * records.length + 64);
  const handled = scan(bytes, ends, records.length, hasKeys ? records.map((r) => r.key) : null, nowSeconds, wantJson, words, flags, ids, jsons);
  let idAt = 0;
  let jsonAt = 0;
  let seen = 0;
  const fp = new Uint32Array(4);
  records.forEach(({ text, key }, i) => {
    if (flags[i] !== 1) return;
    seen++;
    const w = i * WORDS_PER_RECORD;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.fail(`native path handled text JSON.parse refuses: ${text}`);
    }
    const usual = validateMember(parsed, key === undefined ? { nowSeconds } : { key, nowSeconds });
    assert.ok(usual.ok, `native path handled a record the usual path rejects (${usual.ok ? '' : usual.reason}): ${text}`);
    const memberId = ids.toString('latin1', idAt, words[w + W_ID_END]);
    idAt = words[w + W_ID_END]!;
    assert.equal(memberId, usual.member.memberId, text);
    if (wantJson) {
      assert.equal(jsons.toString('latin1', jsonAt, words[w + W_JSON_END]), usual.json, text);
      jsonAt = words[w + W_JSON_END]!;
    }
    fingerprint128(memberId, fp);
    assert.deepEqual([...words.subarray(w, w + 4)], [...new Int32Array(fp.buffer)], `fingerprint of ${memberId}`);
    assert.equal(words[w + W_STATUS_DIGEST], contentDigest16(usual.json), `digest of ${usual.json}`);
  });
  assert.equal(seen, handled);
  return handled;
}

describe('native fast path', { skip: disabled ? 'CHATMIGRATE_NATIVE=0' : false }, () => {
  it('is built and loaded (npm run build compiles it; set CHATMIGRATE_NATIVE=0 on machines without a C++ compiler)', () => {
    assert.equal(typeof nativeScanBlock, 'function');
  });

  it('agrees with the JavaScript paths on generated exports, with and without map keys, and handles nearly every valid record', () => {
    const factory = createRecordFactory({ seed: 11, dupRate: 0.02, conflictRate: 0.01, invalidRate: 0.05 });
    const generated = Array.from({ length: 20_000 }, () => factory.next());
    const valid = generated.filter((r) => r.kind !== 'invalid').length;
    for (const keyed of [false, true]) {
      let handled = 0;
      for (let from = 0; from < generated.length; from += 700) {
        const block = generated.slice(from, from + 700).map((r) => ({ text: r.json, key: keyed ? r.memberId : undefined }));
        handled += checkBlock(block, 1_740_000_000, !keyed);
      }
      assert.ok(handled > 0.9 * valid, `handled ${handled} of ${valid} valid records`);
    }
  });

  it('agrees on export-like records in many forms, key orders and spacings', () => {
    const records = [...exportLikeTexts(4243, 6000)];
    let handled = 0;
    for (let from = 0; from < records.length; from += 500) handled += checkBlock(records.slice(from, from + 500), TEXT_NOW);
    assert.ok(handled > 800, `handled only ${handled}`);
  });

  it('never handles text JSON.parse refuses, nor differently after small edits', () => {
    const records = [...editedTexts(5, 8000)].map((text) => ({ text, key: undefined }));
    let handled = 0;
    for (let from = 0; from < records.length; from += 500) handled += checkBlock(records.slice(from, from + 500), 1_740_000_000);
    assert.ok(handled > 300, `handled only ${handled}`);
  });

  it('leaves timestamps outside its forms, non-ASCII text and "now" outside the 10-digit range to JavaScript', () => {
    const base = '"guid":"g1","uid":"u1"';
    const cases = [
      `{${base},"joinedAt":"2023-01-11"}`, `{${base},"joinedAt":"01673421419"}`, `{${base},"joinedAt":" 1673421419"}`,
      `{${base},"joinedAt":{"$date":"1673421419"}}`, `{${base},"joinedAt":"2023-01-11T07:16:59.5+01:00"}`,
      `{${base},"joinedAt":"2023-02-29T00:00:00Z"}`, `{${base},"joinedAt":"0999-01-01T00:00:00Z"}`,
      `{${base},"userDetails":{"name":"Zoë"}}`, `{${base},"groupDetails":{"name":"G","type":"Public","createdAt":"2023-01-11T07:16:59,123Z"}}`,
      `{${base},"joinedAt":1673421419}`, `{${base},"joinedAt":"2023-01-11t07:16:59-00:30"}`, `{${base},"joinedAt":{ "$date" : 1673421419000 }}`,
    ].map((text) => ({ text, key: undefined }));
    for (const now of [1_740_000_000, 1673421418, NaN, 0, 1e12]) checkBlock(cases, now);
    assert.equal(checkBlock([{ text: `{${base},"userDetails":{"name":"Zoë"}}`, key: undefined }], 1_740_000_000), 0);
    assert.equal(checkBlock([{ text: `{${base},"joinedAt":"2023-01-11T07:16:59.5+01:00"}`, key: undefined }], 1_740_000_000), 1);
  });

  it('gives byte-identical reports and rejects files with and without it, in all four formats', { timeout: 120_000 }, async () => {
    const dir = tempDir('chatmigrate-native-');
    const generate = join(import.meta.dirname, '..', 'bench', 'generate.js');
    for (const format of ['ndjson', 'cometchat', 'array', 'map']) {
      const input = join(dir, `in.${format}`);
      const gen = execFileSync(process.execPath, [generate, '--format', format, '--count', '6000', '--seed', '9', '--invalid-rate', '0.03', '--dup-rate', '0.02', '--conflict-rate', '0.01'], { maxBuffer: 64 << 20 });
      writeFileSync(input, gen);
      const outputs: string[] = [];
      for (const native of ['1', '0']) {
        const report = join(dir, `${format}-${native}.json`);
        const rejects = join(dir, `${format}-${native}.ndjson`);
        const r = await runCli(['validate', input, '--now', '1740000000', '--report', report, '--rejects', rejects], { env: { CHATMIGRATE_NATIVE: native } });
        assert.equal(r.code, 3, r.stderr);
        const counts = JSON.parse(readFileSync(report, 'utf8')) as Record<string, unknown>;
        outputs.push(JSON.stringify({ ...counts, startedAt: 0, finishedAt: 0, durationMs: 0 }) + readFileSync(rejects, 'utf8'));
      }
      assert.equal(outputs[0], outputs[1], `${format}: native and JavaScript runs differ`);
    }
  });
});
