// Question: how fast is the whole `validate` pipeline (parse, validate, normalize, dedupe) compared
// with the bare split + JSON.parse floor on the same data, per format and per --workers setting,
// and how does it scale from 1 to 2 workers? The floor and `--workers 0` run on one thread pinned
// to the same core; --workers N ≥ 1 runs unpinned (it needs the cores). Runs alternate so machine
// noise hits all alike; medians are reported.

import { cpus } from 'node:os';
import type { ExpectedCounts } from '../generate.js';
import { bytesOf } from '../lib/bench-settings.js';
import { interleaveWithFloor, medianThroughput, PROBE_CORE, throughputOf, type Throughput } from '../lib/floor.js';
import { runProbe } from '../lib/measure.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';
import { defaultWorkerCount } from '../../src/transforms/block-processor.js';

/** Issue 6: validate ≥ 0.75× the floor on one thread; 2 workers ≥ 1.5× one worker and above the floor. */
export const VALIDATE_RATIO_TARGET = 0.75;
export const MULTI_WORKER_FLOOR_TARGET = 1;
export const TWO_VS_ONE_TARGET = 1.5;
export const VALIDATE_RSS_LIMIT_MB = 256;
const VALIDATE_TOLERANCE = 0.15;
/** Scaling depends on a second core being free: noisier, so a wider guard. */
const SCALING_TOLERANCE = 0.2;

export function checkCounts(o: Record<string, unknown>, e: ExpectedCounts): void {
  if (o['read'] !== e.read || o['valid'] !== e.valid || o['duplicates'] !== e.duplicates || o['invalid'] !== e.invalid) {
    throw new Error(`validate counted ${JSON.stringify(o)} but the generator expected ${JSON.stringify(e)}`);
  }
}

export const validateThroughput: BenchSuite = {
  name: 'validate',
  question: 'validate pipeline MB/s vs the split + JSON.parse floor per format with --workers 0/1/2 (≥ 0.75× on one thread; 2 workers ≥ 1.5× one and above the floor), peak RSS',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const { workers, reps } = ctx.settings;
    ctx.setup(`floor and --workers 0 pinned to core ${PROBE_CORE}; --workers ${workers.filter((w) => w > 0).join('/') || '-'} unpinned on ${cpus().length} cores; ${reps} alternating reps, medians`);
    for (const format of ctx.settings.formats) {
      const input = await throughputInput(format, bytesOf(ctx.settings.size));
      ctx.setup(`data: ${describeInput(format, input)}`);
      const rssByWorkers = new Map<number, number>();
      const { floor, rounds } = await interleaveWithFloor(input, reps, async () => {
        const round = new Map<number, Throughput>();
        for (const w of workers) {
          const r = await runProbe('validate-probe', [input.path, '--workers', String(w)], w === 0 ? { core: PROBE_CORE } : {});
          checkCounts(r.output, input.expected);
          round.set(w, throughputOf(input, r.output));
          rssByWorkers.set(w, Math.max(rssByWorkers.get(w) ?? 0, r.output['maxRssMB'] as number));
        }
        return round;
      });
      const byWorkers = new Map(workers.map((w) => [w, medianThroughput(rounds.map((r) => r.get(w)!)).mbPerSecond]));
      for (const [w, value] of byWorkers) {
        const ratio = value / floor.mbPerSecond;
        const target = w <= 1 ? VALIDATE_RATIO_TARGET : MULTI_WORKER_FLOOR_TARGET;
        ctx.log(`validate ${format}, --workers ${w}: ${value.toFixed(1)} MB/s vs floor ${floor.mbPerSecond.toFixed(1)} MB/s = ${ratio.toFixed(2)}x`);
        rows.push({
          id: `validate/${format}/workers-${w}`,
          bench: 'validate',
          case: `${format} ${ctx.settings.size}, --workers ${w}`,
          value,
          unit: 'MB/s',
          baseline: floor.mbPerSecond,
          ratio,
          target,
          pass: ratio >= target,
          guard: { value: ratio, better: 'higher', tolerance: VALIDATE_TOLERANCE },
        });
      }
      const one = byWorkers.get(1);
      const two = byWorkers.get(2);
      if (one !== undefined && two !== undefined) {
        const scaling = two / one;
        ctx.log(`validate ${format}: 2 workers / 1 worker = ${scaling.toFixed(2)}x`);
        rows.push({
          id: `validate/${format}/2w-vs-1w`,
          bench: 'validate-scaling',
          case: `${format} ${ctx.settings.size}, 2 workers vs 1`,
          value: two,
          unit: 'MB/s',
          baseline: one,
          ratio: scaling,
          target: TWO_VS_ONE_TARGET,
          pass: scaling >= TWO_VS_ONE_TARGET,
          guard: { value: scaling, better: 'higher', tolerance: SCALING_TOLERANCE },
        });
      }
      // The RSS target is the executable's: what `validate` uses by default on this machine.
      const byDefault = defaultWorkerCount();
      for (const [w, rss] of rssByWorkers) {
        const isDefault = w === byDefault;
        ctx.log(`validate ${format}, --workers ${w}${isDefault ? ' (the default here)' : ''}: peak RSS ${rss.toFixed(0)} MB`);
        rows.push({
          id: `validate-rss/${format}/workers-${w}`,
          bench: 'validate-rss',
          case: `${format} ${ctx.settings.size}, --workers ${w}${isDefault ? ' (default here)' : ''}, worst rep`,
          value: rss,
          unit: 'MB peak RSS',
          ...(isDefault ? { target: VALIDATE_RSS_LIMIT_MB, pass: rss <= VALIDATE_RSS_LIMIT_MB } : {}),
        });
      }
    }
    return rows;
  },
};
