// `chatmigrate import --to rocketchat` (and `validate --to rocketchat`, its dry run): resolve the
// config, run the flow with signal handling, write the report, print the summary and any stopping
// error, return the exit code.

import type { RunOptions } from '../config.js';
import { ChatmigrateError } from '../errors.js';
import { createRunLogger } from '../observability/logger.js';
import { resolveRocketChatConfig } from '../rocketchat-import/config.js';
import { runRocketChatImport } from '../rocketchat-import/import-flow.js';
import { formatRocketChatSummary } from '../rocketchat-import/report.js';
import { finishReport, withStopSignals } from './command-shell.js';

export async function runRocketChatCommand(options: RunOptions, command: 'import' | 'validate' = 'import'): Promise<number> {
  const config = resolveRocketChatConfig(options, process.env, command);
  if (config.input === '-' && process.stdin.isTTY) {
    throw new ChatmigrateError('CM_USAGE', 'INPUT is - but stdin is a terminal', {
      hint: config.dryRun ? 'pipe the selection in, or pass a file' : 'pipe the selection in, pass a file, or leave INPUT out to read it from the server (getImportFileData)',
    });
  }
  const logger = createRunLogger(config);
  if (options.authToken !== undefined && !config.dryRun) logger.warn({ flag: '--auth-token' }, 'credentials given as flags show up in ps: prefer --auth-token-file or ROCKETCHAT_AUTH_TOKEN_FILE');
  const report = await withStopSignals(logger, (signal) => runRocketChatImport(config, { logger, signal }));
  return finishReport(report, { reportPath: config.report, summary: (reportLine) => formatRocketChatSummary(report, reportLine), json: config.json });
}
