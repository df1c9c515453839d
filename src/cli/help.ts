// Help texts, generated from the option table plus the error registry's exit codes.

import { ERROR_CODES } from '../errors.js';
import { optionsFor, type CommandName } from './options.js';
import { VERSION } from '../version.js';

const SUMMARY: Record<CommandName, { usage: string; about: string }> = {
  import: {
    usage: 'chatmigrate import [INPUT] [options]',
    about: 'Stream INPUT (a file, gzip or not; - or nothing for stdin) into CometChat\'s Data Import API:\nvalidated, normalized, deduplicated, in batches of up to 50, within the --rpm quota.\nWith --to rocketchat: select users and channels (INPUT, or the server\'s getImportFileData when\nINPUT is absent), start the prepared Rocket.Chat import and follow it to the end.',
  },
  validate: {
    usage: 'chatmigrate validate [INPUT] [options]',
    about: 'Run the same pipeline as import without any network: count valid, invalid and duplicate\nrecords, write the rejects file, and print the delivery plan (requests and time under --rpm).',
  },
};

export function commandHelp(command: CommandName): string {
  const { usage, about } = SUMMARY[command];
  const specs = optionsFor(command);
  const rows = (advanced: boolean) =>
    specs
      .filter((s) => Boolean(s.advanced) === advanced)
      .map((s) => {
        const left = `  --${s.flag}${s.value ? ` ${s.value}` : ''}`;
        const env = s.env ? ` [env ${s.env}]` : '';
        return `${left.padEnd(30)} ${s.help}${env}`;
      });
  return [
    `Usage: ${usage}`,
    '',
    about,
    '',
    'Options:',
    ...rows(false),
    '',
    'Advanced:',
    ...rows(true),
    '',
    exitCodesHelp(),
    '',
    'Examples:',
    command === 'import'
      ? '  zcat export.json.gz | COMETCHAT_API_KEY=... chatmigrate import - --app-id myapp --region eu --rejects rejects.ndjson --report report.json'
      : '  chatmigrate validate export.ndjson.gz --rejects rejects.ndjson --report report.json',
  ].join('\n');
}

export function mainHelp(): string {
  return [
    `chatmigrate ${VERSION}: move very large chat exports into chat platforms' bulk-import APIs`,
    '',
    'Usage:',
    '  chatmigrate import   [INPUT] [options]   stream INPUT into the target',
    '  chatmigrate validate [INPUT] [options]   same pipeline, no network: counts, reasons, plan',
    '  chatmigrate sandbox  [options]           local stand-in of the CometChat and Rocket.Chat import APIs',
    '  chatmigrate demo                         import the bundled sample into a local sandbox',
    '',
    'Run `chatmigrate COMMAND --help` for the options of a command.',
    '',
    exitCodesHelp(),
  ].join('\n');
}

function exitCodesHelp(): string {
  const byExit = new Map<number, string[]>();
  for (const [code, { exit }] of Object.entries(ERROR_CODES)) byExit.set(exit, [...(byExit.get(exit) ?? []), code]);
  return [
    'Exit codes:',
    '  0    everything delivered (duplicates and already-present records count as delivered)',
    `  1    fatal: ${(byExit.get(1) ?? []).join(', ')}`,
    `  2    usage or configuration error: ${(byExit.get(2) ?? []).join(', ')}`,
    '  3    finished, but some records were invalid or rejected (see --rejects)',
    '  130  interrupted (SIGINT/SIGTERM); state saved',
  ].join('\n');
}
