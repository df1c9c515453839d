// A/B question: on the large input (--large, 2 GB by default), does this build's `validate` peak
// no higher in memory than the ref's? As shipped (default --workers, unpinned), one run per build
// and format (a peak RSS is not a throughput: one run says it), ndjson and the one big object.

import { bytesOf } from '../lib/bench-settings.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import { checkReportCounts, runBuild, type AbCase, type AbSuite } from './ab-context.js';

/** As the rss suite's guard: a peak moves with GC timing. */
const RSS_TOLERANCE = 0.2;
const RSS_FORMATS = ['ndjson', 'cometchat'] as const;

export const rssAb: AbSuite = {
  name: 'rss',
  question: 'peak RSS of validate on the large input, this build vs the ref',
  async cases(ctx) {
    ctx.setup(`each build's validate as shipped (default --workers, unpinned), one run per build and input, this build first; median`);
    const cases: AbCase[] = [];
    for (const format of RSS_FORMATS.filter((f) => ctx.settings.formats.includes(f))) {
      const input = await throughputInput(format, bytesOf(ctx.settings.large, '--large'));
      ctx.setup(`data: ${describeInput(format, input)}`);
      const id = `rss/${format}/large`;
      cases.push({
        label: `rss ${format} ${ctx.settings.large}`,
        reps: 1,
        metrics: [{ id, suite: 'rss', unit: 'MB peak RSS', better: 'lower', tolerance: RSS_TOLERANCE, estimate: 'median' }],
        async measure(build) {
          const r = await runBuild(build, 'validate', [input.path]);
          checkReportCounts(build, r.report, input.expected);
          return { [id]: r.maxRssMB };
        },
      });
    }
    return cases;
  },
};
