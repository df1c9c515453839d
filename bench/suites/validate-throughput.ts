// Question: how fast is `validate` compared with the bare floor of split + JSON.parse on the same
// data, per format, and does its memory stay bounded? Each process is pinned to one core; the
// baseline and validate alternate so machine noise hits both alike; medians are reported.

import { benchInput } from '../lib/bench-data.js';
import { median, runProbe } from '../lib/measure.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';

const FORMATS = ['ndjson', 'cometchat', 'array', 'map'] as const;
export const VALIDATE_RATIO_TARGET = 0.75;
export const VALIDATE_RSS_LIMIT_MB = 256;

export const validateThroughput: BenchSuite = {
  name: 'validate',
  question: 'validate MB/s vs split + JSON.parse on the same data (target ≥ 0.75×), and peak RSS (≤ 256 MB)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    for (const format of FORMATS) {
      const input = await benchInput({ format, bytes: ctx.sizeBytes, seed: 42, dupRate: 0.01, conflictRate: 0.001, invalidRate: 0.01 });
      const base: number[] = [];
      const val: number[] = [];
      let rss = 0;
      for (let i = 0; i < ctx.reps; i++) {
        const b = await runProbe('parse-baseline', [input.path], { core: 1 });
        base.push(input.bytes / 1e6 / ((b.output['ms'] as number) / 1000));
        const v = await runProbe('validate-probe', [input.path], { core: 1 });
        val.push(input.bytes / 1e6 / ((v.output['ms'] as number) / 1000));
        rss = Math.max(rss, v.output['maxRssMB'] as number);
        const e = input.expected;
        if (v.output['read'] !== e.read || v.output['valid'] !== e.valid || v.output['duplicates'] !== e.duplicates || v.output['invalid'] !== e.invalid) {
          throw new Error(`validate counted ${JSON.stringify(v.output)} but the generator expected ${JSON.stringify(e)}`);
        }
      }
      const value = median(val);
      const baseline = median(base);
      const ratio = value / baseline;
      ctx.log(`validate ${format}: ${value.toFixed(1)} MB/s vs baseline ${baseline.toFixed(1)} MB/s = ${ratio.toFixed(2)}x, peak RSS ${rss.toFixed(0)} MB`);
      rows.push({ bench: 'validate', case: `${format} ${(input.bytes / 1e6).toFixed(0)} MB`, value, unit: 'MB/s', baseline, ratio, target: VALIDATE_RATIO_TARGET, pass: ratio >= VALIDATE_RATIO_TARGET });
      rows.push({ bench: 'validate-rss', case: `${format} ${(input.bytes / 1e6).toFixed(0)} MB`, value: rss, unit: 'MB peak RSS', target: VALIDATE_RSS_LIMIT_MB, pass: rss <= VALIDATE_RSS_LIMIT_MB });
    }
    return rows;
  },
};
