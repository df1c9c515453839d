// Question: what does the dedupe index cost per key (ns/insert, bytes/key) at 1M, 10M and 30M
// distinct keys? Targets: ≤ 24 B/key at 30M (issue 6), never a false merge (size == keys).
// ns/insert is also given relative to the floor's time per record (split + JSON.parse of the
// NDJSON input, same run), which is what makes it comparable across machines.

import { bytesOf, keyCounts } from '../lib/bench-settings.js';
import { measureFloorOnce, medianThroughput, PROBE_CORE, type Throughput } from '../lib/floor.js';
import { runProbe } from '../lib/measure.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';

export const DEDUPE_BYTES_PER_KEY_LIMIT = 24;
const TARGET_KEYS = 30_000_000;
/** Bytes per key are deterministic for a key count: only a real change moves them. */
const BYTES_TOLERANCE = 0.05;
/** Inserts are bound by one cache miss each, which varies with the machine's memory load. */
const NS_TOLERANCE = 0.25;

export function keyLabel(n: number): string {
  return n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);
}

export const dedupeSuite: BenchSuite = {
  name: 'dedupe',
  question: 'dedupe index ns/insert and bytes/key at 1M/10M/30M keys (≤ 24 B/key at 30M, no false merges)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const input = await throughputInput('ndjson', bytesOf(ctx.settings.size));
    ctx.setup(`one fresh process per key count, pinned to core ${PROBE_CORE}, --max-old-space-size=4096; keys \`g<i % 50000>_member_u<i>\` plus 1 in 16 UUID-style`);
    ctx.setup(`floor for ns ratios: split + JSON.parse of ${describeInput('ndjson', input)}, once before each key count`);
    const floors: Throughput[] = [];
    for (const keys of keyCounts(ctx.settings)) {
      floors.push(await measureFloorOnce(input));
      const floorNs = 1e9 / medianThroughput(floors).recordsPerSecond;
      // One process per size so each figure starts from an empty heap.
      const r = await runProbe('dedupe-probe', [String(keys / 1e6)], { core: PROBE_CORE, nodeArgs: ['--max-old-space-size=4096'] });
      const o = r.output as { nsPerInsert: number; bytesPerKey: number; size: number; keys: number; peakRssMB: number; ok: boolean };
      const exact = o.size === o.keys && o.ok;
      const label = keyLabel(keys);
      ctx.log(`dedupe ${label} keys: ${o.nsPerInsert.toFixed(0)} ns/insert (${(o.nsPerInsert / floorNs).toFixed(2)}x the floor's ${floorNs.toFixed(0)} ns/record), ${o.bytesPerKey.toFixed(1)} B/key, size ${exact ? 'exact' : 'WRONG'}`);
      const nsRatio = o.nsPerInsert / floorNs;
      rows.push({
        id: `dedupe/${label}/ns-per-insert`,
        bench: 'dedupe',
        case: `${label} keys`,
        value: o.nsPerInsert,
        unit: 'ns/insert',
        baseline: floorNs,
        ratio: nsRatio,
        pass: exact,
        notes: `baseline = floor ns/record; ratio lower is better; peak RSS ${o.peakRssMB.toFixed(0)} MB`,
        guard: { value: nsRatio, better: 'lower', tolerance: NS_TOLERANCE },
      });
      const atTarget = keys >= TARGET_KEYS;
      rows.push({
        id: `dedupe/${label}/bytes-per-key`,
        bench: 'dedupe-bytes',
        case: `${label} keys`,
        value: o.bytesPerKey,
        unit: 'B/key',
        ...(atTarget ? { target: DEDUPE_BYTES_PER_KEY_LIMIT, pass: o.bytesPerKey <= DEDUPE_BYTES_PER_KEY_LIMIT && exact } : { pass: exact }),
        guard: { value: o.bytesPerKey, better: 'lower', tolerance: BYTES_TOLERANCE },
      });
    }
    return rows;
  },
};
