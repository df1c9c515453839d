// Question: does `validate` with the default workers keep up with the bare split + JSON.parse floor
// on rich member records too — non-ASCII names (raw UTF-8 and \u escapes), escaped quotes and
// backslashes, metadata and tags, mixed timestamp forms — on NDJSON and on one big object? The
// kinds are checked by their zod declarations (no hand-written fast path): this is where that
// costs most, since the floor's JSON.parse does nothing per field.

import { cpus } from 'node:os';
import { bytesOf } from '../lib/bench-settings.js';
import { interleaveWithFloor, medianThroughput, PROBE_CORE, throughputOf, type Throughput } from '../lib/floor.js';
import { runProbe } from '../lib/measure.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';
import { defaultWorkerCount } from '../../src/transforms/block-processor.js';
import { checkCounts, VALIDATE_RATIO_TARGET, VALIDATE_RSS_LIMIT_MB } from './validate-throughput.js';

/** NDJSON and one big object ({"members": {...}}): the two shapes issue 13 names. */
const RICH_FORMATS = ['ndjson', 'cometchat'] as const;
const RICH_TOLERANCE = 0.15;

export const validateRich: BenchSuite = {
  name: 'validate-rich',
  question: 'validate with the default workers vs the split + JSON.parse floor on rich member records (non-ASCII, escapes, metadata, tags), NDJSON and one big object (≥ 0.75×), peak RSS',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const workers = defaultWorkerCount();
    const { reps } = ctx.settings;
    ctx.setup(`floor pinned to core ${PROBE_CORE}; validate with the default --workers (${workers} here) unpinned on ${cpus().length} cores; ${reps} alternating reps, medians`);
    for (const format of RICH_FORMATS) {
      const input = await throughputInput(format, bytesOf(ctx.settings.size), true);
      ctx.setup(`data: rich ${describeInput(format, input)}`);
      let rss = 0;
      const { floor, rounds } = await interleaveWithFloor<Throughput>(input, reps, async () => {
        const r = await runProbe('validate-probe', [input.path, '--workers', String(workers)], {});
        checkCounts(r.output, input.expected);
        rss = Math.max(rss, r.output['maxRssMB'] as number);
        return throughputOf(input, r.output);
      });
      const value = medianThroughput(rounds).mbPerSecond;
      const ratio = value / floor.mbPerSecond;
      ctx.log(`validate rich ${format}, default workers (${workers}): ${value.toFixed(1)} MB/s vs floor ${floor.mbPerSecond.toFixed(1)} MB/s = ${ratio.toFixed(2)}x; peak RSS ${rss.toFixed(0)} MB`);
      rows.push({
        id: `validate-rich/${format}/workers-default`,
        bench: 'validate-rich',
        case: `rich ${format} ${ctx.settings.size}, --workers ${workers} (default here)`,
        value,
        unit: 'MB/s',
        baseline: floor.mbPerSecond,
        ratio,
        target: VALIDATE_RATIO_TARGET,
        pass: ratio >= VALIDATE_RATIO_TARGET,
        guard: { value: ratio, better: 'higher', tolerance: RICH_TOLERANCE },
      });
      rows.push({
        id: `validate-rich-rss/${format}/workers-default`,
        bench: 'validate-rss',
        case: `rich ${format} ${ctx.settings.size}, --workers ${workers} (default here), worst rep`,
        value: rss,
        unit: 'MB peak RSS',
        target: VALIDATE_RSS_LIMIT_MB,
        pass: rss <= VALIDATE_RSS_LIMIT_MB,
      });
    }
    return rows;
  },
};
