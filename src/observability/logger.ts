// pino logger writing to stderr (stdout stays free for machine-readable output): JSON lines for
// batch jobs and log collectors, short human lines on a terminal (--log-format), with secrets
// redacted wherever they could appear in a logged object.

import { pino, type Logger } from 'pino';
import { statusLine } from './status-line.js';
import { createPrettyStream } from './pretty-log.js';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Field paths that may hold secrets; redaction is a safety net: secrets are never passed on purpose. */
const REDACT_PATHS = ['apiKey', 'apikey', 'authToken', 'headers.apikey', 'headers["x-auth-token"]', 'config.apiKey', 'config.authToken', '*.apiKey', '*.authToken'];

type Destination = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * `destination`: a file descriptor (2, stderr, by default) or a stream. `format` defaults to JSON.
 * On a terminal every line first clears the progress line, which would otherwise run into it.
 */
export function createLogger(level: LogLevel, destination: Destination | number = 2, format: LogFormat = 'json'): Logger {
  const dest = typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination;
  const toTerminal = typeof destination === 'number' ? destination === 2 && process.stderr.isTTY === true : destination.isTTY === true;
  const lines = format === 'pretty' ? createPrettyStream(dest, { colour: toTerminal && wantsColour() }) : dest;
  const stream = toTerminal
    ? {
        write(text: string): boolean {
          statusLine.clear();
          return lines.write(text) !== false;
        },
      }
    : lines;
  return pino({ level, base: { name: 'chatmigrate' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}

/**
 * The logger of a command run: what the operator asked for, else what suits where stderr goes.
 * On a terminal: warn and up (the progress line and the summary speak), as short human lines.
 * Elsewhere (a batch job, a log collector): info and up, as JSON lines.
 */
export function createRunLogger(choice: { logLevel: LogLevel | undefined; logFormat: LogFormat | undefined }, stderr: Destination = process.stderr): Logger {
  const terminal = stderr.isTTY === true;
  const level = choice.logLevel ?? (terminal ? 'warn' : 'info');
  const format = choice.logFormat ?? (terminal ? 'pretty' : 'json');
  return createLogger(level, stderr === process.stderr ? 2 : stderr, format);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The NO_COLOR convention (no-color.org): any non-empty value turns colour off. */
function wantsColour(): boolean {
  return !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
}
