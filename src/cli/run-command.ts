// `chatmigrate import|validate`: parse flags, resolve the config, run the pipeline with signal
// handling, then write the report and print the summary. All the work is in runPipeline.

import { ChatmigrateError, EXIT, toChatmigrateError } from '../errors.js';
import { resolveConfig } from '../config.js';
import { runPipeline } from '../pipeline.js';
import { createLogger } from '../run/logger.js';
import { formatSummary } from '../run/summary.js';
import { writeJsonFileAtomic } from '../run/write-json-file.js';
import { commandHelp } from './help.js';
import { parseCommandArgs } from './parse-args.js';
import type { CommandName } from './options.js';
import { printError } from './print-error.js';
import { runRocketChatCommand } from './rocketchat-command.js';

export async function runCommand(command: CommandName, argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(command, argv);
  if (parsed.help) {
    process.stdout.write(commandHelp(command) + '\n');
    return EXIT.ok;
  }
  // Rocket.Chat's startImport is a different flow (a selection, not member records): its own command.
  // validate --to rocketchat is its dry run: the selection judged and counted, nothing sent.
  if (parsed.options.to === 'rocketchat') return runRocketChatCommand(parsed.options, command);
  const config = resolveConfig(command, parsed.options);
  if ((config.input === undefined || config.input === '-') && process.stdin.isTTY) {
    throw new ChatmigrateError('CM_USAGE', `no INPUT given and stdin is a terminal`, {
      hint: `pass a file (chatmigrate ${command} export.json) or pipe one in (zcat export.json.gz | chatmigrate ${command} -)`,
    });
  }
  const logger = createLogger(config.logLevel ?? (process.stderr.isTTY ? 'warn' : 'info'));
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`\nchatmigrate: second ${name}: exiting now without waiting\n`);
      process.exit(EXIT.interrupted);
    }
    logger.warn({ signal: name }, 'stopping: finishing requests in flight');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await runPipeline(config, { logger, signal: controller.signal });
    if (config.report) {
      try {
        await writeJsonFileAtomic(config.report, report);
      } catch (err) {
        printError(toChatmigrateError(err));
        return EXIT.fatal;
      }
    }
    process.stderr.write(formatSummary(report, { rejects: config.rejects, report: config.report }) + '\n');
    if (report.error) printError(new ChatmigrateError(report.error.code as never, report.error.message, report.error.hint ? { hint: report.error.hint } : {}));
    if (config.json) process.stdout.write(JSON.stringify(report) + '\n');
    return report.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
