// A/B question: is this build's `validate` as fast as the ref's on the same file, per format and
// --workers setting, and does it peak no higher in memory? Both builds' executables run
// interleaved on the same generated input; --workers 0 pinned to the probe core, --workers N ≥ 1
// unpinned (they need the cores), as in the validate suite. Medians of --reps runs.
// --workers 0 is timed by its CPU time: on one pinned thread that equals its wall time on a quiet
// machine, and unlike wall time it does not grow when other processes take the core (a shared CI
// runner, the test suite's parallel files). --workers N ≥ 1 is about using cores: wall time.

import { bytesOf } from '../lib/bench-settings.js';
import { PROBE_CORE } from '../lib/floor.js';
import { median } from '../lib/measure.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import { checkReportCounts, interleave, netOf, runBuild, type AbMetric, type AbSuite } from './ab-context.js';

/** As the validate suite's guard; interleaved runs of two builds are less noisy than a run vs a stored baseline. */
const SPEED_TOLERANCE = 0.15;
/**
 * Shown, not guarded (as in the validate suite): a 100 MB run's peak moves with GC timing, which
 * V8 adapts to the speeds it measures, so a busy machine moves it further (a run of the same
 * code measured 101 vs 136 MB). Memory growth is guarded by the rss suite's large input.
 */
const RSS_TOLERANCE = 0.2;

export const validateAb: AbSuite = {
  name: 'validate',
  question: 'validate MB/s and peak RSS, this build vs the ref, per format and --workers, same file, interleaved',
  async run(ctx) {
    const metrics: AbMetric[] = [];
    const { workers, reps } = ctx.settings;
    ctx.setup(`each build's chatmigrate validate (its own #! runtime flags; MB/s from the run's time less the build's fixed cost), --workers 0 pinned to core ${PROBE_CORE}, others unpinned; ${reps} reps per build, alternating which build runs first; medians`);
    for (const format of ctx.settings.formats) {
      const input = await throughputInput(format, bytesOf(ctx.settings.size));
      ctx.setup(`data: ${describeInput(format, input)}`);
      for (const w of workers) {
        const runs = await interleave(ctx.builds, reps, async (build) => {
          const r = await runBuild(build, 'validate', [input.path, '--workers', String(w)], w === 0 ? { core: PROBE_CORE } : {});
          checkReportCounts(build, r.report, input.expected);
          const net = netOf(ctx, build, r);
          return { mbPerSecond: input.bytes / 1e6 / ((w === 0 ? net.cpuMs : net.ms) / 1000), rss: r.maxRssMB };
        });
        const speed = { this: median(runs.this.map((r) => r.mbPerSecond)), ref: median(runs.ref.map((r) => r.mbPerSecond)) };
        const rss = { this: median(runs.this.map((r) => r.rss)), ref: median(runs.ref.map((r) => r.rss)) };
        ctx.log(`validate ${format} --workers ${w}: this ${speed.this.toFixed(1)} MB/s, ref ${speed.ref.toFixed(1)} MB/s (${(speed.this / speed.ref).toFixed(2)}x); peak RSS this ${rss.this.toFixed(0)} MB, ref ${rss.ref.toFixed(0)} MB`);
        metrics.push(
          { id: `validate/${format}/workers-${w}`, suite: 'validate', unit: w === 0 ? 'MB per CPU-second' : 'MB/s', better: 'higher', tolerance: SPEED_TOLERANCE, ...speed },
          { id: `validate-rss/${format}/workers-${w}`, suite: 'validate', unit: 'MB peak RSS', better: 'lower', tolerance: RSS_TOLERANCE, guarded: false, ...rss },
        );
      }
    }
    return metrics;
  },
};
