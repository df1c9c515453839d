// `chatmigrate import --to rocketchat` (and `validate --to rocketchat`, its dry run): resolve the
// config, run the flow with signal handling, write the report, print the summary and any stopping
// error, return the exit code.

import type { RunOptions } from '../config.js';
import { ChatmigrateError, EXIT, toChatmigrateError } from '../errors.js';
import { createLogger } from '../run/logger.js';
import { writeJsonFileAtomic } from '../run/write-json-file.js';
import { resolveRocketChatConfig } from '../targets/rocketchat/config.js';
import { runRocketChatImport } from '../targets/rocketchat/import-flow.js';
import { formatRocketChatSummary } from '../targets/rocketchat/report.js';
import { printError } from './print-error.js';

export async function runRocketChatCommand(options: RunOptions, command: 'import' | 'validate' = 'import'): Promise<number> {
  const config = resolveRocketChatConfig(options, process.env, command);
  if (config.input === '-' && process.stdin.isTTY) {
    throw new ChatmigrateError('CM_USAGE', 'INPUT is - but stdin is a terminal', {
      hint: config.dryRun ? 'pipe the selection in, or pass a file' : 'pipe the selection in, pass a file, or leave INPUT out to read it from the server (getImportFileData)',
    });
  }
  const logger = createLogger(config.logLevel ?? (process.stderr.isTTY ? 'warn' : 'info'));
  if (options.authToken !== undefined && !config.dryRun) logger.warn({ flag: '--auth-token' }, 'credentials given as flags show up in ps: prefer ROCKETCHAT_AUTH_TOKEN');
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(EXIT.interrupted);
    logger.warn({ signal: name }, 'stopping');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await runRocketChatImport(config, { logger, signal: controller.signal });
    if (config.report) {
      try {
        await writeJsonFileAtomic(config.report, report);
      } catch (err) {
        printError(toChatmigrateError(err));
        return EXIT.fatal;
      }
    }
    process.stderr.write(formatRocketChatSummary(report, config.report) + '\n');
    if (report.error) printError(new ChatmigrateError(report.error.code, report.error.message, report.error.hint === undefined ? {} : { hint: report.error.hint }));
    if (config.json) process.stdout.write(JSON.stringify(report) + '\n');
    return report.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
