// The command-line options: one table that drives both argument parsing and --help, so the
// help text can never drift from what is accepted.

import type { RunOptions } from '../config.js';

export type CommandName = 'import' | 'validate';

export interface OptionSpec {
  flag: string; // without the leading dashes
  key: keyof RunOptions | 'help' | 'version';
  type: 'string' | 'boolean';
  value?: string; // placeholder shown in help
  help: string;
  commands: readonly CommandName[];
  env?: string;
  /** Advanced options are listed after the main ones. */
  advanced?: boolean;
}

const both = ['import', 'validate'] as const;
const imp = ['import'] as const;

export const OPTIONS: readonly OptionSpec[] = [
  { flag: 'from', key: 'from', type: 'string', value: 'FORMAT', help: 'input format: auto (default), cometchat ({"members": {...}}), map (bare {"<memberId>": {...}}), array, ndjson, rocketchat (mongoexport of rocketchat_subscription; needs --rooms and --users)', commands: both },
  { flag: 'to', key: 'to', type: 'string', value: 'TARGET', help: 'target: cometchat (default) or rocketchat (import: INPUT optional, see the Rocket.Chat options; validate: a dry run of the selection in INPUT)', commands: both },
  { flag: 'base-url', key: 'baseUrl', type: 'string', value: 'URL', help: 'CometChat API root incl. version (default https://{appId}.api-{region}.cometchat.io/v3); the tool appends /data_import/members. Rocket.Chat: the server root; the tool appends /api/v1/...', commands: imp },
  { flag: 'app-id', key: 'appId', type: 'string', value: 'ID', help: 'CometChat app id', commands: imp, env: 'COMETCHAT_APP_ID' },
  { flag: 'region', key: 'region', type: 'string', value: 'REGION', help: 'CometChat region: us (default), eu, in', commands: imp, env: 'COMETCHAT_REGION' },
  { flag: 'api-key', key: 'apiKey', type: 'string', value: 'KEY', help: 'CometChat REST API key with full access (prefer the env variable: flags show up in ps)', commands: imp, env: 'COMETCHAT_API_KEY' },
  { flag: 'rpm', key: 'rpm', type: 'string', value: 'N', help: 'requests-per-minute budget (default 60, the documented quota; 0 = no limit); --to rocketchat: per endpoint, default 10', commands: both },
  { flag: 'batch-size', key: 'batchSize', type: 'string', value: 'N', help: 'members per request (default and maximum 50)', commands: both },
  { flag: 'connections', key: 'connections', type: 'string', value: 'N', help: 'keep-alive connections, also the cap on requests in flight (default 4)', commands: imp },
  { flag: 'rejects', key: 'rejects', type: 'string', value: 'FILE', help: 'write every record not delivered (NDJSON: reason, message, position, record); can be fed back in', commands: both },
  { flag: 'checkpoint', key: 'checkpoint', type: 'string', value: 'FILE', help: 'save progress to FILE (atomically, every few seconds and on every stop) so the run can be resumed', commands: both },
  { flag: 'resume', key: 'resume', type: 'boolean', help: 'continue the run saved in --checkpoint: give the same input again (file or stdin); it is verified, re-read at parse speed without sending, and the run goes on after it', commands: both },
  { flag: 'start-over', key: 'startOver', type: 'boolean', help: 'replace the job in --checkpoint (unfinished or finished) with a new one: everything is read and sent again (members already imported count as already present); without it a finished job is not run again', commands: both },
  { flag: 'report', key: 'report', type: 'string', value: 'FILE', help: 'write the JSON report (counts, plan, requests, duration)', commands: both },
  { flag: 'json', key: 'json', type: 'boolean', help: 'print the JSON report on stdout', commands: both },
  { flag: 'shard', key: 'shard', type: 'string', value: 'K/N', help: 'process only shard K of N (by hash of memberId)', commands: both },
  { flag: 'log-level', key: 'logLevel', type: 'string', value: 'LEVEL', help: 'fatal, error, warn, info, debug, trace, silent (default: warn on a terminal, info otherwise); JSON logs on stderr', commands: both },
  { flag: 'progress', key: 'progress', type: 'boolean', help: 'progress even when stderr is not a terminal (a plain line every 5 s; default: a redrawn line on a terminal, else an info log every 30 s)', commands: both },
  { flag: 'no-progress', key: 'progress', type: 'boolean', help: 'no progress line (the info log every 30 s remains); wins over --progress', commands: both },
  // --to rocketchat: INPUT is a startImport selection ({"input": {"users", "channels"}} or getImportFileData's {users, channels}); without INPUT it is read from the server.
  { flag: 'user-id', key: 'userId', type: 'string', value: 'ID', help: 'Rocket.Chat: id of a user holding the run-import permission', commands: imp, env: 'ROCKETCHAT_USER_ID' },
  { flag: 'auth-token', key: 'authToken', type: 'string', value: 'TOKEN', help: 'Rocket.Chat: that user\'s auth (personal access) token (prefer the env variable: flags show up in ps)', commands: imp, env: 'ROCKETCHAT_AUTH_TOKEN' },
  { flag: 'skip-bots', key: 'skipBots', type: 'boolean', help: 'with --to rocketchat: do not import bot users', commands: both },
  { flag: 'skip-deleted', key: 'skipDeleted', type: 'boolean', help: 'with --to rocketchat: do not import deleted users', commands: both },
  { flag: 'skip-archived', key: 'skipArchived', type: 'boolean', help: 'with --to rocketchat: do not import archived channels', commands: both },
  { flag: 'skip-direct', key: 'skipDirect', type: 'boolean', help: 'with --to rocketchat: do not import direct-message channels', commands: both },
  { flag: 'exclude', key: 'exclude', type: 'string', value: 'REGEX', help: 'with --to rocketchat: users/channels whose id or name matches are not imported', commands: both },
  { flag: 'poll-interval-ms', key: 'pollIntervalMs', type: 'string', value: 'MS', help: 'Rocket.Chat: pause between getImportFileData / getImportProgress polls (default 10000)', commands: imp },
  { flag: 'import-timeout-ms', key: 'importTimeoutMs', type: 'string', value: 'MS', help: 'Rocket.Chat: give up waiting for the file data / the import after MS (default 86400000, a day)', commands: imp },
  { flag: 'workers', key: 'workers', type: 'string', value: 'N', help: 'worker threads that parse and validate (default: one per core but one for the main thread with the native fast path, at least 1, up to 8; 0 = main thread only)', commands: both, advanced: true },
  { flag: 'max-retries', key: 'maxRetries', type: 'string', value: 'N', help: 'retries per request before giving up (default 8)', commands: imp, advanced: true },
  { flag: 'retry-min-ms', key: 'retryMinMs', type: 'string', value: 'MS', help: 'first backoff delay (default 1000)', commands: imp, advanced: true },
  { flag: 'retry-max-ms', key: 'retryMaxMs', type: 'string', value: 'MS', help: 'longest backoff delay (default 60000)', commands: imp, advanced: true },
  { flag: 'request-timeout-ms', key: 'requestTimeoutMs', type: 'string', value: 'MS', help: 'per-request timeout (default 60000)', commands: imp, advanced: true },
  { flag: 'checkpoint-interval-ms', key: 'checkpointIntervalMs', type: 'string', value: 'MS', help: 'how often the checkpoint is saved (default 2000)', commands: both, advanced: true },
  { flag: 'rate-window-ms', key: 'rateWindowMs', type: 'string', value: 'MS', help: 'length of the --rpm window (default 60000; shorter for rehearsals)', commands: both, advanced: true },
  { flag: 'now', key: 'now', type: 'string', value: 'SECONDS', help: 'UNIX time used for the "joinedAt not in the future" rule (default: the clock)', commands: both, advanced: true },
  // Rocket.Chat source.
  { flag: 'rooms', key: 'rooms', type: 'string', value: 'FILE', help: 'with --from rocketchat: mongoexport of rocketchat_room (lines or --jsonArray, gzip ok)', commands: both },
  { flag: 'users', key: 'users', type: 'string', value: 'FILE', help: 'with --from rocketchat: mongoexport of users (lines or --jsonArray, gzip ok); their services (secrets) are never read', commands: both },
  { flag: 'help', key: 'help', type: 'boolean', help: 'show this help', commands: both },
];

export function optionsFor(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((o) => o.commands.includes(command));
}
