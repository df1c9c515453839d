// The baseline format and the regression rules of bench:check, on plain values: higher- and
// lower-is-better metrics, tolerances, missing metrics of suites that ran, skipped suites, new metrics.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFailed, compareWithBaseline, createBaseline, formatCheckTable, settingsDifferences } from '../bench/lib/baseline.js';
import { DEFAULT_SETTINGS, keyCounts, resolveSettings, settingsToArgs } from '../bench/lib/bench-settings.js';
import type { BenchResults, BenchRow } from '../bench/lib/types.js';

function results(rows: BenchRow[], suites = ['validate', 'dedupe']): BenchResults {
  return {
    schema: 1,
    machine: { node: 'v20.0.0', cpus: 2, cpu: 'test', platform: 'linux', date: '2026-11-22T00:00:00.000Z', taskset: true },
    settings: { ...DEFAULT_SETTINGS, suites },
    budget: { seconds: 600, elapsedSeconds: 1 },
    suites: [],
    rows,
  };
}

const ratioRow = (value: number): BenchRow => ({ suite: 'validate', id: 'validate/ndjson/workers-0', bench: 'validate', case: 'ndjson', value: value * 80, unit: 'MB/s', baseline: 80, ratio: value, guard: { value, better: 'higher', tolerance: 0.15 } });
const bytesRow = (value: number): BenchRow => ({ suite: 'dedupe', id: 'dedupe/30M/bytes-per-key', bench: 'dedupe-bytes', case: '30M keys', value, unit: 'B/key', guard: { value, better: 'lower', tolerance: 0.05 } });

test('createBaseline keeps only guarded rows, with their direction, tolerance and the run settings', () => {
  const base = createBaseline(results([ratioRow(0.8), bytesRow(22), { id: 'info', bench: 'x', case: 'y', value: 1, unit: 'ms' }]));
  assert.deepEqual(Object.keys(base.metrics), ['validate/ndjson/workers-0', 'dedupe/30M/bytes-per-key']);
  assert.deepEqual(base.metrics['dedupe/30M/bytes-per-key'], { value: 22, better: 'lower', tolerance: 0.05, unit: 'B/key', suite: 'dedupe', case: '30M keys' });
  assert.equal(base.metrics['validate/ndjson/workers-0']!.unit, 'ratio: MB/s ÷ same-run baseline');
  assert.equal(createBaseline(results([ratioRow(0.8)]), 0.5).metrics['validate/ndjson/workers-0']!.tolerance, 0.5);
  assert.deepEqual(base.settings.suites, ['validate', 'dedupe']);
  assert.throws(() => createBaseline(results([ratioRow(NaN)])), /no finite value/);
});

test('higher-is-better fails below value × (1 − tolerance); lower-is-better fails above value × (1 + tolerance)', () => {
  const base = createBaseline(results([ratioRow(0.8), bytesRow(22)]));
  const ok = compareWithBaseline(results([ratioRow(0.69), bytesRow(23)]), base);
  assert.deepEqual(ok.map((r) => r.verdict), ['ok', 'ok']);
  assert.equal(checkFailed(ok), false);
  assert.ok(Math.abs(ok[0]!.allowed! - 0.68) < 1e-12);
  assert.ok(Math.abs(ok[1]!.allowed! - 23.1) < 1e-12);

  const slow = compareWithBaseline(results([ratioRow(0.67), bytesRow(22)]), base);
  assert.deepEqual(slow.map((r) => r.verdict), ['REGRESSED', 'ok']);
  assert.equal(checkFailed(slow), true);
  // A bigger B/key is worse even though the number went up; a smaller one is never a regression.
  assert.deepEqual(compareWithBaseline(results([ratioRow(2), bytesRow(23.2)]), base).map((r) => r.verdict), ['ok', 'REGRESSED']);
  assert.deepEqual(compareWithBaseline(results([ratioRow(0.8), bytesRow(5)]), base).map((r) => r.verdict), ['ok', 'ok']);
  assert.deepEqual(compareWithBaseline(results([ratioRow(NaN), bytesRow(22)]), base).map((r) => r.verdict), ['REGRESSED', 'ok']);
});

test('a metric missing from a suite that ran fails; one of a suite not run is skipped; unknown metrics are new', () => {
  const base = createBaseline(results([ratioRow(0.8), bytesRow(22)]));
  const missing = compareWithBaseline(results([bytesRow(22)]), base);
  assert.equal(missing.find((r) => r.id === 'validate/ndjson/workers-0')!.verdict, 'MISSING');
  assert.equal(checkFailed(missing), true);
  const skipped = compareWithBaseline(results([bytesRow(22)], ['dedupe']), base);
  assert.equal(skipped.find((r) => r.id === 'validate/ndjson/workers-0')!.verdict, 'skipped');
  assert.equal(checkFailed(skipped), false);
  const extra: BenchRow = { ...bytesRow(20), id: 'dedupe/1M/bytes-per-key' };
  const withNew = compareWithBaseline(results([ratioRow(0.8), bytesRow(22), extra]), base);
  assert.equal(withNew.find((r) => r.id === 'dedupe/1M/bytes-per-key')!.verdict, 'new');
  assert.equal(checkFailed(withNew), false);
});

test('the check table names each metric with baseline, now, allowed and verdict', () => {
  const base = createBaseline(results([ratioRow(0.8), bytesRow(22)]));
  const table = formatCheckTable(compareWithBaseline(results([ratioRow(0.5), bytesRow(22)]), base));
  assert.match(table, /\| validate\/ndjson\/workers-0 \| higher \| 0\.800 \| 0\.500 \| ≥ 0\.680 \| 15% \| REGRESSED \|/);
  assert.match(table, /\| dedupe\/30M\/bytes-per-key \| lower \| 22\.0 \| 22\.0 \| ≤ 23\.1 \| 5% \| ok \|/);
});

test('settings round-trip through arguments, and differences are named', () => {
  const s = resolveSettings({ size: '5MB', keys: '50k,1.5M', formats: 'ndjson,map', workers: '0,2', reps: '2', 'quota-seconds': '4' }, ['parse']);
  assert.deepEqual(keyCounts(s), [50_000, 1_500_000]);
  const args = settingsToArgs(s);
  assert.deepEqual(args.slice(0, 3), ['parse', '--size', '5MB']);
  assert.deepEqual(settingsDifferences(s, { ...s, size: '6MB' }), ['size: baseline "5MB", results "6MB"']);
  assert.throws(() => resolveSettings({ formats: 'xml' }, []), /--formats expects names from/);
  assert.throws(() => resolveSettings({ size: 'big' }, []), /--size expects a size like/);
  assert.throws(() => resolveSettings({ keys: '1G' }, []), /--keys expects counts/);
});
