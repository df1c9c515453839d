// Probe: one `validate` run through the real pipeline (library entry), printing its time, peak
// RSS and counts as one JSON line. Args: INPUT [--from F] [--workers N].

import { resolveConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';

const [input, ...rest] = process.argv.slice(2);
const options: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i]!.replace(/^--/, '')] = rest[i + 1]!;
const config = resolveConfig('validate', { input, progress: false, now: 1_767_225_600, ...options });
const started = performance.now();
const report = await runPipeline(config);
const ms = performance.now() - started;
process.stdout.write(
  JSON.stringify({ ms, bytes: report.input.bytes, read: report.read, valid: report.valid, invalid: report.invalid, duplicates: report.duplicates, conflicts: report.conflicts, exitCode: report.exitCode, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
