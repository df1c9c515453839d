// A/B question: what does each build's executable cost before and after any record (loading its
// code, starting and ending a run)? Measured by validating a one-record file, first, because the
// other A/B cases take a fixed cost off their runs, so their figures are throughput (as in the
// in-process suites, which time the pipeline after its code loaded) instead of being diluted by
// a start-up of several hundred ms. One fixed cost for both builds, the smaller of the two: each
// build's own would carry its own measurement noise into every figure of that build (a 40 ms
// error on a 100 ms run is a 40% figure). Guarded too: a heavier start-up is felt on every run.

import { benchInput } from '../lib/bench-data.js';
import { PROBE_CORE } from '../lib/floor.js';
import { checkReportCounts, DISTURBED, disturbed, runBuild, type AbCase, type AbContext, type FixedCost } from './ab-context.js';
import type { CaseSamples } from './case-runner.js';

/** Module loading of a few hundred ms moves with the page cache and the scheduler. */
const STARTUP_TOLERANCE = 0.25;
const WALL = 'startup/validate-one-record';
const CPU = 'startup/validate-one-record-cpu';

export const STARTUP_QUESTION = 'fixed cost of a run (code loading, start and end; validate of one record), this build vs the ref';

export async function startupCase(ctx: Pick<AbContext, 'settings' | 'setup'>): Promise<AbCase> {
  const input = await benchInput({ format: 'ndjson', count: 1, seed: 1 });
  // More reps than the other cases: the fixed cost is taken off every other figure.
  const reps = 2 * ctx.settings.reps + 1;
  ctx.setup(`validate of a one-record NDJSON file, --workers 0 pinned to core ${PROBE_CORE}, ${reps} reps per build, alternating; best rep; the smaller of both builds' best is taken off every other A/B run`);
  return {
    label: 'startup',
    reps,
    metrics: [
      { id: WALL, suite: 'startup', unit: 'ms', better: 'lower', tolerance: STARTUP_TOLERANCE, estimate: 'best', clock: true },
      { id: CPU, suite: 'startup', unit: 'ms CPU', better: 'lower', tolerance: STARTUP_TOLERANCE, estimate: 'best', guarded: false },
    ],
    async measure(build) {
      const r = await runBuild(build, 'validate', [input.path, '--workers', '0'], { core: PROBE_CORE });
      checkReportCounts(build, r.report, input.expected);
      return { [WALL]: r.ms, [CPU]: r.cpuMs, [DISTURBED]: disturbed(r) };
    },
  };
}

/** The fixed cost taken off both builds' runs: the smallest wall and CPU time either build showed. */
export function fixedCostOf(s: CaseSamples): FixedCost {
  return { ms: Math.min(...s.this[WALL]!, ...s.ref[WALL]!), cpuMs: Math.min(...s.this[CPU]!, ...s.ref[CPU]!) };
}
