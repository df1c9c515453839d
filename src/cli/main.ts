#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --single-threaded-gc --max-semi-space-size=4
// The `chatmigrate` executable: dispatches to a command and turns errors into exit codes.
// The runtime settings on the first line (a malloc arena cap, V8 flags) are explained in
// src/runtime-flags.ts; they must be set at start-up (setting V8 flags at run time crashed V8).

import { ChatmigrateError, EXIT, toChatmigrateError, withCommandHint } from '../errors.js';
import { mainHelp } from './help.js';
import { printError } from './print-error.js';
import { runCommand } from './run-command.js';
import { runSandboxCommand } from './sandbox-command.js';
import { runDemoCommand } from './demo-command.js';
import { runMigrateCommand } from './migrate-command.js';
import { VERSION } from '../version.js';
import { closest } from '../did-you-mean.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    return await dispatch(command, rest);
  } catch (err) {
    throw command === undefined ? err : withCommandHint(err, command);
  }
}

async function dispatch(command: string | undefined, rest: string[]): Promise<number> {
  switch (command) {
    case 'import':
    case 'validate':
      return runCommand(command, rest);
    case 'sandbox':
      return runSandboxCommand(rest);
    case 'migrate':
      return runMigrateCommand(rest);
    case 'demo':
      return runDemoCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      // `chatmigrate help import` is `chatmigrate import --help`.
      if (command === 'help' && rest.length > 0) {
        if (!COMMANDS.includes(rest[0]!)) throw unknownCommand(rest[0]!);
        return dispatch(rest[0], ['--help']);
      }
      process.stdout.write(mainHelp() + '\n');
      return command === undefined ? 2 : 0;
    case '--version':
    case '-V':
      process.stdout.write(VERSION + '\n');
      return 0;
    default:
      throw unknownCommand(command);
  }
}

const COMMANDS = ['import', 'validate', 'migrate', 'sandbox', 'demo'];

function unknownCommand(command: string): ChatmigrateError {
  const near = closest(command, COMMANDS);
  return new ChatmigrateError('CM_USAGE', `unknown command ${JSON.stringify(command)}${near ? ` (did you mean ${near}?)` : ''}: expected import, validate, migrate, sandbox or demo`, {
    hint: 'run `chatmigrate --help`',
  });
}

let settled = false;
// A run that stops waiting on something that will never happen (a library that neither answers
// nor fails) would otherwise end with exit code 0, as if everything had been delivered.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  printError(new ChatmigrateError('CM_INTERNAL', 'the run stopped making progress: nothing was left to wait for before it finished'));
  process.exitCode = EXIT.fatal;
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (err: unknown) => {
    settled = true;
    const e = toChatmigrateError(err);
    printError(e);
    if (e.code === 'CM_INTERNAL' && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = e.exitCode;
  },
);
