// Question (issue 14): does `validate` keep its peak memory flat on a messages export of 1 GB
// against one of --size, as NDJSON and as one big {"messages": {...}} object? Like rss-flat for
// members: validate as shipped (default --workers, unpinned), one run per input, peak RSS from
// getrusage, the dedupe index (the one structure SPEC lets grow with the input) set aside.
// Opt-in: generating 1 GB per format takes minutes. The large input is 1 GB, or --large if that
// is smaller (a smoke run); only a ≥ 1 GB run is held to the target.

import { cpus } from 'node:os';
import { bytesOf } from '../lib/bench-settings.js';
import { runProbe } from '../lib/measure.js';
import { describeInput, kindInput, sizeLabel } from '../lib/throughput-data.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';
import { checkKindCounts } from './kinds-throughput.js';
import { RSS_RATIO_LIMIT } from './rss-flat.js';

export const MESSAGES_LARGE_BYTES = 1e9;
const FORMATS = ['ndjson', 'cometchat'] as const;

export const messagesLarge: BenchSuite = {
  name: 'messages-1g',
  question: 'peak RSS of validate on a 1 GB messages export vs the --size one, NDJSON and {"messages": {...}}: flat (≤ 1.25×) once the dedupe index is set aside',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const small = bytesOf(ctx.settings.size);
    const large = Math.min(MESSAGES_LARGE_BYTES, bytesOf(ctx.settings.large, '--large'));
    const held = large >= MESSAGES_LARGE_BYTES;
    ctx.setup(`validate --kind messages as shipped (default --workers on ${cpus().length} cores, unpinned), one run per input; peak RSS from getrusage; index size = a dedupe index holding the run's distinct keys${held ? '' : `; smoke run: ${sizeLabel(large)} is below 1 GB, no target`}`);
    for (const format of FORMATS.filter((f) => ctx.settings.formats.includes(f))) {
      const peaks: Array<{ rss: number; index: number; mbPerSecond: number }> = [];
      for (const bytes of [small, large]) {
        const input = await kindInput('messages', format, bytes);
        ctx.setup(`data: messages ${describeInput(format, input)}`);
        const r = await runProbe('validate-probe', [input.path, '--kind', 'messages', '--index-size', '1']);
        checkKindCounts(r.output, input);
        peaks.push({ rss: r.output['maxRssMB'] as number, index: r.output['indexMB'] as number, mbPerSecond: input.bytes / 1e6 / ((r.output['ms'] as number) / 1000) });
      }
      const [s, l] = peaks as [(typeof peaks)[0], (typeof peaks)[0]];
      const ratio = (l.rss - l.index) / (s.rss - s.index);
      const raw = l.rss / s.rss;
      ctx.log(`messages ${format}: ${sizeLabel(small)} peak ${s.rss.toFixed(0)} MB (index ${s.index.toFixed(0)} MB, ${s.mbPerSecond.toFixed(0)} MB/s), ${sizeLabel(large)} peak ${l.rss.toFixed(0)} MB (index ${l.index.toFixed(0)} MB, ${l.mbPerSecond.toFixed(0)} MB/s): ${ratio.toFixed(2)}x without the index, ${raw.toFixed(2)}x raw`);
      const c = `messages ${format} ${sizeLabel(large)} vs ${sizeLabel(small)}`;
      rows.push(
        { id: `rss/messages/${format}/large-vs-small`, bench: 'rss-flat', case: `${c}, index excluded`, value: l.rss - l.index, unit: 'MB peak RSS', baseline: s.rss - s.index, ratio, ...(held ? { target: RSS_RATIO_LIMIT, pass: ratio <= RSS_RATIO_LIMIT } : {}), notes: `validate ${l.mbPerSecond.toFixed(0)} MB/s on the large input` },
        { id: `rss/messages/${format}/large-vs-small-raw`, bench: 'rss-raw', case: `${c}, index included`, value: l.rss, unit: 'MB peak RSS', baseline: s.rss, ratio: raw, notes: `dedupe index ${s.index.toFixed(0)} → ${l.index.toFixed(0)} MB; not guarded` },
      );
    }
    return rows;
  },
};
