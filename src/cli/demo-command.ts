// `chatmigrate demo` (what `npm start` runs): starts the local sandbox on a free port, imports
// the bundled sample export into it with progress, prints the report, and stops the sandbox.

import { fileURLToPath } from 'node:url';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config.js';
import { EXIT } from '../errors.js';
import { runPipeline } from '../pipeline.js';
import { createLogger } from '../run/logger.js';
import { formatSummary } from '../run/summary.js';
import { startSandbox } from '../sandbox/index.js';

export const SAMPLE_EXPORT = fileURLToPath(new URL('../../../fixtures/sample-export.json', import.meta.url));

const DEMO_KEY = 'demo-api-key';
/**
 * The demo paces requests like a real run, on a shorter window (10 requests per second instead
 * of 60 per minute) so the governor and the progress line show in a few seconds.
 */
const DEMO_RPM = 10;
const DEMO_WINDOW_MS = 1000;

export async function runDemoCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write('Usage: chatmigrate demo\n\nStarts the local sandbox, imports fixtures/sample-export.json into it, prints the report.\n');
    return EXIT.ok;
  }
  const sandbox = await startSandbox({ apiKey: DEMO_KEY, rpm: DEMO_RPM, windowMs: DEMO_WINDOW_MS });
  const dir = await mkdtemp(join(tmpdir(), 'chatmigrate-demo-'));
  process.stderr.write(`sandbox listening at ${sandbox.baseUrl}\n`);
  process.stderr.write(`importing ${SAMPLE_EXPORT}\n`);
  try {
    const config = resolveConfig('import', {
      input: SAMPLE_EXPORT,
      baseUrl: sandbox.baseUrl,
      apiKey: DEMO_KEY,
      rpm: DEMO_RPM,
      rateWindowMs: DEMO_WINDOW_MS,
      rejects: join(dir, 'rejects.ndjson'),
      report: join(dir, 'report.json'),
      progress: true,
      logLevel: 'warn',
    });
    const report = await runPipeline(config, { logger: createLogger('warn') });
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    process.stderr.write(formatSummary(report, { rejects: config.rejects }) + '\n');
    const stats = sandbox.stats();
    process.stderr.write(`sandbox accepted ${stats.accepted.members} members in ${stats.requests} requests\n`);
    // The sample deliberately holds a few invalid and duplicate records, to show the rejects file.
    return report.exitCode === EXIT.someRejected ? EXIT.ok : report.exitCode;
  } finally {
    await sandbox.close();
  }
}
