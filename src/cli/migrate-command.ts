// `chatmigrate migrate`: parse flags, resolve the migration's config, run its phases with signal
// handling, then write the report and print each phase's summary. The work is in src/migrate/.

import { EXIT } from '../errors.js';
import { createRunLogger } from '../observability/logger.js';
import { resolveMigrateConfig, type MigrateOptions } from '../migrate/migrate-config.js';
import { formatMigrationSummary } from '../migrate/migration-report.js';
import { runMigration } from '../migrate/run-migration.js';
import { ChatmigrateError } from '../errors.js';
import { commandHelp } from './help.js';
import { parseCommandArgs } from './parse-args.js';
import { finishReport, withStopSignals } from './command-shell.js';

export async function runMigrateCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('migrate', argv);
  if (parsed.help) {
    process.stdout.write(commandHelp('migrate') + '\n');
    return EXIT.ok;
  }
  if (parsed.options.input !== undefined) {
    throw new ChatmigrateError('CM_USAGE', `migrate takes no INPUT argument (got ${JSON.stringify(parsed.options.input)}): each phase's input has its flag`, { hint: 'e.g. --users users.json --groups groups.json --members members.ndjson --messages messages.ndjson' });
  }
  const config = resolveMigrateConfig(parsed.options as MigrateOptions);
  const logger = createRunLogger(config.base);
  const report = await withStopSignals(logger, (signal) => runMigration(config, { logger, signal }));
  return finishReport(report, { reportPath: undefined, summary: () => formatMigrationSummary(report, config), json: config.base.json });
}
