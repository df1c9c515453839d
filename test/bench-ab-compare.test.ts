// The pure parts of the A/B tools on plain values: bench:check --against's verdicts (a regression
// of this build beyond tolerance fails, an improvement never does), the #! line a build is started
// with, and ab:outputs' report normalization and first-difference hunks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AbMetric } from '../bench/ab/ab-context.js';
import { DISTURBED, disturbed, type AbBuild, type AbCase } from '../bench/ab/ab-context.js';
import { estimate, figuresOf, measureCase, type CaseSamples } from '../bench/ab/case-runner.js';
import { fixedCostOf } from '../bench/ab/startup-ab.js';
import { compareBuilds, formatAbTable } from '../bench/lib/ab-compare.js';
import { parseShebang } from '../bench/lib/cli-launch.js';
import { CLOCK_FIELDS, firstDifference, normalizeReport } from '../bench/lib/output-compare.js';

const speed = (thisValue: number, ref = 100): AbMetric => ({ id: 'validate/ndjson/workers-1', suite: 'validate', unit: 'MB/s', better: 'higher', tolerance: 0.15, this: thisValue, ref });
const rss = (thisValue: number, ref = 100): AbMetric => ({ id: 'rss/ndjson/large', suite: 'rss', unit: 'MB peak RSS', better: 'lower', tolerance: 0.2, this: thisValue, ref });

test('compareBuilds fails only on a regression of this build beyond tolerance, in the direction of each metric', () => {
  assert.deepEqual(compareBuilds([speed(86), speed(84), speed(300)]).map((r) => r.verdict), ['ok', 'REGRESSED', 'ok']);
  assert.deepEqual(compareBuilds([rss(119), rss(121), rss(10)]).map((r) => r.verdict), ['ok', 'REGRESSED', 'ok']);
  const [row] = compareBuilds([speed(90)]);
  assert.equal(row!.baseline, 100);
  assert.equal(row!.now, 90);
  assert.ok(Math.abs(row!.allowed! - 85) < 1e-9);
  assert.ok(Math.abs(row!.change - 0.9) < 1e-9);
  // --tolerance overrides every metric's own.
  assert.deepEqual(compareBuilds([speed(60), rss(140)], 0.5).map((r) => r.verdict), ['ok', 'ok']);
  assert.deepEqual(compareBuilds([speed(NaN), speed(90, NaN)]).map((r) => r.verdict), ['REGRESSED', 'REGRESSED']);
  // A figure shown for information never fails.
  assert.deepEqual(compareBuilds([{ ...rss(500), guarded: false }]).map((r) => r.verdict), ['info']);
  // A clock-timed figure without an undisturbed run of each build is not judged.
  const busy = { ...speed(50), clock: true, busy: true };
  assert.deepEqual(compareBuilds([busy, { ...busy, this: 99 }, { ...busy, busy: false }]).map((r) => r.verdict), ['busy', 'ok', 'REGRESSED']);
});

test('figures: the best rep for speeds (noise only adds time), the median where noise goes both ways', () => {
  assert.equal(estimate({ better: 'higher', estimate: 'best' }, [50, 70, 60]), 70);
  assert.equal(estimate({ better: 'lower', estimate: 'best' }, [50, 70, 60]), 50);
  assert.equal(estimate({ better: 'lower', estimate: 'median' }, [50, 90, 60]), 60);
  assert.ok(Number.isNaN(estimate({ better: 'higher', estimate: 'best' }, [])));
  const samples: CaseSamples = {
    case: { label: 'c', reps: 2, metrics: [{ id: 's', suite: 'v', unit: 'MB/s', better: 'higher', tolerance: 0.15, estimate: 'best' }, { id: 'r', suite: 'v', unit: 'MB', better: 'lower', tolerance: 0.2, estimate: 'median', guarded: false }], measure: () => Promise.resolve({}) },
    this: { s: [10, 12], r: [100, 110, 90] },
    ref: { s: [11, 9], r: [95, 96, 97] },
  };
  assert.deepEqual(figuresOf(samples), [
    { id: 's', suite: 'v', unit: 'MB/s', better: 'higher', tolerance: 0.15, this: 12, ref: 11, samples: 2 },
    { id: 'r', suite: 'v', unit: 'MB', better: 'lower', tolerance: 0.2, guarded: false, this: 100, ref: 96, samples: 3 },
  ]);
});

test('a clock-timed figure counts only runs no other work disturbed; with none for a build it is busy', () => {
  const spec = { id: 'w', suite: 'v', unit: 'MB/s', better: 'higher' as const, tolerance: 0.15, estimate: 'best' as const, clock: true };
  const cpuSpec = { ...spec, id: 'c', clock: false };
  const base = { label: 'c', reps: 3, metrics: [spec, cpuSpec], measure: () => Promise.resolve({}) };
  // The ref's first run (90) was disturbed by other work: it does not count; its figure is its best other run, 70.
  const s: CaseSamples = { case: base, this: { w: [60, 62, 61], c: [5, 6, 7], [DISTURBED]: [0, 0, 0] }, ref: { w: [90, 70, 65], c: [5, 6, 7], [DISTURBED]: [1, 0, 0] } };
  const [w, c] = figuresOf(s);
  assert.deepEqual([w!.this, w!.ref, w!.samples, w!.busy], [62, 70, 2, undefined]);
  assert.deepEqual([c!.this, c!.ref, c!.samples], [7, 7, 3]); // timed by CPU: every run counts
  const allDisturbed: CaseSamples = { ...s, ref: { ...s.ref, [DISTURBED]: [1, 1, 1] } };
  const [busy] = figuresOf(allDisturbed);
  assert.deepEqual([busy!.ref, busy!.busy], [90, true]);
  assert.equal(compareBuilds([busy!])[0]!.verdict, 'busy');
  // Other processes' CPU during a run: the machine's CPU less the run's own (and the sandbox's).
  const run = { code: 0, ms: 1000, cpuMs: 900, maxRssMB: 1, stderr: '' };
  assert.equal(disturbed({ ...run, machineCpuMs: 1050 }), 0);
  assert.equal(disturbed({ ...run, machineCpuMs: 1300 }), 1);
  assert.equal(disturbed({ ...run, machineCpuMs: 1300 }, 300), 0);
  assert.equal(disturbed({ ...run, machineCpuMs: undefined }), 0);
});

test('measureCase interleaves the builds, alternating which goes first, and a second round pools with the first', async () => {
  const builds: [AbBuild, AbBuild] = [{ role: 'this', label: 't', cli: 't' }, { role: 'ref', label: 'r', cli: 'r' }];
  const order: string[] = [];
  let n = 0;
  const c: AbCase = {
    label: 'c',
    reps: 2,
    metrics: [{ id: 'x', suite: 's', unit: 'u', better: 'higher', tolerance: 0.1, estimate: 'best' }],
    measure: (build) => {
      order.push(build.role);
      return Promise.resolve({ x: n++ });
    },
    around: async (round) => {
      order.push('open');
      await round();
      order.push('close');
    },
  };
  const samples = await measureCase(c, builds, 2);
  assert.deepEqual(order, ['open', 'this', 'ref', 'ref', 'this', 'close']);
  assert.deepEqual(samples.this, { x: [0, 3] });
  assert.deepEqual(samples.ref, { x: [1, 2] });
  await measureCase(c, builds, 1, samples);
  assert.deepEqual(samples.this, { x: [0, 3, 4] });
  assert.deepEqual(samples.ref, { x: [1, 2, 5] });
});

test('the fixed cost taken off both builds is the smallest either showed', () => {
  const wall = 'startup/validate-one-record';
  const cpu = 'startup/validate-one-record-cpu';
  const s = { case: { label: 'startup', reps: 2, metrics: [], measure: () => Promise.resolve({}) }, this: { [wall]: [500, 520], [cpu]: [480, 470] }, ref: { [wall]: [510, 490], [cpu]: [475, 485] } } as CaseSamples;
  assert.deepEqual(fixedCostOf(s), { ms: 490, cpuMs: 470 });
});

test('formatAbTable prints metric, unit, direction, ref, this, this ÷ ref, allowed, tolerance and verdict', () => {
  const table = formatAbTable(compareBuilds([speed(80), rss(90), { ...rss(130), id: 'validate-rss/ndjson/workers-0', guarded: false }]));
  const lines = table.split('\n');
  assert.equal(lines[0], '| metric | unit | better | ref | this | this ÷ ref | allowed | tolerance | verdict |');
  assert.equal(lines[2], '| validate/ndjson/workers-1 | MB/s | higher | 100 | 80.0 | 0.80 | ≥ 85.0 | 15% | REGRESSED |');
  assert.equal(lines[3], '| rss/ndjson/large | MB peak RSS | lower | 100 | 90.0 | 0.90 | ≤ 120 | 20% | ok |');
  assert.equal(lines[4], '| validate-rss/ndjson/workers-0 | MB peak RSS | lower | 100 | 130 | 1.30 | — | — | info |');
});

test('parseShebang reads the environment and Node flags of an executable\'s #! line', () => {
  assert.deepEqual(parseShebang('#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --single-threaded-gc --max-semi-space-size=4'), {
    env: { MALLOC_ARENA_MAX: '2' },
    nodeArgs: ['--single-threaded-gc', '--max-semi-space-size=4'],
  });
  assert.deepEqual(parseShebang('#!/usr/bin/env node'), { env: {}, nodeArgs: [] });
  assert.deepEqual(parseShebang('#!/usr/local/bin/node --max-old-space-size=512'), { env: {}, nodeArgs: ['--max-old-space-size=512'] });
  assert.deepEqual(parseShebang('// no shebang'), { env: {}, nodeArgs: [] });
});

test('normalizeReport drops the clock readings (nested ones too) and sorts keys; other fields stay', () => {
  const a = { status: 'ok', durationMs: 12, startedAt: 'x', finishedAt: 'y', achievedRpm: 3.5, budgetUsed: 0.9, resumed: { fromRecord: 5, earlierRunsMs: 70 }, read: 10, input: { name: 'f', bytes: 3 } };
  const b = { read: 10, input: { bytes: 3, name: 'f' }, resumed: { earlierRunsMs: 99, fromRecord: 5 }, status: 'ok', durationMs: 99, startedAt: 'z', finishedAt: 'w', achievedRpm: 1, budgetUsed: 0.1 };
  assert.equal(normalizeReport(JSON.stringify(a)), normalizeReport(JSON.stringify(b)));
  assert.deepEqual(JSON.parse(normalizeReport(JSON.stringify(a))), { input: { bytes: 3, name: 'f' }, read: 10, resumed: { fromRecord: 5 }, status: 'ok' });
  assert.notEqual(normalizeReport(JSON.stringify({ ...a, read: 11 })), normalizeReport(JSON.stringify(a)));
  assert.ok(CLOCK_FIELDS.includes('durationMs'));
  // Extra fields (--ignore-field) and non-JSON text.
  assert.equal(normalizeReport('{"version":"1","read":1}', [...CLOCK_FIELDS, 'version']), normalizeReport('{"version":"2","read":1}', [...CLOCK_FIELDS, 'version']));
  assert.equal(normalizeReport('not json'), 'not json');
});

test('firstDifference gives a unified hunk of the first differences, aligned line by line, with context, capped', () => {
  assert.equal(firstDifference('a\nb\n', 'a\nb\n', { a: 'ref/x', b: 'this/x' }), undefined);
  const ref = ['1', '2', '3', '4', 'five', '6', '7'].join('\n');
  const mine = ['1', '2', '3', '4', 'FIVE', '6', '7'].join('\n');
  assert.equal(firstDifference(ref, mine, { a: 'ref/x', b: 'this/x' }), ['--- ref/x', '+++ this/x', '@@ -2,6 +2,6 @@', ' 2', ' 3', ' 4', '-five', '+FIVE', ' 6', ' 7'].join('\n'));
  // A line only on one side does not make every later line differ; nearby changes share the hunk.
  assert.equal(firstDifference('a\nb\nc\nd', 'a\nnew\nb\nc\nD', { a: 'r', b: 't' }), ['--- r', '+++ t', '@@ -1,4 +1,5 @@', ' a', '+new', ' b', ' c', '-d', '+D'].join('\n'));
  // Changes far apart: the hunk ends after `context` unchanged lines and says more follows.
  const far = firstDifference(['x', ...Array.from({ length: 10 }, (_, i) => `s${i}`), 'y'].join('\n'), ['X', ...Array.from({ length: 10 }, (_, i) => `s${i}`), 'Y'].join('\n'), { a: 'r', b: 't' })!;
  assert.equal(far.split('\n').slice(2).join('\n'), ['@@ -1,4 +1,4 @@', '-x', '+X', ' s0', ' s1', ' s2', '… more differences follow (12 lines in r, 12 in t; the first differs at line 1)'].join('\n'));
  // Only the first maxLines changed lines are shown.
  const many = firstDifference(Array.from({ length: 30 }, (_, i) => `a${i}`).join('\n'), Array.from({ length: 30 }, (_, i) => `b${i}`).join('\n'), { a: 'r', b: 't' }, { maxLines: 2 })!;
  assert.deepEqual(many.split('\n').slice(2, 5), ['@@ -1,2 +1,0 @@', '-a0', '-a1']);
  assert.match(many, /… more differences follow/);
});
