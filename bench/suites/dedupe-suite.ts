// Question: what does the dedupe index cost per key (ns/insert, bytes/key) at 1M, 10M and 30M
// distinct keys? Targets: ≤ 24 B/key at 30M (issue 6), never a false merge (size == keys).

import { runProbe } from '../lib/measure.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';

export const DEDUPE_BYTES_PER_KEY_LIMIT = 24;

export const dedupeSuite: BenchSuite = {
  name: 'dedupe',
  question: 'dedupe index ns/insert and bytes/key at 1M/10M/30M keys (≤ 24 B/key at 30M, no false merges)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    for (const millions of [1, 10, 30]) {
      // One process per size so each figure starts from an empty heap.
      const r = await runProbe('dedupe-probe', [String(millions)], { core: 1, nodeArgs: ['--max-old-space-size=4096'] });
      const o = r.output as { nsPerInsert: number; bytesPerKey: number; size: number; keys: number; peakRssMB: number };
      const exact = o.size === o.keys && (r.output["ok"] as boolean);
      ctx.log(`dedupe ${millions}M keys: ${o.nsPerInsert.toFixed(0)} ns/insert, ${o.bytesPerKey.toFixed(1)} B/key, size ${exact ? 'exact' : 'WRONG'}`);
      rows.push({ bench: 'dedupe', case: `${millions}M keys`, value: o.nsPerInsert, unit: 'ns/insert', notes: `${o.bytesPerKey.toFixed(1)} B/key, peak RSS ${o.peakRssMB.toFixed(0)} MB` });
      rows.push({
        bench: 'dedupe-bytes',
        case: `${millions}M keys`,
        value: o.bytesPerKey,
        unit: 'B/key',
        ...(millions === 30 ? { target: DEDUPE_BYTES_PER_KEY_LIMIT, pass: o.bytesPerKey <= DEDUPE_BYTES_PER_KEY_LIMIT && exact } : { pass: exact }),
      });
    }
    return rows;
  },
};
