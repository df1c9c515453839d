// Question: does `validate`'s peak memory stay flat when the input grows 20× (100 MB vs 2 GB by
// default)? SPEC allows only the dedupe index to grow with the input, so each run's peak RSS is
// also given without the index (its size for that run's distinct keys, measured by the probe).
// Runs as shipped (default --workers, unpinned): one run per size, RSS is not a noisy figure.

import { cpus } from 'node:os';
import { bytesOf } from '../lib/bench-settings.js';
import { runProbe } from '../lib/measure.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';
import { checkCounts } from './validate-throughput.js';

/** "Flat": the large input may peak at most 25% above the small one, index excluded. */
export const RSS_RATIO_LIMIT = 1.25;
/**
 * A peak of the worst of 3 reps swings with GC timing: the ndjson ratio measured 1.09-1.33 on the
 * 2026-11-22 baseline's own commit and 1.14-1.33 on 2026-12-05's main, three runs each, one hour.
 */
const RSS_TOLERANCE = 0.2;
/** The plain line format and the one big object (the case where bounded memory takes care). */
const RSS_FORMATS = ['ndjson', 'cometchat'] as const;

export const rssFlat: BenchSuite = {
  name: 'rss',
  question: 'peak RSS of validate on the small vs the large input: flat (≤ 1.25×) once the dedupe index is set aside',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const small = bytesOf(ctx.settings.size);
    const large = bytesOf(ctx.settings.large, '--large');
    ctx.setup(`validate as shipped (default --workers on ${cpus().length} cores, unpinned), one run per input; peak RSS from getrusage; index size = a dedupe index holding the run's distinct keys`);
    for (const format of RSS_FORMATS.filter((f) => ctx.settings.formats.includes(f))) {
      const peaks: Array<{ rss: number; index: number }> = [];
      for (const bytes of [small, large]) {
        const input = await throughputInput(format, bytes);
        ctx.setup(`data: ${describeInput(format, input)}`);
        const r = await runProbe('validate-probe', [input.path, '--index-size', '1']);
        checkCounts(r.output, input.expected);
        peaks.push({ rss: r.output['maxRssMB'] as number, index: r.output['indexMB'] as number });
      }
      const [s, l] = peaks as [{ rss: number; index: number }, { rss: number; index: number }];
      const exSmall = s.rss - s.index;
      const exLarge = l.rss - l.index;
      const ratio = exLarge / exSmall;
      const raw = l.rss / s.rss;
      ctx.log(`rss ${format}: ${ctx.settings.size} peak ${s.rss.toFixed(0)} MB (index ${s.index.toFixed(0)} MB), ${ctx.settings.large} peak ${l.rss.toFixed(0)} MB (index ${l.index.toFixed(0)} MB): ${ratio.toFixed(2)}x without the index, ${raw.toFixed(2)}x raw`);
      const c = `${format} ${ctx.settings.large} vs ${ctx.settings.size}`;
      rows.push(
        { id: `rss/${format}/large-vs-small`, bench: 'rss-flat', case: `${c}, index excluded`, value: exLarge, unit: 'MB peak RSS', baseline: exSmall, ratio, target: RSS_RATIO_LIMIT, pass: ratio <= RSS_RATIO_LIMIT, guard: { value: ratio, better: 'lower', tolerance: RSS_TOLERANCE } },
        { id: `rss/${format}/large-vs-small-raw`, bench: 'rss-raw', case: `${c}, index included`, value: l.rss, unit: 'MB peak RSS', baseline: s.rss, ratio: raw, notes: `dedupe index ${s.index.toFixed(0)} → ${l.index.toFixed(0)} MB; not guarded` },
      );
    }
    return rows;
  },
};
