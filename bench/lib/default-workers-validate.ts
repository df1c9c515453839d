// `validate` as shipped (the default --workers, unpinned) against the split + JSON.parse floor on
// the same input, runs alternating: the ratio row and the peak-RSS row that the validate-rich and
// kinds suites both report.

import { cpus } from 'node:os';
import type { BenchInput } from './bench-data.js';
import { interleaveWithFloor, medianThroughput, PROBE_CORE, throughputOf, type Throughput } from './floor.js';
import { runProbe } from './measure.js';
import type { BenchContext, BenchRow } from './types.js';
import { defaultWorkerCount } from '../../src/transforms/block-processor.js';

/** Issue 13: validate ≥ 0.75× the one-core floor; peak RSS of the default run under 256 MB. */
export const DEFAULT_WORKERS_TARGET = 0.75;
export const DEFAULT_WORKERS_RSS_LIMIT_MB = 256;

export interface DefaultWorkersCase {
  /** Row ids: `${id}` (MB/s vs floor) and `${rssId}` (peak RSS). */
  id: string;
  rssId: string;
  bench: string;
  /** What the rows' case says before ", --workers N (default here)". */
  label: string;
  /** Extra probe arguments (e.g. --kind users). */
  args?: string[];
  /** Throws when the probe's counts are not the generator's. */
  check(output: Record<string, unknown>): void;
  tolerance: number;
}

export async function defaultWorkersRows(ctx: BenchContext, input: BenchInput, c: DefaultWorkersCase): Promise<BenchRow[]> {
  const workers = defaultWorkerCount();
  let rss = 0;
  const { floor, rounds } = await interleaveWithFloor<Throughput>(input, ctx.settings.reps, async () => {
    const r = await runProbe('validate-probe', [input.path, ...(c.args ?? []), '--workers', String(workers)], {});
    c.check(r.output);
    rss = Math.max(rss, r.output['maxRssMB'] as number);
    return throughputOf(input, r.output);
  });
  const median = medianThroughput(rounds);
  const ratio = median.mbPerSecond / floor.mbPerSecond;
  const records = Math.round(median.recordsPerSecond);
  const label = `${c.label}, --workers ${workers} (default here)`;
  ctx.log(`validate ${c.label}, default workers (${workers} of ${cpus().length} cores; floor on core ${PROBE_CORE}): ${median.mbPerSecond.toFixed(1)} MB/s (${records} records/s) vs floor ${floor.mbPerSecond.toFixed(1)} MB/s = ${ratio.toFixed(2)}x; peak RSS ${rss.toFixed(0)} MB`);
  return [
    {
      id: c.id,
      bench: c.bench,
      case: label,
      value: median.mbPerSecond,
      unit: 'MB/s',
      baseline: floor.mbPerSecond,
      ratio,
      target: DEFAULT_WORKERS_TARGET,
      pass: ratio >= DEFAULT_WORKERS_TARGET,
      notes: `${records} records/s`,
      guard: { value: ratio, better: 'higher', tolerance: c.tolerance },
    },
    { id: c.rssId, bench: 'validate-rss', case: `${label}, worst rep`, value: rss, unit: 'MB peak RSS', target: DEFAULT_WORKERS_RSS_LIMIT_MB, pass: rss <= DEFAULT_WORKERS_RSS_LIMIT_MB },
  ];
}
