// A/B question: on the large input (--large, 2 GB by default), does this build's `validate` peak
// no higher in memory than the ref's? As shipped (default --workers, unpinned), one run per build
// and format (a peak RSS is not a throughput: one run says it), ndjson and the one big object.

import { bytesOf } from '../lib/bench-settings.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import { checkReportCounts, interleave, runBuild, type AbMetric, type AbSuite } from './ab-context.js';

/** As the rss suite's guard: a peak moves with GC timing. */
const RSS_TOLERANCE = 0.2;
const RSS_FORMATS = ['ndjson', 'cometchat'] as const;

export const rssAb: AbSuite = {
  name: 'rss',
  question: 'peak RSS of validate on the large input, this build vs the ref',
  async run(ctx) {
    const metrics: AbMetric[] = [];
    ctx.setup(`each build's validate as shipped (default --workers, unpinned), one run per build and input, this build first`);
    for (const format of RSS_FORMATS.filter((f) => ctx.settings.formats.includes(f))) {
      const input = await throughputInput(format, bytesOf(ctx.settings.large, '--large'));
      ctx.setup(`data: ${describeInput(format, input)}`);
      const runs = await interleave(ctx.builds, 1, async (build) => {
        const r = await runBuild(build, 'validate', [input.path]);
        checkReportCounts(build, r.report, input.expected);
        return r.maxRssMB;
      });
      const rss = { this: runs.this[0]!, ref: runs.ref[0]! };
      ctx.log(`rss ${format} ${ctx.settings.large}: this ${rss.this.toFixed(0)} MB, ref ${rss.ref.toFixed(0)} MB`);
      metrics.push({ id: `rss/${format}/large`, suite: 'rss', unit: 'MB peak RSS', better: 'lower', tolerance: RSS_TOLERANCE, ...rss });
    }
    return metrics;
  },
};
