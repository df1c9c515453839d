// Turns argv into RunOptions for `import` / `validate` using the option table; unknown flags and
// missing values become usage errors that name the flag.

import { parseArgs } from 'node:util';
import { ChatmigrateError } from '../errors.js';
import type { RunOptions } from '../config.js';
import { optionsFor, type CommandName } from './options.js';
import { nearFlag } from './did-you-mean.js';

export interface ParsedCommand {
  options: RunOptions;
  help: boolean;
}

export function parseCommandArgs(command: CommandName, argv: readonly string[]): ParsedCommand {
  const specs = optionsFor(command);
  const config: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of specs) config[s.flag] = { type: s.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: withNegativeValues(argv, config), options: config, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageFromParseError(command, err as Error & { code?: string }, argv);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const options: RunOptions = {};
  const target = options as Record<string, unknown>;
  for (const s of specs) {
    const v = values[s.flag];
    if (v === undefined || s.key === 'help' || s.key === 'version') continue;
    target[s.key] = s.flag === 'no-progress' ? false : v;
  }
  if (parsed.positionals.length > 1) {
    throw new ChatmigrateError('CM_USAGE', `${command} takes one INPUT (a file, or - for stdin), got ${parsed.positionals.length}: ${parsed.positionals.map((p) => JSON.stringify(p)).join(' ')}`);
  }
  if (parsed.positionals[0] !== undefined) options.input = parsed.positionals[0];
  return { options, help: values['help'] === true };
}

function usageFromParseError(command: CommandName, err: Error & { code?: string }, argv: readonly string[]): ChatmigrateError {
  // node:util messages look like "Unknown option '--rmp'..." or "Option '--rpm <value>' argument missing".
  const flag = /'(--?[^' <]+)/.exec(err.message)?.[1] ?? '';
  const hint = `run \`chatmigrate ${command} --help\` for the list of options`;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = optionsFor(command).map((o) => o.flag);
    const { typed, near } = nearFlag(flag, argv, known);
    return new ChatmigrateError('CM_USAGE', `unknown option ${typed} for ${command}${near ? ` (did you mean --${near}?)` : ''}`, { hint });
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(err.message)) return new ChatmigrateError('CM_USAGE', `${flag} is a switch and takes no value: write ${flag} alone`, { hint });
    return new ChatmigrateError('CM_USAGE', `${flag || 'an option'} expects a value, got none`, { hint });
  }
  return new ChatmigrateError('CM_USAGE', err.message.split('\n')[0] ?? 'bad arguments', { hint });
}

/**
 * `--rpm -5` as `--rpm=-5`: node:util reads a value that starts with a dash as a missing value
 * ("ambiguous"), which would hide the real problem; the option's own check then says what it
 * expects and what it got.
 */
function withNegativeValues(argv: readonly string[], config: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && config[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
