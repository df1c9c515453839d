// Question: how fast is `validate` compared with the bare floor of split + JSON.parse on the same
// data, per format, and does its memory stay bounded? The baseline is one thread pinned to one
// core; validate is measured the same way (--workers 0) and as it runs by default (worker
// threads on all cores). Runs alternate so machine noise hits all alike; medians are reported.

import { cpus } from 'node:os';
import { benchInput } from '../lib/bench-data.js';
import type { ExpectedCounts } from '../generate.js';
import { median, runProbe } from '../lib/measure.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';

const FORMATS = ['ndjson', 'cometchat', 'array', 'map'] as const;
export const VALIDATE_RATIO_TARGET = 0.75;
export const VALIDATE_RSS_LIMIT_MB = 256;

function mbPerSecond(bytes: number, output: Record<string, unknown>): number {
  return bytes / 1e6 / ((output['ms'] as number) / 1000);
}

function checkCounts(o: Record<string, unknown>, e: ExpectedCounts): void {
  if (o['read'] !== e.read || o['valid'] !== e.valid || o['duplicates'] !== e.duplicates || o['invalid'] !== e.invalid) {
    throw new Error(`validate counted ${JSON.stringify(o)} but the generator expected ${JSON.stringify(e)}`);
  }
}

export const validateThroughput: BenchSuite = {
  name: 'validate',
  question: 'validate MB/s vs split + JSON.parse on the same data (target ≥ 0.75×), and peak RSS (≤ 256 MB)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    for (const format of FORMATS) {
      const input = await benchInput({ format, bytes: ctx.sizeBytes, seed: 42, dupRate: 0.01, conflictRate: 0.001, invalidRate: 0.01 });
      const base: number[] = [];
      const single: number[] = [];
      const multi: number[] = [];
      let rss = 0;
      for (let i = 0; i < ctx.reps; i++) {
        const b = await runProbe('parse-baseline', [input.path], { core: 1 });
        base.push(mbPerSecond(input.bytes, b.output));
        // One thread, on the same core as the baseline: the like-for-like ratio.
        const v0 = await runProbe('validate-probe', [input.path, '--workers', '0'], { core: 1 });
        single.push(mbPerSecond(input.bytes, v0.output));
        checkCounts(v0.output, input.expected);
        // The default: worker threads on every core (what `chatmigrate validate` does).
        const v = await runProbe('validate-probe', [input.path]);
        multi.push(mbPerSecond(input.bytes, v.output));
        checkCounts(v.output, input.expected);
        rss = Math.max(rss, v.output['maxRssMB'] as number, v0.output['maxRssMB'] as number);
      }
      const baseline = median(base);
      const size = `${format} ${(input.bytes / 1e6).toFixed(0)} MB`;
      for (const [label, values] of [['1 thread', single], [`default workers (${cpus().length} cores)`, multi]] as const) {
        const value = median(values);
        const ratio = value / baseline;
        ctx.log(`validate ${format}, ${label}: ${value.toFixed(1)} MB/s vs baseline ${baseline.toFixed(1)} MB/s = ${ratio.toFixed(2)}x`);
        rows.push({ bench: 'validate', case: `${size}, ${label}`, value, unit: 'MB/s', baseline, ratio, target: VALIDATE_RATIO_TARGET, pass: ratio >= VALIDATE_RATIO_TARGET });
      }
      ctx.log(`validate ${format}: peak RSS ${rss.toFixed(0)} MB`);
      rows.push({ bench: 'validate-rss', case: size, value: rss, unit: 'MB peak RSS', target: VALIDATE_RSS_LIMIT_MB, pass: rss <= VALIDATE_RSS_LIMIT_MB });
    }
    return rows;
  },
};
