// The command-line options: one table that drives both argument parsing and --help, so the
// help text can never drift from what is accepted.

import type { RunOptions } from '../config.js';
import type { MigrateOptions } from '../migrate/migrate-config.js';

export type CommandName = 'import' | 'validate' | 'migrate';

export interface OptionSpec {
  flag: string; // without the leading dashes
  key: keyof RunOptions | keyof MigrateOptions | 'help' | 'version';
  type: 'string' | 'boolean';
  value?: string; // placeholder shown in help
  help: string;
  commands: readonly CommandName[];
  env?: string;
  /** The heading it is listed under in --help (GROUPS gives their order). */
  group: OptionGroup;
}

/** --help lists the options in these groups, in this order. */
export const GROUPS = ['Input', 'Target', 'Delivery', 'Outputs', 'Resume', 'Rocket.Chat (--to rocketchat)', 'Rocket.Chat (--from rocketchat)', 'Advanced'] as const;
export type OptionGroup = (typeof GROUPS)[number] | 'General';

const both = ['import', 'validate'] as const;
const imp = ['import'] as const;
const mig = ['migrate'] as const;
/** Shared with migrate, whose phases run as import (or validate, with --dry-run) does. */
const bothMigrate = ['import', 'validate', 'migrate'] as const;
const impMigrate = ['import', 'migrate'] as const;
const all = bothMigrate;

/** Said of every secret's value form: why the file form is the one to use. */
const VISIBLE = 'visible to other users of this machine (ps, /proc) and kept in shell history: prefer';

export const OPTIONS: readonly OptionSpec[] = [
  // Input.
  { flag: 'kind', key: 'kind', type: 'string', value: 'KIND', help: 'what the records are: users, groups, members or messages (each goes to /data_import/KIND). Default: the wrapper key of a CometChat body ({"users": {...}} ...); arrays, NDJSON and bare maps are members', commands: both, group: 'Input' },
  { flag: 'from', key: 'from', type: 'string', value: 'FORMAT', help: 'input format: auto (default), cometchat ({"members": {...}} or another kind\'s wrapper), map (bare {"<id>": {...}}), array, ndjson, rocketchat (mongoexport or mongodump of rocketchat_subscription; needs --rooms and --users), bson (a mongodump collection file; detected by itself)', commands: both, group: 'Input' },
  { flag: 'retention-days', key: 'retentionDays', type: 'string', value: 'N', help: 'messages only: skip (and count under the rule retention) messages sent more than N days before now; CometChat keeps 180 days unless the app has extended storage (default 180; 0 = no limit)', commands: bothMigrate, group: 'Input' },
  { flag: 'rooms', key: 'rooms', type: 'string', value: 'FILE', help: 'with --from rocketchat: mongoexport of rocketchat_room (lines or --jsonArray, gzip ok), or its mongodump .bson', commands: both, group: 'Input' },
  { flag: 'users', key: 'users', type: 'string', value: 'FILE', help: 'with --from rocketchat: mongoexport of users (lines or --jsonArray, gzip ok), or its mongodump .bson; their services (secrets) are never read', commands: both, group: 'Input' },
  { flag: 'on-malformed', key: 'onMalformed', type: 'string', value: 'stop|skip', help: 'a line of NDJSON (or of a line-by-line mongoexport) that is not JSON: stop the run (default) or reject it (MALFORMED_JSON in --rejects, with its raw text, offset and line) and go on; a mongodump .bson document that does not decode is like a bad line (MALFORMED_BSON); one JSON document always stops', commands: bothMigrate, group: 'Input' },
  { flag: 'allow-empty', key: 'allowEmpty', type: 'boolean', help: 'an input with no records at all is a success (default: exit 1, CM_INPUT_EMPTY: an empty stream usually means the command before the pipe failed)', commands: bothMigrate, group: 'Input' },
  { flag: 'shard', key: 'shard', type: 'string', value: 'K/N', help: 'process only shard K of N (by hash of the key: memberId, uid, guid or muid); not for messages, which go in input order', commands: both, group: 'Input' },
  // Target.
  { flag: 'to', key: 'to', type: 'string', value: 'TARGET', help: 'target: cometchat (default) or rocketchat (import: INPUT optional, see the Rocket.Chat options; validate: a dry run of the selection in INPUT)', commands: both, group: 'Target' },
  { flag: 'base-url', key: 'baseUrl', type: 'string', value: 'URL', help: 'CometChat API root incl. version (default https://{appId}.api-{region}.cometchat.io/v3); the tool appends /data_import/KIND. Rocket.Chat: the server root; the tool appends /api/v1/... https is verified against the system CAs (a private CA: NODE_EXTRA_CA_CERTS=ca.pem); plain http only to localhost, 127.0.0.0/8 or ::1', commands: impMigrate, group: 'Target' },
  { flag: 'app-id', key: 'appId', type: 'string', value: 'ID', help: 'CometChat app id', commands: impMigrate, env: 'COMETCHAT_APP_ID', group: 'Target' },
  { flag: 'region', key: 'region', type: 'string', value: 'REGION', help: 'CometChat region: us (default), eu, in', commands: impMigrate, env: 'COMETCHAT_REGION', group: 'Target' },
  { flag: 'api-key-file', key: 'apiKeyFile', type: 'string', value: 'FILE', help: 'file holding the CometChat REST API key (full access), alone on one line; read once, never shown', commands: impMigrate, env: 'COMETCHAT_API_KEY_FILE', group: 'Target' },
  { flag: 'api-key', key: 'apiKey', type: 'string', value: 'KEY', help: `the key itself: ${VISIBLE} --api-key-file (a flag wins over the environment; two flags or two env variables for one key are refused)`, commands: impMigrate, env: 'COMETCHAT_API_KEY', group: 'Target' },
  { flag: 'allow-insecure-http', key: 'allowInsecureHttp', type: 'boolean', help: 'allow a plain http:// --base-url to another machine (the key then crosses the network unencrypted); only for a trusted network', commands: impMigrate, group: 'Target' },
  // Delivery.
  { flag: 'rpm', key: 'rpm', type: 'string', value: 'N', help: 'requests-per-minute budget (default 60, the documented quota; 0 = no limit); --to rocketchat: per endpoint, default 10', commands: bothMigrate, group: 'Delivery' },
  { flag: 'batch-size', key: 'batchSize', type: 'string', value: 'N', help: 'records per request (default and maximum 50)', commands: bothMigrate, group: 'Delivery' },
  { flag: 'connections', key: 'connections', type: 'string', value: 'N', help: 'keep-alive connections, also the cap on requests in flight (default 4)', commands: impMigrate, group: 'Delivery' },
  // Outputs.
  { flag: 'rejects', key: 'rejects', type: 'string', value: 'FILE', help: 'write the records not delivered, with the reason: invalid ones, conflicting duplicates and (import) those the server refused; NDJSON (reason, message, position, record) that can be fed back in. Records a stop left unsent are not in it: the report counts them as unsent, and --checkpoint with --resume sends them', commands: both, group: 'Outputs' },
  { flag: 'ids', key: 'ids', type: 'string', value: 'FILE', help: 'messages: append one NDJSON line {"muid", "id"} per message imported, with the id CometChat gave it (what its REST API needs for threads, reactions and pins); kept across --resume. A message whose reply was lost (a 5xx after the server stored it, a stop) is imported without a line: the report and summary count them (ids.missing)', commands: imp, group: 'Outputs' },
  { flag: 'report', key: 'report', type: 'string', value: 'FILE', help: 'write the JSON report (counts, plan, requests, duration)', commands: both, group: 'Outputs' },
  { flag: 'json', key: 'json', type: 'boolean', help: 'print the JSON report on stdout', commands: bothMigrate, group: 'Outputs' },
  { flag: 'log-level', key: 'logLevel', type: 'string', value: 'LEVEL', help: 'fatal, error, warn, info, debug, trace, silent (default: warn on a terminal, info otherwise); logs go to stderr', commands: bothMigrate, group: 'Outputs' },
  { flag: 'log-format', key: 'logFormat', type: 'string', value: 'FORMAT', help: 'json (one JSON object per line) or pretty (time, level, message, key=value); default: pretty on a terminal, json otherwise', commands: bothMigrate, group: 'Outputs' },
  { flag: 'progress', key: 'progress', type: 'boolean', help: 'progress even when stderr is not a terminal (a plain line every 5 s; default: a redrawn line on a terminal, else an info log every 30 s)', commands: bothMigrate, group: 'Outputs' },
  { flag: 'no-progress', key: 'progress', type: 'boolean', help: 'no progress line (the info log every 30 s remains); wins over --progress', commands: bothMigrate, group: 'Outputs' },
  // Resume.
  { flag: 'checkpoint', key: 'checkpoint', type: 'string', value: 'FILE', help: 'save progress to FILE (atomically, every few seconds and on every stop) so the run can be resumed', commands: both, group: 'Resume' },
  { flag: 'resume', key: 'resume', type: 'boolean', help: 'continue the run saved in --checkpoint: give the same input again (file or stdin); it is verified, re-read at parse speed without sending, and the run goes on after it', commands: both, group: 'Resume' },
  { flag: 'start-over', key: 'startOver', type: 'boolean', help: 'replace the job in --checkpoint (unfinished or finished) with a new one: everything is read and sent again (records already imported count as already present); without it a finished job is not run again', commands: both, group: 'Resume' },
  { flag: 'checkpoint-interval-ms', key: 'checkpointIntervalMs', type: 'string', value: 'MS', help: 'how often the checkpoint is saved (default 2000)', commands: bothMigrate, group: 'Resume' },
  // --to rocketchat: INPUT is a startImport selection ({"input": {"users", "channels"}} or getImportFileData's {users, channels}); without INPUT it is read from the server.
  { flag: 'user-id', key: 'userId', type: 'string', value: 'ID', help: 'id of a user holding the run-import permission', commands: imp, env: 'ROCKETCHAT_USER_ID', group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'auth-token-file', key: 'authTokenFile', type: 'string', value: 'FILE', help: 'file holding that user\'s auth (personal access) token, alone on one line; read once, never shown', commands: imp, env: 'ROCKETCHAT_AUTH_TOKEN_FILE', group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'auth-token', key: 'authToken', type: 'string', value: 'TOKEN', help: `the token itself: ${VISIBLE} --auth-token-file (precedence as for --api-key)`, commands: imp, env: 'ROCKETCHAT_AUTH_TOKEN', group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'skip-bots', key: 'skipBots', type: 'boolean', help: 'do not import bot users', commands: both, group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'skip-deleted', key: 'skipDeleted', type: 'boolean', help: 'do not import deleted users', commands: both, group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'skip-archived', key: 'skipArchived', type: 'boolean', help: 'do not import archived channels', commands: both, group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'skip-direct', key: 'skipDirect', type: 'boolean', help: 'do not import direct-message channels', commands: both, group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'exclude', key: 'exclude', type: 'string', value: 'REGEX', help: 'users/channels whose id or name matches are not imported', commands: both, group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'poll-interval-ms', key: 'pollIntervalMs', type: 'string', value: 'MS', help: 'pause between getImportFileData / getImportProgress polls (default 10000)', commands: imp, group: 'Rocket.Chat (--to rocketchat)' },
  { flag: 'import-timeout-ms', key: 'importTimeoutMs', type: 'string', value: 'MS', help: 'give up waiting for the file data / the import after MS (default 86400000, a day)', commands: imp, group: 'Rocket.Chat (--to rocketchat)' },
  // Advanced.
  { flag: 'workers', key: 'workers', type: 'string', value: 'N', help: 'worker threads that parse and validate (default: one per core, up to 8; 0 = main thread only)', commands: bothMigrate, group: 'Advanced' },
  { flag: 'max-retries', key: 'maxRetries', type: 'string', value: 'N', help: 'retries per request before giving up (default 8)', commands: impMigrate, group: 'Advanced' },
  { flag: 'retry-min-ms', key: 'retryMinMs', type: 'string', value: 'MS', help: 'first backoff delay (default 1000)', commands: impMigrate, group: 'Advanced' },
  { flag: 'retry-max-ms', key: 'retryMaxMs', type: 'string', value: 'MS', help: 'longest backoff delay (default 60000)', commands: impMigrate, group: 'Advanced' },
  { flag: 'request-timeout-ms', key: 'requestTimeoutMs', type: 'string', value: 'MS', help: 'per-request timeout (default 60000)', commands: impMigrate, group: 'Advanced' },
  { flag: 'rate-window-ms', key: 'rateWindowMs', type: 'string', value: 'MS', help: 'length of the --rpm window (default 60000; shorter for rehearsals)', commands: bothMigrate, group: 'Advanced' },
  { flag: 'now', key: 'now', type: 'string', value: 'SECONDS', help: 'UNIX time used for the "joinedAt / sentAt not in the future" rules and the messages\' --retention-days (default: the clock)', commands: bothMigrate, group: 'Advanced' },
  // migrate: a whole workspace, phase by phase.
  { flag: 'from', key: 'from', type: 'string', value: 'SOURCE', help: 'cometchat (default): a file per kind (--users, --groups, --members, --messages), any format; rocketchat: the mongoexport files of a workspace (--users, --rooms, --subscriptions, --messages), or its mongodump folder (--dump-dir, which implies it)', commands: mig, group: 'Input' },
  { flag: 'users', key: 'users', type: 'string', value: 'FILE', help: 'phase 1: users (CometChat-shaped), or with --from rocketchat the mongoexport of users (needed: every phase maps ids by it; its services are never read)', commands: mig, group: 'Input' },
  { flag: 'groups', key: 'groups', type: 'string', value: 'FILE', help: 'phase 2: groups (CometChat-shaped)', commands: mig, group: 'Input' },
  { flag: 'rooms', key: 'rooms', type: 'string', value: 'FILE', help: 'with --from rocketchat: the mongoexport of rocketchat_room (phase 2, and what the other phases map rooms by)', commands: mig, group: 'Input' },
  { flag: 'members', key: 'members', type: 'string', value: 'FILE', help: 'phase 3: members (CometChat-shaped)', commands: mig, group: 'Input' },
  { flag: 'subscriptions', key: 'subscriptions', type: 'string', value: 'FILE', help: 'with --from rocketchat: the mongoexport of rocketchat_subscription (phase 3)', commands: mig, group: 'Input' },
  { flag: 'messages', key: 'messages', type: 'string', value: 'FILE', help: 'phase 4: messages, oldest first (CometChat-shaped, or with --from rocketchat the mongoexport of rocketchat_message, sorted by time first when it is not); - for stdin (CometChat-shaped only, the last phase only)', commands: mig, group: 'Input' },
  { flag: 'state-dir', key: 'stateDir', type: 'string', value: 'DIR', help: 'where each phase keeps its checkpoint, rejects file, report (and messages\' ids), with the run\'s report.json; created owner-only', commands: mig, group: 'Resume' },
  { flag: 'resume', key: 'resume', type: 'boolean', help: 'continue the migration in --state-dir: finished phases are not run again, the stopped one goes on from its checkpoint', commands: mig, group: 'Resume' },
  { flag: 'start-over', key: 'startOver', type: 'boolean', help: 'replace the migration in --state-dir with a new one (records already imported then count as already present)', commands: mig, group: 'Resume' },
  { flag: 'dry-run', key: 'dryRun', type: 'boolean', help: 'validate every phase, send nothing: counts, reasons and the plan (requests and time under --rpm) per phase and in all; files go to --state-dir/dry-run', commands: mig, group: 'Outputs' },
  { flag: 'file-url', key: 'fileUrl', type: 'string', value: 'TEMPLATE', help: 'public URL of an uploaded file, from {fileId}, {name} and {rid} (e.g. https://files.example.com/{fileId}/{name}); without it a file message keeps only its text', commands: mig, group: 'Rocket.Chat (--from rocketchat)' },
  { flag: 'dump-dir', key: 'dumpDir', type: 'string', value: 'DIR', help: 'a mongodump folder of the Rocket.Chat database (mongodump --out=/backup writes /backup/DATABASE; .bson or --gzip .bson.gz): users, rocketchat_room, rocketchat_subscription, rocketchat_message and the uploads, instead of the four files; implies --from rocketchat', commands: mig, group: 'Rocket.Chat (--from rocketchat)' },
  { flag: 'attachments-dir', key: 'attachmentsDir', type: 'string', value: 'DIR', help: 'with --dump-dir: write each upload (GridFS, or the FileSystem store with --uploads-dir) to DIR/{fileId}/{name} before the phases; serve DIR at --file-url (needed); a message whose files are missing keeps its text', commands: mig, group: 'Rocket.Chat (--from rocketchat)' },
  { flag: 'uploads-dir', key: 'uploadsDir', type: 'string', value: 'DIR', help: 'Rocket.Chat\'s FileSystem store folder (FileUpload_FileSystemPath), for uploads not kept in GridFS', commands: mig, group: 'Rocket.Chat (--from rocketchat)' },
  { flag: 'sort-memory', key: 'sortMemory', type: 'string', value: 'SIZE', help: 'memory for the time-order sort when the messages export is not oldest first: messages sorted at a time, each run spilled under --state-dir (default 64MiB; e.g. 512MB to sort a big export in fewer runs)', commands: mig, group: 'Rocket.Chat (--from rocketchat)' },
  { flag: 'deleted-user-name', key: 'deletedUserName', type: 'string', value: 'NAME', help: 'name of the users created for message senders missing from --users (default "Deleted user")', commands: mig, group: 'Rocket.Chat (--from rocketchat)' },
  { flag: 'help', key: 'help', type: 'boolean', help: 'show this help', commands: all, group: 'General' },
];

export function optionsFor(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((o) => o.commands.includes(command));
}
