// Probe: one `validate` run through the real pipeline (library entry), printing its wall and CPU time, peak
// RSS and counts as one JSON line. Args: INPUT [--from F] [--kind K] [--workers N] [--index-size 1].
// With --index-size 1 it also reports what a dedupe index holding that run's distinct keys
// occupies (built afterwards from random fingerprints, so the peak RSS above excludes it): the
// one structure allowed to grow with the input, which the flat-RSS check subtracts.

import { resolveConfig } from '../../src/config.js';
import { dedupeIndexBytes } from '../lib/index-bytes.js';
import { runPipeline } from '../../src/pipeline.js';
import { timed } from '../lib/timed-run.js';
import { BENCH_NOW } from '../generate-messages.js';

const [input, ...rest] = process.argv.slice(2);
const options: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i]!.replace(/^--/, '')] = rest[i + 1]!;
const wantIndexSize = options['index-size'] === '1';
delete options['index-size'];
const config = resolveConfig('validate', { input, progress: false, now: BENCH_NOW, ...options });
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
    skipped: report.skipped,
    outOfOrder: report.outOfOrder,
    exitCode: report.exitCode,
    maxRssMB,
    ...(wantIndexSize ? { indexMB: dedupeIndexBytes(report.valid) / 1048576 } : {}),
  }) + '\n',
);
