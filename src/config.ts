// Run configuration: validated once at the edge with zod (messages name the option, what it
// expects and what it got), then frozen; everything after trusts it. Used by the CLI and the library.
// One file over 300 lines: the options, their checks and the frozen config name the same fields,
// and a field added to one must be added to the other two.

import { z } from 'zod';
import { ChatmigrateError, OPTIONS_HINT, usageError } from './errors.js';
import { COMETCHAT_API_KEY_SOURCES, resolveCredential } from './credentials.js';
import { checkTransport } from './base-url.js';
import type { DeliverySettings } from './sinks/delivery-settings.js';
import { closest } from './did-you-mean.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './observability/logger.js';
import type { FormatChoice } from './sources/formats.js';
import { COMETCHAT_LIMITS, type CometChatTargetConfig } from './sinks/cometchat/limits.js';
import { defaultWorkerCount } from './transforms/block-processor.js';
import { checkRocketChatOptions } from './rocketchat-options.js';
import { checkKindOptions } from './kind-options.js';
import { KIND_NAMES, type KindName } from './entities/kinds.js';

export const REGIONS = ['us', 'eu', 'in'] as const;

/** What callers may pass (CLI strings or library values); names are the camelCase of the flags. */
export interface RunOptions {
  input?: string | undefined;
  from?: string;
  /** users, groups, members or messages; default: a CometChat body's wrapper key, else members. */
  kind?: string;
  /** Messages: skip those older than this many days (default 180; 0 = no limit). */
  retentionDays?: number | string;
  /** Messages, import: append muid → CometChat message id lines (NDJSON) to this file. */
  ids?: string;
  to?: string;
  batchSize?: number | string;
  rpm?: number | string;
  rateWindowMs?: number | string;
  connections?: number | string;
  maxRetries?: number | string;
  retryMinMs?: number | string;
  retryMaxMs?: number | string;
  requestTimeoutMs?: number | string;
  baseUrl?: string;
  appId?: string;
  region?: string;
  apiKey?: string;
  /** A file holding the API key (env COMETCHAT_API_KEY_FILE): read once, never shown. */
  apiKeyFile?: string;
  /** Plain http to a host that is not loopback: refused unless this is true. */
  allowInsecureHttp?: boolean;
  rejects?: string;
  report?: string;
  checkpoint?: string;
  resume?: boolean;
  startOver?: boolean;
  /** An input with no records at all is fine (else CM_INPUT_EMPTY). */
  allowEmpty?: boolean;
  /** Line-delimited input: a line that is not JSON stops the run (default) or is rejected. */
  onMalformed?: string;
  checkpointIntervalMs?: number | string;
  shard?: string;
  logLevel?: string;
  logFormat?: string;
  progress?: boolean;
  json?: boolean;
  now?: number | string;
  workers?: number | string;
  // Rocket.Chat source (--from rocketchat): the rocketchat_room and users exports.
  rooms?: string;
  users?: string;
  // --to rocketchat (src/targets/rocketchat/config.ts validates these).
  userId?: string;
  authToken?: string;
  authTokenFile?: string;
  skipBots?: boolean;
  skipDeleted?: boolean;
  skipArchived?: boolean;
  skipDirect?: boolean;
  exclude?: string;
  pollIntervalMs?: number | string;
  importTimeoutMs?: number | string;
}

const int = (flag: string, min: number, max: number, fallback: number) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${flag} expects an integer from ${min} to ${max}, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    });

const oneOf = <T extends readonly [string, ...string[]], F extends T[number] | undefined>(flag: string, values: T, fallback: F) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback as T[number] | F;
      if (!(values as readonly string[]).includes(v)) {
        const near = closest(v.toLowerCase(), values);
        ctx.addIssue({ code: 'custom', message: `${flag} expects one of ${values.join(', ')}, got ${JSON.stringify(v)}${near ? ` (did you mean ${near}?)` : ''}` });
        return z.NEVER;
      }
      return v as T[number];
    });

const shard = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const m = /^(\d+)\/(\d+)$/.exec(v.trim());
    const k = m ? Number(m[1]) : 0;
    const n = m ? Number(m[2]) : 0;
    if (!m || n < 1 || k < 1 || k > n) {
      ctx.addIssue({ code: 'custom', message: `--shard expects K/N with 1 ≤ K ≤ N (e.g. 2/8), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return { index: k, count: n };
  });

const url = (flag: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      try {
        const u = new URL(v);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
        return v.replace(/\/+$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: `${flag} expects an http(s) URL, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
    });

const schema = z.object({
  input: z.string().optional(),
  from: oneOf('--from', ['auto', 'cometchat', 'map', 'array', 'ndjson', 'rocketchat', 'bson'], 'auto'),
  kind: oneOf('--kind', KIND_NAMES as [KindName, ...KindName[]], undefined),
  retentionDays: int('--retention-days', 0, 100_000, -1), // -1: not given
  ids: z.string().optional(),
  to: oneOf('--to', ['cometchat'], 'cometchat'),
  batchSize: int('--batch-size', 1, COMETCHAT_LIMITS.maxEntitiesPerRequest, COMETCHAT_LIMITS.maxEntitiesPerRequest),
  rpm: int('--rpm', 0, 1_000_000, COMETCHAT_LIMITS.requestsPerMinute),
  rateWindowMs: int('--rate-window-ms', 50, 3_600_000, 60_000),
  connections: int('--connections', 1, 256, 4),
  maxRetries: int('--max-retries', 0, 1000, 8),
  retryMinMs: int('--retry-min-ms', 1, 3_600_000, 1000),
  retryMaxMs: int('--retry-max-ms', 1, 3_600_000, 60_000),
  requestTimeoutMs: int('--request-timeout-ms', 100, 3_600_000, 60_000),
  baseUrl: url('--base-url'),
  appId: z.string().optional(),
  region: oneOf('--region', REGIONS, 'us'),
  apiKey: z.string().optional(),
  apiKeyFile: z.string().optional(),
  allowInsecureHttp: z.boolean().optional().default(false),
  rejects: z.string().optional(),
  report: z.string().optional(),
  checkpoint: z.string().optional(),
  resume: z.boolean().optional().default(false),
  startOver: z.boolean().optional().default(false),
  allowEmpty: z.boolean().optional().default(false),
  onMalformed: oneOf('--on-malformed', ['stop', 'skip'], 'stop'),
  checkpointIntervalMs: int('--checkpoint-interval-ms', 100, 3_600_000, 2000),
  shard,
  logLevel: oneOf('--log-level', LOG_LEVELS, undefined),
  logFormat: oneOf('--log-format', LOG_FORMATS, undefined),
  progress: z.boolean().optional(),
  json: z.boolean().optional().default(false),
  now: int('--now', 0, 99_999_999_999, 0),
  workers: int('--workers', 0, 64, -1),
  rooms: z.string().optional(),
  users: z.string().optional(),
});

export type RunConfig = Readonly<DeliverySettings & Pick<CometChatTargetConfig, 'batchSize' | 'connections'> & {
  command: 'validate' | 'import';
  input: string | undefined;
  from: FormatChoice;
  /** --kind; undefined: the input's CometChat wrapper key names it, else members. */
  kind: KindName | undefined;
  /** --retention-days (messages only); undefined: not given (messages then use 180). */
  retentionDays: number | undefined;
  /** --ids: the file imported messages' CometChat ids are appended to. */
  ids: string | undefined;
  to: 'cometchat' | 'rocketchat';
  /** CometChat API root including the version, e.g. https://APP.api-us.cometchat.io/v3. */
  baseUrl: string | undefined;
  apiKey: string | undefined;
  rejects: string | undefined;
  report: string | undefined;
  checkpoint: string | undefined;
  resume: boolean;
  /** Replace the job in --checkpoint (finished or not) with a new one. */
  startOver: boolean;
  allowEmpty: boolean;
  /** skip: a line of line-delimited input that is not JSON is rejected (MALFORMED_JSON), not fatal. */
  onMalformed: 'stop' | 'skip';
  /** How often progress is saved to the checkpoint (and always on a stop). */
  checkpointIntervalMs: number;
  shard: { index: number; count: number } | undefined;
  /** undefined: warn on a terminal (the progress line and summary speak), info otherwise. */
  logLevel: LogLevel | undefined;
  /** undefined: pretty lines on a terminal, JSON otherwise. */
  logFormat: LogFormat | undefined;
  /** undefined: show progress when stderr is a terminal. */
  progress: boolean | undefined;
  json: boolean;
  /** Worker threads for parsing and validation (0: all on the main thread). */
  workers: number;
  /** "now" in UNIX seconds for the joinedAt-in-the-future rule. */
  nowSeconds: number;
  /** nowSeconds is the clock's (no --now): a resumed run uses its checkpoint's instead. */
  nowFromClock: boolean;
  /** --from rocketchat: the rocketchat_room and users exports (both set then, else both undefined). */
  rooms: string | undefined;
  users: string | undefined;
}>;

/** Validates options (CLI or library) into a frozen config; throws CM_USAGE / CM_CONFIG. */
export function resolveConfig(command: 'validate' | 'import', options: RunOptions, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const message = first?.code === 'custom' ? first.message : `option ${first?.path.join('.') ?? '?'}: ${first?.message ?? 'invalid'}`;
    throw new ChatmigrateError('CM_USAGE', message, { hint: OPTIONS_HINT });
  }
  const o = parsed.data;
  if (o.retryMinMs > o.retryMaxMs) {
    throw new ChatmigrateError('CM_USAGE', `--retry-min-ms (${o.retryMinMs}) must not exceed --retry-max-ms (${o.retryMaxMs})`);
  }
  const appId = (o.appId ?? env['COMETCHAT_APP_ID'])?.trim() || undefined;
  let baseUrl = o.baseUrl;
  // App id and region only matter when they make the URL (--base-url wins over them), and are
  // only checked where the URL will be used (validate sends nothing, so stale env is harmless).
  if (baseUrl === undefined && appId !== undefined) {
    const strict = command === 'import';
    const envRegion = env['COMETCHAT_REGION']?.trim().toLowerCase() || undefined;
    const region = options.region === undefined && envRegion !== undefined ? envRegion : o.region;
    // The app id becomes a host name label: anything else would send the key to another host.
    const goodAppId = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(appId);
    const goodRegion = (REGIONS as readonly string[]).includes(region);
    if (strict && !goodAppId) throw usageError(o.appId !== undefined ? '--app-id' : 'COMETCHAT_APP_ID', 'a CometChat app ID (letters, digits and dashes, as the dashboard shows it)', appId);
    if (strict && !goodRegion) throw usageError('COMETCHAT_REGION', `one of ${REGIONS.join(', ')}`, env['COMETCHAT_REGION']);
    if (goodAppId && goodRegion) baseUrl = `https://${appId.toLowerCase()}.api-${region}.cometchat.io/v3`;
  }
  // Only an import sends the key, so only an import reads it (a validate with a stale key file in
  // the environment must not fail).
  let apiKey: string | undefined;
  if (command === 'import' && o.to === 'cometchat') {
    if (!baseUrl) {
      throw new ChatmigrateError('CM_CONFIG', 'no CometChat endpoint: pass --app-id (and --region) or --base-url', {
        hint: 'or set COMETCHAT_APP_ID / COMETCHAT_REGION; for a rehearsal run `chatmigrate sandbox` and pass the URL it prints',
      });
    }
    // Before the key is read: a refused URL must not depend on the key being there.
    checkTransport(baseUrl, o.baseUrl !== undefined ? '--base-url' : 'the CometChat URL', 'API key', o.allowInsecureHttp);
    apiKey = resolveCredential(COMETCHAT_API_KEY_SOURCES, { value: o.apiKey, file: o.apiKeyFile }, env)?.value;
    if (!apiKey) {
      throw new ChatmigrateError('CM_CONFIG', 'no API key: pass --api-key-file FILE, set COMETCHAT_API_KEY_FILE or COMETCHAT_API_KEY, or pass --api-key', {
        hint: 'use a REST API key with full access from the CometChat dashboard',
      });
    }
  }
  if (o.resume && o.checkpoint === undefined) {
    throw new ChatmigrateError('CM_USAGE', '--resume needs --checkpoint FILE: the file the interrupted run saved its progress to');
  }
  if (o.startOver && o.checkpoint === undefined) {
    throw new ChatmigrateError('CM_USAGE', '--start-over needs --checkpoint FILE: the job it replaces');
  }
  if (o.startOver && o.resume) {
    throw new ChatmigrateError('CM_USAGE', '--start-over and --resume contradict each other: --resume continues the job in --checkpoint, --start-over replaces it with a new one', {
      hint: 'keep one of them',
    });
  }
  checkRocketChatOptions(o, options);
  const retentionDays = o.retentionDays === -1 ? undefined : o.retentionDays;
  checkKindOptions({ command, from: o.from, kind: o.kind, retentionDays, ids: o.ids, sharded: (o.shard?.count ?? 1) > 1 });
  // Inputs and outputs are compared by their real identities when the run starts (accounting/output-paths.ts).
  return Object.freeze({
    command,
    input: o.input,
    from: o.from as FormatChoice,
    kind: o.kind,
    retentionDays,
    ids: o.ids,
    to: o.to as 'cometchat' | 'rocketchat',
    batchSize: o.batchSize,
    rpm: o.rpm,
    rateWindowMs: o.rateWindowMs,
    connections: o.connections,
    maxRetries: o.maxRetries,
    retryMinMs: o.retryMinMs,
    retryMaxMs: o.retryMaxMs,
    requestTimeoutMs: o.requestTimeoutMs,
    baseUrl,
    apiKey,
    rejects: o.rejects,
    report: o.report,
    checkpoint: o.checkpoint,
    resume: o.resume,
    startOver: o.startOver,
    allowEmpty: o.allowEmpty,
    onMalformed: o.onMalformed as 'stop' | 'skip',
    checkpointIntervalMs: o.checkpointIntervalMs,
    shard: o.shard,
    logLevel: o.logLevel as LogLevel | undefined,
    logFormat: o.logFormat as LogFormat | undefined,
    progress: o.progress,
    json: o.json,
    workers: o.workers === -1 ? defaultWorkerCount() : o.workers,
    nowSeconds: o.now || Math.floor(Date.now() / 1000),
    nowFromClock: !o.now,
    rooms: o.rooms,
    users: o.users,
  });
}
