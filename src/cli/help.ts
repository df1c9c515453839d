// Help texts, generated from the option table plus the error registry's exit codes.

import { ERROR_CODES } from '../errors.js';
import { GROUPS, optionsFor, type CommandName, type OptionSpec } from './options.js';
import { VERSION } from '../version.js';

const SUMMARY: Record<CommandName, { usage: string; about: string }> = {
  import: {
    usage: 'chatmigrate import [INPUT] [options]',
    about: 'Stream INPUT (a file, gzip or not; - or nothing for stdin) into CometChat\'s Data Import API\n(users, groups, members or messages: see --kind): validated, normalized, deduplicated, in batches\nof up to 50, within the --rpm quota; messages in input order, one request at a time.\nWith --to rocketchat: select users and channels (INPUT, or the server\'s getImportFileData when\nINPUT is absent), start the prepared Rocket.Chat import and follow it to the end.',
  },
  validate: {
    usage: 'chatmigrate validate [INPUT] [options]',
    about: 'Run the same pipeline as import without any network: count valid, invalid and duplicate\nrecords, write the rejects file, and print the delivery plan (requests and time under --rpm).',
  },
  migrate: {
    usage: 'chatmigrate migrate --state-dir DIR [--from rocketchat] INPUTS [options]',
    about: 'Move a whole workspace into CometChat in the order it needs: users, then groups, members and\nmessages (oldest first). Each phase runs as import does, with its checkpoint, rejects file and\nreport in --state-dir; --resume continues after any stop (finished phases are not run again),\n--dry-run validates every phase and sends nothing. The worst phase decides the exit code.',
  },
};

/** Help lines fit this width (a common terminal); option texts wrap under their own column. */
const WIDTH = 100;
const FLAG_COLUMN = 32;

export function commandHelp(command: CommandName): string {
  const { usage, about } = SUMMARY[command];
  const specs = optionsFor(command);
  const sections: string[] = [];
  for (const group of [...GROUPS, 'General'] as const) {
    const rows = specs.filter((s) => s.group === group).flatMap(optionRows);
    if (rows.length === 0) continue;
    // The general options (--help) close the list without a heading of their own.
    sections.push(...(group === 'General' ? rows : [`${group}:`, ...rows]), '');
  }
  return [
    `Usage: ${usage}`,
    '',
    about,
    '',
    ...sections,
    exitCodesHelp(),
    '',
    'Examples:',
    command === 'import'
      ? '  zcat export.json.gz | chatmigrate import - --app-id myapp --region eu \\\n      --api-key-file ~/.cometchat-key --rejects rejects.ndjson --report report.json'
      : command === 'migrate'
        ? '  chatmigrate migrate --from rocketchat --users users.json --rooms rooms.json \\\n      --subscriptions subscriptions.json --messages messages.json.gz --state-dir ./job \\\n      --app-id myapp --region eu --api-key-file ~/.cometchat-key [--dry-run] [--resume]'
        : '  chatmigrate validate export.ndjson.gz --rejects rejects.ndjson --report report.json',
  ].join('\n');
}

/** One option: its flag in the left column, its text wrapped beside it. */
function optionRows(s: OptionSpec): string[] {
  const left = `  --${s.flag}${s.value ? ` ${s.value}` : ''}`;
  // "[env NAME]" stays in one piece.
  const words = [...s.help.split(/\s+/), ...(s.env ? [`[env ${s.env}]`] : [])];
  const lines = wrap(words, WIDTH - FLAG_COLUMN);
  const first = left.length < FLAG_COLUMN ? `${left.padEnd(FLAG_COLUMN)}${lines.shift() ?? ''}` : left;
  return [first, ...lines.map((l) => ' '.repeat(FLAG_COLUMN) + l)];
}

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (word === '') continue;
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function mainHelp(): string {
  return [
    `chatmigrate ${VERSION}: move very large chat exports into chat platforms' bulk-import APIs`,
    '',
    'Usage:',
    '  chatmigrate import   [INPUT] [options]   stream INPUT into the target',
    '  chatmigrate validate [INPUT] [options]   same pipeline, no network: counts, reasons, plan',
    '  chatmigrate migrate  [options]           a whole workspace: users → groups → members → messages',
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
    ...codeLines('  1    ', `fatal: ${(byExit.get(1) ?? []).join(', ')}`),
    ...codeLines('  2    ', `usage or configuration error: ${(byExit.get(2) ?? []).join(', ')}`),
    '  3    finished, but some records were invalid or rejected (see --rejects)',
    '  130  interrupted (SIGINT/SIGTERM); state saved',
  ].join('\n');
}

function codeLines(lead: string, text: string): string[] {
  return wrap(text.split(' '), WIDTH - lead.length).map((line, i) => (i === 0 ? lead : ' '.repeat(lead.length)) + line);
}
