// Question: does `validate` with the default workers keep up with the bare split + JSON.parse floor
// on rich member records too — non-ASCII names (raw UTF-8 and \u escapes), escaped quotes and
// backslashes, metadata and tags, mixed timestamp forms — on NDJSON and on one big object? The
// kinds are checked by their zod declarations (no hand-written fast path): this is where that
// costs most, since the floor's JSON.parse does nothing per field.

import { cpus } from 'node:os';
import { bytesOf } from '../lib/bench-settings.js';
import { PROBE_CORE } from '../lib/floor.js';
import { defaultWorkersRows } from '../lib/default-workers-validate.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';
import { defaultWorkerCount } from '../../src/transforms/block-processor.js';
import { checkCounts } from './validate-throughput.js';

/** NDJSON and one big object ({"members": {...}}): the two shapes issue 13 names. */
const RICH_FORMATS = ['ndjson', 'cometchat'] as const;
const RICH_TOLERANCE = 0.15;

export const validateRich: BenchSuite = {
  name: 'validate-rich',
  question: 'validate with the default workers vs the split + JSON.parse floor on rich member records (non-ASCII, escapes, metadata, tags), NDJSON and one big object (≥ 0.75×), peak RSS',
  async run(ctx) {
    const rows: BenchRow[] = [];
    ctx.setup(`floor pinned to core ${PROBE_CORE}; validate with the default --workers (${defaultWorkerCount()} here) unpinned on ${cpus().length} cores; ${ctx.settings.reps} alternating reps, medians`);
    for (const format of RICH_FORMATS) {
      const input = await throughputInput(format, bytesOf(ctx.settings.size), true);
      ctx.setup(`data: rich ${describeInput(format, input)}`);
      rows.push(...(await defaultWorkersRows(ctx, input, {
        id: `validate-rich/${format}/workers-default`,
        rssId: `validate-rich-rss/${format}/workers-default`,
        bench: 'validate-rich',
        label: `rich ${format} ${ctx.settings.size}`,
        check: (output) => checkCounts(output, input.expected),
        tolerance: RICH_TOLERANCE,
      })));
    }
    return rows;
  },
};
