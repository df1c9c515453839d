// A/B question: what does each build's executable cost before and after any record (loading its
// code, starting and ending a run)? Measured by validating a one-record file; the other A/B suites
// take this fixed cost off their runs, so their figures are throughput (as in the in-process
// suites, which time the pipeline after its code loaded) instead of being diluted by a start-up
// of several hundred ms. Guarded too: a heavier start-up is a regression users feel on every run.

import { benchInput } from '../lib/bench-data.js';
import { PROBE_CORE } from '../lib/floor.js';
import { median } from '../lib/measure.js';
import { checkReportCounts, interleave, runBuild, type AbBuild, type AbMetric, type FixedCost } from './ab-context.js';

/** Module loading of a few hundred ms moves with the page cache and the scheduler. */
const STARTUP_TOLERANCE = 0.25;

export const STARTUP_QUESTION = 'fixed cost of a run (code loading, start and end; validate of one record), this build vs the ref';

/** Pinned one-thread runs taking this many times their CPU time: other processes shared the core. */
export const SHARED_CORE_FACTOR = 1.3;

export interface Startup {
  fixed: Record<AbBuild['role'], FixedCost>;
  metric: AbMetric;
  /** Wall time ÷ CPU time of these pinned runs (median): near 1 on a quiet machine. */
  wallPerCpu: number;
}

export async function measureStartup(builds: readonly [AbBuild, AbBuild], reps: number, setup: (line: string) => void, log: (line: string) => void): Promise<Startup> {
  const input = await benchInput({ format: 'ndjson', count: 1, seed: 1 });
  // More reps than the suites: this median is taken off every other figure of its build.
  const n = 2 * reps + 1;
  setup(`validate of a one-record NDJSON file, --workers 0 pinned to core ${PROBE_CORE}, ${n} reps per build, alternating; medians; taken off every other A/B run's time and CPU`);
  const runs = await interleave(builds, n, async (build) => {
    const r = await runBuild(build, 'validate', [input.path, '--workers', '0'], { core: PROBE_CORE });
    checkReportCounts(build, r.report, input.expected);
    return { ms: r.ms, cpuMs: r.cpuMs };
  });
  const fixedOf = (list: FixedCost[]): FixedCost => ({ ms: median(list.map((r) => r.ms)), cpuMs: median(list.map((r) => r.cpuMs)) });
  const fixed = { this: fixedOf(runs.this), ref: fixedOf(runs.ref) };
  log(`fixed cost: this ${fixed.this.ms.toFixed(0)} ms (${fixed.this.cpuMs.toFixed(0)} ms CPU), ref ${fixed.ref.ms.toFixed(0)} ms (${fixed.ref.cpuMs.toFixed(0)} ms CPU)`);
  const wallPerCpu = median([...runs.this, ...runs.ref].map((r) => r.ms / r.cpuMs));
  return {
    wallPerCpu,
    fixed,
    metric: { id: 'startup/validate-one-record', suite: 'startup', unit: 'ms', better: 'lower', tolerance: STARTUP_TOLERANCE, this: fixed.this.ms, ref: fixed.ref.ms },
  };
}
