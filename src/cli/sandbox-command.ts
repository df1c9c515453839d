// `chatmigrate sandbox`: run the local CometChat stand-in until SIGINT/SIGTERM.
// stdout carries exactly one line, the base URL, so scripts can capture it; everything else
// (notes, the final statistics) goes to stderr.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChatmigrateError, usageError } from '../errors.js';
import { startSandbox, type SandboxOptions, type SandboxStats } from '../sandbox/index.js';
import type { RocketChatSandboxOptions } from '../sandbox/rocketchat-options.js';
import { COMETCHAT_API_KEY_SOURCES, resolveCredential, ROCKETCHAT_AUTH_TOKEN_SOURCES } from '../credentials.js';
import { nearFlag } from './did-you-mean.js';

const DEFAULT_KEY = 'sandbox-key';

const HELP = `Usage: chatmigrate sandbox [options]

Runs a local stand-in of CometChat's Data Import API (users, groups, members and messages) on
127.0.0.1 and prints its base URL (pass it to \`chatmigrate import --base-url\`). Stops on Ctrl-C
and prints statistics to stderr.

Options:
  --port N                 port to listen on (default 0: a free port)
  --api-key K              the key the sandbox accepts (env COMETCHAT_API_KEY; default "${DEFAULT_KEY}")
  --api-key-file FILE      the same, read from FILE (env COMETCHAT_API_KEY_FILE): one key file
                           for the sandbox and \`import --api-key-file\` in a rehearsal
  --rpm N                  requests per window before 429 (default 60; 0 = unlimited)
  --window-ms N            rate window length in ms (default 60000)
  --max-entities N         entities per request (default 50)
  --auth-error-status N    HTTP status of auth errors (default 401)
  --nested-replies         answer data.<id>.data.data instead of data.<id>.data
  --allow-unknown          accept members and messages whose group/user does not exist yet
  --retention-days N       refuse messages sent more than N days ago, as CometChat does beyond
                           the history it keeps (default 180; 0 = keep any)
  --compact-records        keep only each member's reply data and each message's id (faster,
                           less memory: benchmarks); accepted/messages then lists {muid, id}
  --latency-ms N           delay before each answer
  --latency-jitter-ms N    extra random delay up to N ms
  --error-rate R           share (0-1) of requests answered 500/502/503
  --reset-rate R           share (0-1) of connections destroyed without an answer
  --spurious-429-rate R    share (0-1) of requests answered 429 although within budget
  --partial-apply-rate R   share (0-1) of import requests whose valid entities are stored, then
                           answered 500 ERR_EXCEPTION (what CometChat's recipe reports)
  --stall-after N          stop answering after N requests
  --seed N                 seed of the fault sequence (default 1)

Rocket.Chat import endpoints (/api/v1/startImport, getImportFileData, getImportProgress;
pass the server root, the printed URL without /v3, to \`import --to rocketchat --base-url\`):
  --user-id ID             the admin holding run-import (env ROCKETCHAT_USER_ID; default "sandbox-admin")
  --auth-token TOKEN       the admin's token (env ROCKETCHAT_AUTH_TOKEN; default "sandbox-token")
  --auth-token-file FILE   the same, read from FILE (env ROCKETCHAT_AUTH_TOKEN_FILE)
  --plain-user ID:TOKEN    a logged-in user without run-import (403 No Permission); repeatable
  --rc-body-form FORM      startImport body accepted: array (default, 3.0+) or short ({all, list})
  --rc-no-operation        no import file prepared: 400 error-operation-not-found
  --rc-file-data FILE      JSON {users, channels} served by getImportFileData (default: a small sample)
  --rc-file-data-waits N   answer getImportFileData {"waiting": true} N times first (default 0)
  --rc-progress-polls N    getImportProgress polls until the final step (default 3)
  --rc-import-fails        end with importer_import_failed instead of importer_done
  --rc-start-replies-lost N  the first N accepted startImport calls start the import, then drop
                           the connection without an answer (default 0)
  --rc-rate-limit N        calls per endpoint per client per window (default 10; 0 = unlimited)
  --rc-rate-window-ms N    Rocket.Chat rate window in ms (default 60000)

  --help                   show this help

Inspection routes (no key needed; what a rehearsal or a test checks afterwards):
  GET  /__sandbox/stats          counters as JSON: requests by status and by kind, entities,
                                 accepted per kind, duplicate deliveries, partial applies,
                                 connections, in flight, CPU time
  GET  /__sandbox/accepted/KIND  what was accepted, as NDJSON in arrival order; KIND is users,
                                 groups, members, messages, rocketchat-imports,
                                 rocketchat-users or rocketchat-channels
  POST /__sandbox/reset          forget everything accepted and zero the counters
`;

const OPTIONS = {
  port: { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  rpm: { type: 'string' },
  'window-ms': { type: 'string' },
  'max-entities': { type: 'string' },
  'auth-error-status': { type: 'string' },
  'nested-replies': { type: 'boolean' },
  'allow-unknown': { type: 'boolean' },
  'compact-records': { type: 'boolean' },
  'latency-ms': { type: 'string' },
  'latency-jitter-ms': { type: 'string' },
  'error-rate': { type: 'string' },
  'reset-rate': { type: 'string' },
  'spurious-429-rate': { type: 'string' },
  'partial-apply-rate': { type: 'string' },
  'retention-days': { type: 'string' },
  'stall-after': { type: 'string' },
  seed: { type: 'string' },
  'user-id': { type: 'string' },
  'auth-token': { type: 'string' },
  'auth-token-file': { type: 'string' },
  'plain-user': { type: 'string', multiple: true },
  'rc-body-form': { type: 'string' },
  'rc-no-operation': { type: 'boolean' },
  'rc-file-data': { type: 'string' },
  'rc-file-data-waits': { type: 'string' },
  'rc-progress-polls': { type: 'string' },
  'rc-import-fails': { type: 'boolean' },
  'rc-start-replies-lost': { type: 'string' },
  'rc-rate-limit': { type: 'string' },
  'rc-rate-window-ms': { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

function integer(values: Values, name: keyof typeof OPTIONS, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw !== 'string') return undefined;
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw usageError(`--${name}`, `an integer from ${min} to ${max}`, raw);
  return n;
}

function ratio(values: Values, name: keyof typeof OPTIONS): number | undefined {
  const raw = values[name];
  if (raw === undefined || typeof raw !== 'string') return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!(n >= 0 && n <= 1)) throw usageError(`--${name}`, 'a number from 0 to 1', raw);
  return n;
}

function parse(argv: string[]): Values {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw usageError('sandbox', 'no positional arguments', positionals[0]);
    return values as Values;
  } catch (err) {
    if (err instanceof TypeError && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
      const flag = /'(--?[\w-]+)/.exec(err.message)?.[1] ?? err.message;
      if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
        if (err.message.includes('does not take an argument')) throw usageError(flag, 'no value (it is a switch)', 'a value');
        throw usageError(flag, `a value (write ${flag}=VALUE when it starts with "-")`, 'nothing');
      }
      const { typed, near } = nearFlag(flag, argv, Object.keys(OPTIONS));
      throw new ChatmigrateError('CM_USAGE', `unknown option ${typed} for sandbox${near ? ` (did you mean --${near}?)` : ''}`, {
        hint: 'run `chatmigrate sandbox --help` for the list of options',
      });
    }
    throw err;
  }
}

/** Turns argv into SandboxOptions; throws usage errors that name the flag. */
export function parseSandboxArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): { help: boolean; options: SandboxOptions; defaultKey: boolean } {
  const v = parse(argv);
  if (v['api-key'] === '') throw usageError('--api-key', 'a non-empty key', '');
  // The same sources and precedence as import's (an empty environment variable counts as unset).
  const givenKey = resolveCredential(COMETCHAT_API_KEY_SOURCES, { value: v['api-key'], file: v['api-key-file'] }, env)?.value;
  const stallAfter = integer(v, 'stall-after', 0, Number.MAX_SAFE_INTEGER);
  const options: SandboxOptions = {
    port: integer(v, 'port', 0, 65535) ?? 0,
    apiKey: givenKey ?? DEFAULT_KEY,
    rpm: integer(v, 'rpm', 0, Number.MAX_SAFE_INTEGER) ?? 60,
    windowMs: integer(v, 'window-ms', 1, 24 * 3600 * 1000) ?? 60_000,
    maxEntities: integer(v, 'max-entities', 1, 100_000) ?? 50,
    authErrorStatus: integer(v, 'auth-error-status', 400, 599) ?? 401,
    nestedReplies: v['nested-replies'] === true,
    requireKnownGroupsAndUsers: v['allow-unknown'] !== true,
    storeFullRecords: v['compact-records'] !== true,
    messageRetentionDays: integer(v, 'retention-days', 0, 100_000) ?? 180,
    faults: {
      seed: integer(v, 'seed', -0x80000000, 0xffffffff) ?? 1,
      latencyMs: integer(v, 'latency-ms', 0, 600_000),
      latencyJitterMs: integer(v, 'latency-jitter-ms', 0, 600_000),
      errorRate: ratio(v, 'error-rate'),
      resetRate: ratio(v, 'reset-rate'),
      spurious429Rate: ratio(v, 'spurious-429-rate'),
      partialApplyRate: ratio(v, 'partial-apply-rate'),
      ...(stallAfter === undefined ? {} : { stallAfter }),
    },
    rocketchat: parseRocketChatSandboxFlags(v, env),
  };
  return { help: v.help === true, options, defaultKey: givenKey === undefined };
}

/** The Rocket.Chat flags, one group (see rocketchat-options.ts for the meanings). */
function parseRocketChatSandboxFlags(v: Values, env: NodeJS.ProcessEnv): RocketChatSandboxOptions {
  for (const flag of ['user-id', 'auth-token'] as const) if (v[flag] === '') throw usageError(`--${flag}`, 'a non-empty value', '');
  const plainUsers = (v['plain-user'] ?? []).map((pair) => {
    const colon = pair.indexOf(':');
    // Only the id part is shown back: the token may be real.
    if (colon <= 0 || colon === pair.length - 1) throw usageError('--plain-user', 'ID:TOKEN', colon <= 0 ? pair : pair.slice(0, colon) + ':…');
    return { userId: pair.slice(0, colon), authToken: pair.slice(colon + 1) };
  });
  const form = v['rc-body-form'];
  if (form !== undefined && form !== 'array' && form !== 'short') throw usageError('--rc-body-form', 'array or short', form);
  let fileData: RocketChatSandboxOptions['fileData'];
  if (v['rc-file-data'] !== undefined) {
    try {
      fileData = JSON.parse(readFileSync(v['rc-file-data'], 'utf8')) as RocketChatSandboxOptions['fileData'];
    } catch (err) {
      throw usageError('--rc-file-data', 'a readable JSON file {"users": [...], "channels": [...]}', `${v['rc-file-data']} (${(err as Error).message})`);
    }
    if (typeof fileData !== 'object' || fileData === null || !Array.isArray(fileData.users) || !Array.isArray(fileData.channels)) {
      throw usageError('--rc-file-data', 'a JSON object with users and channels arrays', v['rc-file-data']);
    }
  }
  return {
    userId: v['user-id'] ?? (env['ROCKETCHAT_USER_ID'] || undefined),
    authToken: resolveCredential(ROCKETCHAT_AUTH_TOKEN_SOURCES, { value: v['auth-token'], file: v['auth-token-file'] }, env)?.value || undefined,
    plainUsers,
    bodyForm: form,
    operationPrepared: v['rc-no-operation'] !== true,
    fileData,
    fileDataWaits: integer(v, 'rc-file-data-waits', 0, 1_000_000),
    progressPolls: integer(v, 'rc-progress-polls', 1, 1_000_000),
    importFails: v['rc-import-fails'] === true,
    startRepliesLost: integer(v, 'rc-start-replies-lost', 0, 1_000_000),
    rateLimit: integer(v, 'rc-rate-limit', 0, 1_000_000_000),
    rateWindowMs: integer(v, 'rc-rate-window-ms', 1, 24 * 3600 * 1000),
  };
}

/** "1 request", "2 requests". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatStatsSummary(s: SandboxStats): string {
  const statuses = Object.entries(s.byStatus)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  return (
    `sandbox: ${count(s.requests, 'request')} (${statuses || 'none answered'}), ${count(s.entitiesReceived, 'entity', 'entities')} received ` +
    `(max ${s.maxEntitiesPerRequest} per request), accepted ${count(s.accepted.members, 'member')}, ${count(s.accepted.users, 'user')}, ` +
    `${count(s.accepted.groups, 'group')}, ${count(s.accepted.messages, 'message')}; ${count(s.duplicateDeliveries, 'duplicate delivery', 'duplicate deliveries')}` +
    `${s.partialApplies > 0 ? `, ${count(s.partialApplies, 'partial apply', 'partial applies')}` : ''}; max ${count(s.maxOpenConnections, 'connection')}, ` +
    `${s.maxInFlight} in flight, ${count(s.maxRequestsInWindow, 'request')} in one window; ${count(s.resets, 'reset')}, ${s.stalled} stalled\n`
  );
}

export async function runSandboxCommand(argv: string[]): Promise<number> {
  // Help wins over everything else on the line, even a bad value next to it.
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const { options, defaultKey } = parseSandboxArgs(argv);
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ChatmigrateError('CM_USAGE', `--port ${options.port}: that port is already in use on 127.0.0.1`, { hint: 'choose another --port, or leave --port out for a free one' });
    }
    if (code === 'EACCES') {
      throw new ChatmigrateError('CM_USAGE', `--port ${options.port}: this user may not open that port`, { hint: 'choose a port above 1023, or leave --port out for a free one' });
    }
    throw err;
  }
  if (defaultKey) {
    process.stderr.write(`note: no --api-key or COMETCHAT_API_KEY given; the sandbox accepts the key "${DEFAULT_KEY}"\n`);
  }
  process.stdout.write(`${sandbox.baseUrl}\n`);
  process.stderr.write(`note: Rocket.Chat endpoints at ${sandbox.url}/api/v1/ (pass --base-url ${sandbox.url} with --to rocketchat)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const stats = sandbox.stats();
  await sandbox.close();
  process.stderr.write(formatStatsSummary(stats));
  return 0;
}
