// `chatmigrate demo` (what `npm start` runs): starts the local sandbox on a free port, imports
// the bundled sample export into it with progress, prints the report, and stops the sandbox.

import { fileURLToPath } from 'node:url';
import { chmodSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config.js';
import { ChatmigrateError, EXIT } from '../errors.js';
import { runPipeline } from '../pipeline.js';
import { createRunLogger } from '../observability/logger.js';
import { formatSummary } from '../observability/summary.js';
import { startSandbox } from '../sandbox/index.js';
import { writeJsonFileAtomic } from '../accounting/write-json-file.js';
import type { Report } from '../accounting/report.js';
import { count } from './sandbox-command.js';
import { createPrivateDir } from '../accounting/output-paths.js';

export const SAMPLE_EXPORT = fileURLToPath(new URL('../../../fixtures/sample-export.json', import.meta.url));

const DEMO_KEY = 'demo-api-key';
/**
 * The demo paces requests like a real run, on a shorter window (10 requests per second instead
 * of 60 per minute) so the governor and the progress line show in a few seconds.
 */
const DEMO_RPM = 10;
const DEMO_WINDOW_MS = 1000;

function demoDir(): string {
  return join(tmpdir(), `chatmigrate-demo-${process.getuid?.() ?? 'user'}`);
}

export async function runDemoCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help')) {
    const dir = demoDir();
    process.stdout.write(
      `Usage: chatmigrate demo\n\nStarts the local sandbox, imports fixtures/sample-export.json into it, prints the report.\n` +
        `Its rejects file and report are written to ${join(dir, 'rejects.ndjson')} and ${join(dir, 'report.json')}\n(replaced by the next demo).\n` +
        `The sample holds invalid and conflicting records on purpose: the import itself ends with exit code 3\n(some records not delivered), which the demo expects, so the demo exits 0.\n`,
    );
    return EXIT.ok;
  }
  if (argv.length > 0) {
    throw new ChatmigrateError('CM_USAGE', `demo takes no options, got ${argv.map((a) => JSON.stringify(a)).join(' ')}`, {
      hint: 'to import your own export, run `chatmigrate import FILE` (see `chatmigrate import --help`)',
    });
  }
  const sandbox = await startSandbox({ apiKey: DEMO_KEY, rpm: DEMO_RPM, windowMs: DEMO_WINDOW_MS });
  // One directory per user, replaced by each demo: its files can be looked at afterwards, and
  // repeated demos do not pile up temporary directories.
  const dir = demoDir();
  // Owner-only like any folder of run data; the demo's own folder, left open by an older version, is closed quietly.
  if (statSync(dir, { throwIfNoEntry: false })?.uid === process.getuid?.()) chmodSync(dir, 0o700);
  createPrivateDir(dir, createRunLogger({ logLevel: 'warn', logFormat: undefined }), 'the demo folder');
  rmSync(join(dir, 'rejects.ndjson'), { force: true }); // replaced: the new one is created owner-only
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
      progress: true,
      logLevel: 'warn',
    });
    const report = await runPipeline(config, { logger: createRunLogger({ logLevel: 'warn', logFormat: undefined }) });
    const reportPath = join(dir, 'report.json');
    await writeJsonFileAtomic(reportPath, report);
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    process.stderr.write(formatSummary(report, { rejects: config.rejects, report: reportPath }) + '\n');
    const stats = sandbox.stats();
    process.stderr.write(`sandbox accepted ${count(stats.accepted.members, 'member')} in ${count(stats.requests, 'request')}\n`);
    if (report.exitCode !== EXIT.someRejected) return report.exitCode;
    // The sample deliberately holds a few invalid and conflicting records, to show the rejects file.
    process.stderr.write(expectedExitNote(report) + '\n');
    return EXIT.ok;
  } finally {
    await sandbox.close();
  }
}

/** Why the report says exit code 3 while the demo exits 0. */
function expectedExitNote(r: Report): string {
  const notDelivered = [
    r.invalid > 0 ? `${r.invalid} invalid records` : '',
    r.conflicts > 0 ? `${r.conflicts} duplicates with different content` : '',
    (r.rejected ?? 0) > 0 ? `${r.rejected} records the sandbox refused` : '',
  ].filter((part) => part !== '');
  return (
    `demo: the report's "exitCode": 3 is expected: the sample holds ${notDelivered.join(' and ')} on purpose, to show the rejects file. ` +
    'An import of your own export that ended like this would exit 3; the demo exits 0 because it went as planned.'
  );
}
