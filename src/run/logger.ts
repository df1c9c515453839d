// pino logger writing JSON lines to stderr (stdout stays free for machine-readable output),
// with secrets redacted wherever they could appear in a logged object.

import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field paths that may hold secrets; redaction is a safety net: secrets are never passed on purpose. */
const REDACT_PATHS = ['apiKey', 'apikey', 'authToken', 'headers.apikey', 'headers["x-auth-token"]', 'config.apiKey', 'config.authToken', '*.apiKey', '*.authToken'];

export function createLogger(level: LogLevel, destination: NodeJS.WritableStream | number = 2): Logger {
  const dest = typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination;
  return pino({ level, base: { name: 'chatmigrate' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, dest);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
