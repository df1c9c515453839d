// Prints a run-stopping error for a human: code, message, and what to do next.

import type { ChatmigrateError } from '../errors.js';

export function printError(err: ChatmigrateError, stream: NodeJS.WritableStream = process.stderr): void {
  stream.write(`chatmigrate: ${err.message} [${err.code}]\n`);
  if (err.hint) stream.write(`  hint: ${err.hint}\n`);
}
