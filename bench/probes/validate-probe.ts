// Probe: one `validate` run through the real pipeline (library entry), printing its wall and CPU time, peak
// RSS and counts as one JSON line. Args: INPUT [--from F] [--workers N] [--index-size 1].
// With --index-size 1 it also reports what a dedupe index holding that run's distinct keys
// occupies (built afterwards from random fingerprints, so the peak RSS above excludes it): the
// one structure allowed to grow with the input, which the flat-RSS check subtracts.

import { resolveConfig } from '../../src/config.js';
import { createDedupeIndex } from '../../src/transforms/dedupe/dedupe-index.js';
import { runPipeline } from '../../src/pipeline.js';
import { timed } from '../lib/timed-run.js';

const [input, ...rest] = process.argv.slice(2);
const options: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i]!.replace(/^--/, '')] = rest[i + 1]!;
const wantIndexSize = options['index-size'] === '1';
delete options['index-size'];
const config = resolveConfig('validate', { input, progress: false, now: 1_767_225_600, ...options });
const { result: report, ms, cpuMs } = await timed(() => runPipeline(config));
const maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  JSON.stringify({
    ms,
    cpuMs,
    bytes: report.input.bytes,
    read: report.read,
    valid: report.valid,
    invalid: report.invalid,
    duplicates: report.duplicates,
    conflicts: report.conflicts,
    exitCode: report.exitCode,
    maxRssMB,
    ...(wantIndexSize ? { indexMB: indexBytesFor(report.valid) / 1048576 } : {}),
  }) + '\n',
);

/** Bytes of an index holding `keys` distinct random fingerprints (its growth depends only on the count). */
function indexBytesFor(keys: number): number {
  const index = createDedupeIndex();
  const words = new Int32Array(4);
  let s = 0x9e3779b9;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s | 0);
  for (let i = 0; i < keys; i++) {
    words[0] = next();
    words[1] = next();
    words[2] = next();
    words[3] = next();
    index.addHashed(words, 0, 0);
  }
  if (index.size !== keys) throw new Error(`index size ${index.size} after ${keys} random keys`);
  return index.bytes();
}
