// Probe: how fast does a resumed run re-read the settled part of its input? Makes a checkpoint by
// validating PREFIX (the first records of FULL), then resumes on FULL and times the moment the
// prefix was verified (the pipeline logs it). Prints one JSON line. Args: PREFIX FULL [--workers N].

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { resolveConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import { createLogger } from '../../src/observability/logger.js';

const [prefix, full, ...rest] = process.argv.slice(2);
const options: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i]!.replace(/^--/, '')] = rest[i + 1]!;
const dir = mkdtempSync(join(tmpdir(), 'chatmigrate-resume-probe-'));
const checkpoint = join(dir, 'checkpoint.json');
const common = { progress: false, now: 1_767_225_600, checkpoint, ...options };

try {
  const first = await runPipeline(resolveConfig('validate', { input: prefix, ...common }));
  let verifiedAt = 0;
  const sink = new Writable({
    write(line: Buffer, _enc, done) {
      if (verifiedAt === 0 && line.includes('resumed: input verified')) verifiedAt = performance.now();
      done();
    },
  });
  const started = performance.now();
  const resumed = await runPipeline(resolveConfig('validate', { input: full, resume: true, ...common }), { logger: createLogger('info', sink) });
  const ms = performance.now() - started;
  if (verifiedAt === 0) throw new Error('the resumed run never reported reaching the checkpoint');
  process.stdout.write(
    JSON.stringify({ prefixBytes: first.input.bytes, prefixRecords: first.read, msToWatermark: verifiedAt - started, ms, read: resumed.read, exitCode: resumed.exitCode, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
