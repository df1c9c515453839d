// `chatmigrate import|validate`: parse flags, resolve the config, run the pipeline with signal
// handling, then write the report and print the summary. All the work is in runPipeline.

import { ChatmigrateError, EXIT } from '../errors.js';
import { resolveConfig } from '../config.js';
import { runPipeline } from '../pipeline.js';
import type { Report } from '../accounting/report.js';
import { createRunLogger } from '../observability/logger.js';
import { formatSummary } from '../observability/summary.js';
import { commandHelp } from './help.js';
import { parseCommandArgs } from './parse-args.js';
import { finishReport, withStopSignals } from './command-shell.js';
import { runRocketChatCommand } from './rocketchat-command.js';

export async function runCommand(command: 'import' | 'validate', argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(command, argv);
  if (parsed.help) {
    process.stdout.write(commandHelp(command) + '\n');
    return EXIT.ok;
  }
  // Rocket.Chat's startImport is a different flow (a selection, not member records): its own command.
  // validate --to rocketchat is its dry run: the selection judged and counted, nothing sent.
  const to = parsed.options.to;
  if (to !== undefined && to !== 'cometchat' && to !== 'rocketchat') {
    throw new ChatmigrateError('CM_USAGE', `--to expects one of cometchat, rocketchat, got ${JSON.stringify(to)}`);
  }
  if (to === 'rocketchat') return runRocketChatCommand(parsed.options, command);
  const config = resolveConfig(command, parsed.options);
  if ((config.input === undefined || config.input === '-') && process.stdin.isTTY) {
    throw new ChatmigrateError('CM_USAGE', `no INPUT given and stdin is a terminal`, {
      hint: `pass a file (chatmigrate ${command} export.json) or pipe one in (zcat export.json.gz | chatmigrate ${command} -)`,
    });
  }
  const logger = createRunLogger(config);
  const report = await withStopSignals(logger, (signal) => runPipeline(config, { logger, signal }));
  return finishReport(report, { reportPath: config.report, summary: (reportLine) => formatSummary(report, { rejects: config.rejects, report: reportLine }) + alreadyCompleteLine(report, config.checkpoint), json: config.json });
}

/** A finished job run again says so: the counts above are the job's, and nothing was sent. */
function alreadyCompleteLine(report: Report, checkpoint: string | undefined): string {
  if (!report.alreadyComplete) return '';
  return `\n  already complete: the job in --checkpoint ${checkpoint ?? ''} had finished; the input was verified against it and nothing was sent (--start-over runs it as a new job)`;
}
