// pino logger writing JSON lines to stderr (stdout stays free for machine-readable output),
// with secrets redacted wherever they could appear in a logged object.

import { pino, type Logger } from 'pino';
import { statusLine } from './status-line.js';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field paths that may hold secrets; redaction is a safety net: secrets are never passed on purpose. */
const REDACT_PATHS = ['apiKey', 'apikey', 'authToken', 'headers.apikey', 'headers["x-auth-token"]', 'config.apiKey', 'config.authToken', '*.apiKey', '*.authToken'];

export function createLogger(level: LogLevel, destination: NodeJS.WritableStream | number = 2): Logger {
  const dest = typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination;
  // A log line on a terminal first clears the progress line, which would otherwise run into it.
  const toTerminal = destination === 2 && process.stderr.isTTY === true;
  const stream = toTerminal
    ? {
        write(text: string): boolean {
          statusLine.clear();
          return dest.write(text);
        },
      }
    : dest;
  return pino({ level, base: { name: 'chatmigrate' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
