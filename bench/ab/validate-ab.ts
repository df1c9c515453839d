// A/B question: is this build's `validate` as fast as the ref's on the same file, per format and
// --workers setting? Both builds' executables run interleaved on the same generated input;
// --workers 0 pinned to the probe core, --workers N ≥ 1 unpinned (they need the cores), as in the
// validate suite. --workers 0 is timed by its CPU time: on one pinned thread that equals its wall
// time on a quiet machine, and unlike wall time it does not grow when other processes take the
// core (a shared CI runner, the test suite's parallel files). --workers N ≥ 1 is about using
// cores: wall time. Peak RSS is shown too.

import { bytesOf } from '../lib/bench-settings.js';
import { PROBE_CORE } from '../lib/floor.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import { checkReportCounts, DISTURBED, disturbed, netOf, runBuild, type AbCase, type AbSuite } from './ab-context.js';

/** As the validate suite's guard. */
const SPEED_TOLERANCE = 0.15;
/**
 * Shown, not guarded (as in the validate suite): a 100 MB run's peak moves with GC timing, which
 * V8 adapts to the speeds it measures, so a busy machine moves it further (a run of the same
 * code measured 101 vs 136 MB). Memory growth is guarded by the rss suite's large input.
 */
const RSS_TOLERANCE = 0.2;

export const validateAb: AbSuite = {
  name: 'validate',
  question: 'validate MB/s (and peak RSS), this build vs the ref, per format and --workers, same file, interleaved',
  async cases(ctx) {
    const { workers, reps } = ctx.settings;
    ctx.setup(`each build's chatmigrate validate (its own #! runtime flags; time less the fixed cost), --workers 0 pinned to core ${PROBE_CORE} and timed by CPU, others unpinned and timed by the clock; ${reps} rep(s) per build, alternating which build runs first; best rep (peak RSS: median)`);
    const cases: AbCase[] = [];
    for (const format of ctx.settings.formats) {
      const input = await throughputInput(format, bytesOf(ctx.settings.size));
      ctx.setup(`data: ${describeInput(format, input)}`);
      for (const w of workers) {
        const speed = `validate/${format}/workers-${w}`;
        const rss = `validate-rss/${format}/workers-${w}`;
        cases.push({
          label: `validate ${format} --workers ${w}`,
          reps,
          metrics: [
            { id: speed, suite: 'validate', unit: w === 0 ? 'MB per CPU-second' : 'MB/s', better: 'higher', tolerance: SPEED_TOLERANCE, estimate: 'best', clock: w > 0 },
            { id: rss, suite: 'validate', unit: 'MB peak RSS', better: 'lower', tolerance: RSS_TOLERANCE, estimate: 'median', guarded: false },
          ],
          async measure(build) {
            const r = await runBuild(build, 'validate', [input.path, '--workers', String(w)], w === 0 ? { core: PROBE_CORE } : {});
            checkReportCounts(build, r.report, input.expected);
            const net = netOf(ctx, r);
            return { [speed]: input.bytes / 1e6 / ((w === 0 ? net.cpuMs : net.ms) / 1000), [rss]: r.maxRssMB, [DISTURBED]: disturbed(r) };
          },
        });
      }
    }
    return cases;
  },
};
