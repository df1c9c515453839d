// `import --to rocketchat` configuration: validated once from the CLI/library options (messages
// name the flag, the expectation and the value), then frozen. Credentials come from flags or env.

import { ChatmigrateError, usageError } from '../errors.js';
import { headerSafeCredential, resolveCredential, ROCKETCHAT_AUTH_TOKEN_SOURCES } from '../credentials.js';
import { checkTransport } from '../base-url.js';
import type { RunOptions } from '../config.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../observability/logger.js';
import { ROCKETCHAT_DEFAULTS, ROCKETCHAT_LIMITS } from '../sinks/rocketchat/limits.js';
import type { SelectionRules } from './selection.js';
import type { DeliverySettings } from '../sinks/delivery-settings.js';

export type RocketChatImportConfig = Readonly<DeliverySettings & {
  /** `validate --to rocketchat`: judge the selection and report; no network, nothing started. */
  dryRun: boolean;
  /** undefined: read the selection from the server (getImportFileData); '-': stdin. */
  input: string | undefined;
  /** Server root, without a trailing slash. */
  baseUrl: string;
  userId: string;
  authToken: string;
  rules: SelectionRules;
  pollIntervalMs: number;
  importTimeoutMs: number;
  report: string | undefined;
  json: boolean;
  logLevel: LogLevel | undefined;
  logFormat: LogFormat | undefined;
  progress: boolean | undefined;
}>;

/** Options of the CometChat pipeline that mean nothing here: refused rather than silently ignored. */
const NOT_FOR_ROCKETCHAT: ReadonlyArray<[keyof RunOptions, string]> = [
  ['batchSize', '--batch-size'], ['connections', '--connections'], ['appId', '--app-id'], ['region', '--region'],
  ['apiKey', '--api-key'], ['apiKeyFile', '--api-key-file'], ['rejects', '--rejects'], ['shard', '--shard'], ['workers', '--workers'], ['now', '--now'],
  ['checkpoint', '--checkpoint'], ['resume', '--resume'], ['startOver', '--start-over'],
];

function int(flag: string, v: number | string | undefined, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw usageError(flag, `an integer from ${min} to ${max}`, v);
  return n;
}

const TOKEN_HINT = 'create a personal access token (My Account → Personal Access Tokens) for a user with the run-import permission';

function userIdOf(given: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = given ?? (env['ROCKETCHAT_USER_ID'] || undefined);
  const value = raw === undefined ? undefined : headerSafeCredential(raw, '--user-id', 'ROCKETCHAT_USER_ID');
  if (value === undefined || value === '') throw new ChatmigrateError('CM_CONFIG', 'no Rocket.Chat user id: pass --user-id or set ROCKETCHAT_USER_ID', { hint: TOKEN_HINT });
  return value;
}

/** The token from --auth-token, --auth-token-file or the environment (see resolveCredential for the order). */
function authTokenOf(o: RunOptions, env: NodeJS.ProcessEnv): string {
  const value = resolveCredential(ROCKETCHAT_AUTH_TOKEN_SOURCES, { value: o.authToken, file: o.authTokenFile }, env)?.value;
  if (value === undefined || value === '') {
    throw new ChatmigrateError('CM_CONFIG', 'no Rocket.Chat auth token: pass --auth-token-file FILE, set ROCKETCHAT_AUTH_TOKEN_FILE or ROCKETCHAT_AUTH_TOKEN, or pass --auth-token', { hint: TOKEN_HINT });
  }
  return value;
}

export function resolveRocketChatConfig(o: RunOptions, env: NodeJS.ProcessEnv = process.env, command: 'import' | 'validate' = 'import'): RocketChatImportConfig {
  const dryRun = command === 'validate';
  for (const [key, flag] of NOT_FOR_ROCKETCHAT) {
    if (o[key] !== undefined && o[key] !== false) throw new ChatmigrateError('CM_USAGE', `${flag} does not apply to --to rocketchat`, { hint: 'run `chatmigrate import --help`' });
  }
  if (o.from !== undefined && o.from !== 'auto') throw new ChatmigrateError('CM_USAGE', `--from ${o.from} does not apply to --to rocketchat: INPUT is a startImport selection`);
  if (dryRun && o.input === undefined) {
    throw new ChatmigrateError('CM_USAGE', 'validate --to rocketchat needs INPUT (a selection file, or - for stdin): it never asks the server', {
      hint: 'save what getImportFileData answers, or the startImport body, and pass it as INPUT; `import --to rocketchat` without INPUT reads it from the server',
    });
  }
  if (o.baseUrl === undefined && !dryRun) {
    throw new ChatmigrateError('CM_CONFIG', 'no Rocket.Chat server: pass --base-url (the server root, e.g. https://chat.example.com)', {
      hint: 'for a rehearsal run `chatmigrate sandbox` and pass its URL without /v3',
    });
  }
  let baseUrl = '';
  if (o.baseUrl !== undefined) {
    try {
      const u = new URL(o.baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      baseUrl = o.baseUrl.replace(/\/+$/, '');
    } catch {
      throw usageError('--base-url', 'an http(s) URL of the Rocket.Chat server root', o.baseUrl);
    }
    // A dry run sends nothing, so nothing can leak: the URL is only checked where it is used.
    if (!dryRun) checkTransport(baseUrl, '--base-url', 'auth token', o.allowInsecureHttp === true);
  }
  let exclude: RegExp | undefined;
  if (o.exclude !== undefined) {
    try {
      exclude = new RegExp(o.exclude);
    } catch (err) {
      throw usageError('--exclude', `a JavaScript regular expression (${(err as Error).message})`, o.exclude);
    }
  }
  const logLevel = o.logLevel;
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) throw usageError('--log-level', LOG_LEVELS.join(', '), logLevel);
  const logFormat = o.logFormat;
  if (logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(logFormat)) throw usageError('--log-format', LOG_FORMATS.join(' or '), logFormat);
  const retryMinMs = int('--retry-min-ms', o.retryMinMs, 1, 3_600_000, 1000);
  const retryMaxMs = int('--retry-max-ms', o.retryMaxMs, 1, 3_600_000, 60_000);
  if (retryMinMs > retryMaxMs) throw new ChatmigrateError('CM_USAGE', `--retry-min-ms (${retryMinMs}) must not exceed --retry-max-ms (${retryMaxMs})`);
  return Object.freeze({
    dryRun,
    input: o.input,
    baseUrl,
    // A dry run sends nothing: no credentials needed (and none kept).
    userId: dryRun ? '' : userIdOf(o.userId, env),
    authToken: dryRun ? '' : authTokenOf(o, env),
    rules: Object.freeze({
      skipBots: o.skipBots === true,
      skipDeleted: o.skipDeleted === true,
      skipArchived: o.skipArchived === true,
      skipDirect: o.skipDirect === true,
      exclude,
    }),
    rpm: int('--rpm', o.rpm, 0, 1_000_000, ROCKETCHAT_LIMITS.callsPerMinutePerEndpoint),
    rateWindowMs: int('--rate-window-ms', o.rateWindowMs, 50, 3_600_000, ROCKETCHAT_LIMITS.rateWindowMs),
    maxRetries: int('--max-retries', o.maxRetries, 0, 1000, 8),
    retryMinMs,
    retryMaxMs,
    requestTimeoutMs: int('--request-timeout-ms', o.requestTimeoutMs, 100, 3_600_000, 60_000),
    pollIntervalMs: int('--poll-interval-ms', o.pollIntervalMs, 10, 3_600_000, ROCKETCHAT_DEFAULTS.pollIntervalMs),
    importTimeoutMs: int('--import-timeout-ms', o.importTimeoutMs, 100, 30 * 24 * 3600 * 1000, ROCKETCHAT_DEFAULTS.importTimeoutMs),
    report: o.report,
    json: o.json === true,
    logLevel: logLevel as LogLevel | undefined,
    logFormat: logFormat as LogFormat | undefined,
    progress: o.progress,
  });
}
