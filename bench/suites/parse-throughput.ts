// Question: how fast does chatmigrate turn an export into objects (its input layer and record
// splitter, one JSON.parse per record, no validation) compared with the bare split + JSON.parse
// floor on the same file, per format and per input size? Both run on one thread pinned to the
// same core, alternately; medians of --reps runs.

import { bytesOf } from '../lib/bench-settings.js';
import { interleaveWithFloor, PROBE_CORE, throughputOf, medianThroughput } from '../lib/floor.js';
import { runProbe } from '../lib/measure.js';
import { describeInput, sizeLabel, throughputInput } from '../lib/throughput-data.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';

/** A regression guard, not a target: the splitters should stay close to the floor. */
const PARSE_TOLERANCE = 0.15;
/**
 * The small size's runs (~0.1 s) are dominated by JIT warm-up and swing between two levels from
 * run to run with the same code: the cometchat 10 MB ratio measured 0.53-0.65 across baselines,
 * and 0.53-0.55 for both the 2026-11-22 baseline's commit and 2026-12-05's main in one A/B run.
 */
const SMALL_SIZE_TOLERANCE = 0.25;

export const parseThroughput: BenchSuite = {
  name: 'parse',
  question: 'chatmigrate parsing (splitter + JSON.parse, no validation) MB/s vs the split + JSON.parse floor, per format and input size',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const main = bytesOf(ctx.settings.size);
    const sizes = [Math.round(main / 10), main];
    ctx.setup(`one thread pinned to core ${PROBE_CORE} for both the floor and the parse probe; sizes ${sizes.map(sizeLabel).join(' and ')}; ${ctx.settings.reps} alternating reps, medians`);
    for (const format of ctx.settings.formats) {
      for (const bytes of sizes) {
        const input = await throughputInput(format, bytes);
        ctx.setup(`data: ${describeInput(format, input)}`);
        const { floor, rounds } = await interleaveWithFloor(input, ctx.settings.reps, async () => {
          const r = await runProbe('parse-probe', [input.path, format], { core: PROBE_CORE });
          if (r.output['records'] !== input.expected.read) throw new Error(`parse-probe found ${String(r.output['records'])} records in ${input.path}, expected ${input.expected.read}`);
          return throughputOf(input, r.output);
        });
        const value = medianThroughput(rounds).mbPerSecond;
        const ratio = value / floor.mbPerSecond;
        ctx.log(`parse ${format} ${sizeLabel(bytes)}: ${value.toFixed(1)} MB/s vs floor ${floor.mbPerSecond.toFixed(1)} MB/s = ${ratio.toFixed(2)}x`);
        rows.push({
          id: `parse/${format}/${sizeLabel(bytes)}`,
          bench: 'parse',
          case: `${format} ${sizeLabel(bytes)}`,
          value,
          unit: 'MB/s',
          baseline: floor.mbPerSecond,
          ratio,
          guard: { value: ratio, better: 'higher', tolerance: bytes < main ? SMALL_SIZE_TOLERANCE : PARSE_TOLERANCE },
        });
      }
    }
    return rows;
  },
};
