// `chatmigrate migrate`'s configuration: which source (a Rocket.Chat workspace export or
// CometChat-shaped files), each phase's input, the state directory, and the settings every
// phase shares (target, quota, delivery), checked once here with the same rules as import.

import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { parseByteSize } from '../byte-size.js';
import { DEFAULT_RUN_BYTES } from '../mongodump/time-order.js';
import { ChatmigrateError, usageError } from '../errors.js';
import { resolveConfig, type RunConfig, type RunOptions } from '../config.js';
import type { KindName } from '../entities/kinds.js';
import { DEFAULT_RETENTION_DAYS } from '../kind-options.js';
import { checkFileUrlTemplate, DEFAULT_DELETED_USER_NAME } from '../sources/rocketchat/index.js';

/** The phases of a migration, in the order CometChat needs them (SPEC §1b). */
export const PHASES = ['users', 'groups', 'members', 'messages'] as const satisfies readonly KindName[];
export type Phase = (typeof PHASES)[number];

/** Library and CLI options: the run options every phase shares, plus migrate's own. */
export interface MigrateOptions extends Omit<RunOptions, 'input' | 'kind' | 'rooms' | 'users' | 'checkpoint' | 'rejects' | 'report' | 'resume' | 'startOver' | 'shard' | 'ids'> {
  /** rocketchat: mongoexport files of a workspace; cometchat (default): a file per kind. */
  from?: string;
  users?: string;
  rooms?: string;
  subscriptions?: string;
  groups?: string;
  members?: string;
  messages?: string;
  stateDir?: string;
  resume?: boolean;
  startOver?: boolean;
  dryRun?: boolean;
  fileUrl?: string;
  deletedUserName?: string;
  /** A mongodump folder of the Rocket.Chat database: the four collections (and the uploads) from it. */
  dumpDir?: string;
  /** Where the dump's files are written, as DIR/{fileId}/{name} (needs --dump-dir and --file-url). */
  attachmentsDir?: string;
  /** Rocket.Chat's FileSystem store folder, for uploads kept outside GridFS. */
  uploadsDir?: string;
  /** Memory of one sorted run of the time-order sort, e.g. `64MiB` (Rocket.Chat messages). */
  sortMemory?: string;
}

/** A mongodump folder and what to do with its files. */
export interface DumpSettings {
  dir: string;
  attachmentsDir: string | undefined;
  uploadsDir: string | undefined;
}

export interface MigrateConfig {
  source: 'rocketchat' | 'cometchat';
  /** Each phase's input (a path, or '-' for stdin: the last phase's only); absent phases are skipped. With --dump-dir: found there when the migration starts. */
  inputs: Partial<Record<Phase, string>>;
  /** --dump-dir: the inputs (rooms included) are the dump's collection files. */
  dump: DumpSettings | undefined;
  /** Rocket.Chat: the rooms export (the groups phase's input, and what every phase maps rooms by). */
  rooms: string | undefined;
  stateDir: string;
  resume: boolean;
  startOver: boolean;
  dryRun: boolean;
  fileUrl: string | undefined;
  deletedUserName: string;
  retentionDays: number;
  /** Bytes of messages sorted in memory at a time when a Rocket.Chat export is not in time order. */
  sortRunBytes: number;
  /** The settings every phase shares (input, kind and files are set per phase). */
  base: RunConfig;
}

const schema = z.object({
  from: z.string().optional(),
  stateDir: z.string().optional(),
  resume: z.boolean().optional().default(false),
  startOver: z.boolean().optional().default(false),
  dryRun: z.boolean().optional().default(false),
  fileUrl: z.string().optional(),
  deletedUserName: z.string().optional(),
  dumpDir: z.string().optional(),
  attachmentsDir: z.string().optional(),
  uploadsDir: z.string().optional(),
  sortMemory: z.string().optional(),
});

const FLAGS: Record<Phase | 'rooms' | 'subscriptions', string> = {
  users: '--users',
  groups: '--groups',
  members: '--members',
  messages: '--messages',
  rooms: '--rooms',
  subscriptions: '--subscriptions',
};

export function resolveMigrateConfig(options: MigrateOptions, env: NodeJS.ProcessEnv = process.env): MigrateConfig {
  const o = schema.parse({ from: options.from, stateDir: options.stateDir, resume: options.resume, startOver: options.startOver, dryRun: options.dryRun, fileUrl: options.fileUrl, deletedUserName: options.deletedUserName, dumpDir: options.dumpDir, attachmentsDir: options.attachmentsDir, uploadsDir: options.uploadsDir, sortMemory: options.sortMemory });
  // A mongodump folder is a Rocket.Chat database: --dump-dir says the source by itself.
  const from = o.from ?? (o.dumpDir !== undefined ? 'rocketchat' : 'cometchat');
  const source = from === 'cometchat' ? 'cometchat' : from === 'rocketchat' ? 'rocketchat' : undefined;
  if (source === undefined) throw usageError('--from', 'rocketchat (a workspace export) or cometchat (a file per kind, the default)', o.from);
  const dump = dumpSettings(o, source, options);
  if (o.stateDir === undefined || o.stateDir.trim() === '') {
    throw new ChatmigrateError('CM_USAGE', 'migrate needs --state-dir DIR: where each phase keeps its checkpoint, rejects and report', { hint: 'e.g. --state-dir ./migration (created owner-only if absent)' });
  }
  if (o.resume && o.startOver) throw new ChatmigrateError('CM_USAGE', '--resume and --start-over contradict each other: give one');
  const inputs: Partial<Record<Phase, string>> = {};
  if (dump) {
    // Found in the folder when the migration starts (runMigration): nothing else to check here.
  } else if (source === 'rocketchat') {
    for (const flag of ['groups', 'members'] as const) {
      if (options[flag] !== undefined) throw new ChatmigrateError('CM_USAGE', `${FLAGS[flag]} is for CometChat-shaped files; a Rocket.Chat workspace gives --rooms and --subscriptions`, { hint: 'chatmigrate migrate --from rocketchat --users users.json --rooms rooms.json --subscriptions subscriptions.json --messages messages.json' });
    }
    for (const flag of ['users', 'rooms'] as const) {
      if (options[flag] === undefined) throw new ChatmigrateError('CM_USAGE', `migrate --from rocketchat needs ${FLAGS[flag]} FILE (the mongoexport of ${flag === 'users' ? 'users' : 'rocketchat_room'}): every phase maps ids and rooms by it`);
      if (options[flag] === '-') throw new ChatmigrateError('CM_USAGE', `${FLAGS[flag]} must be a file: it is read before the phases start`);
    }
    // The users phase reads the workspace's own tables, made from --users; groups read the rooms.
    inputs.users = options.users!;
    inputs.groups = options.rooms!;
    if (options.subscriptions !== undefined) inputs.members = options.subscriptions;
    if (options.messages !== undefined) inputs.messages = options.messages;
    if (options.messages === '-') throw new ChatmigrateError('CM_USAGE', '--messages - : a Rocket.Chat messages export is read twice (first for the senders missing from --users), so it must be a file');
  } else {
    if (options.rooms !== undefined || options.subscriptions !== undefined) {
      throw new ChatmigrateError('CM_USAGE', `${options.rooms !== undefined ? '--rooms' : '--subscriptions'} is for a Rocket.Chat workspace: add --from rocketchat`, { hint: 'CometChat-shaped files are given as --users, --groups, --members and --messages' });
    }
    for (const phase of PHASES) if (options[phase] !== undefined) inputs[phase] = options[phase];
  }
  const given = PHASES.filter((p) => inputs[p] !== undefined);
  if (given.length === 0 && !dump) throw new ChatmigrateError('CM_USAGE', 'migrate has no input: give at least one of --users, --groups, --members, --messages', { hint: 'chatmigrate migrate --help' });
  // stdin can be read once, by one phase, and only the last: the phases before it must be files.
  const stdinPhases = given.filter((p) => inputs[p] === '-');
  if (stdinPhases.length > 1 || (stdinPhases.length === 1 && stdinPhases[0] !== given[given.length - 1])) {
    throw new ChatmigrateError('CM_USAGE', `only the last phase's input may be - (stdin); got - for ${stdinPhases.map((p) => FLAGS[p]).join(', ')} and the last phase is ${given[given.length - 1]}`);
  }
  if (o.fileUrl !== undefined) {
    if (source !== 'rocketchat') throw new ChatmigrateError('CM_USAGE', '--file-url makes attachment URLs for Rocket.Chat uploads: it goes with --from rocketchat');
    checkFileUrlTemplate(o.fileUrl);
  }
  if (o.deletedUserName !== undefined && (source !== 'rocketchat' || o.deletedUserName.trim() === '')) {
    throw usageError('--deleted-user-name', source !== 'rocketchat' ? 'to go with --from rocketchat' : 'a name', o.deletedUserName);
  }
  const sortRunBytes = sortRunBytesOf(o.sortMemory, source);
  // One resolution checks the shared flags as import (or validate, for a dry run) would.
  const { from: _from, users: _u, rooms: _r, subscriptions: _s, groups: _g, members: _m, messages: _msg, stateDir: _d, resume: _re, startOver: _so, dryRun: _dr, fileUrl: _f, deletedUserName: _n, dumpDir: _dd, attachmentsDir: _ad, uploadsDir: _ud, sortMemory: _sm, ...shared } = options;
  const base = resolveConfig(o.dryRun ? 'validate' : 'import', { ...shared, input: undefined }, env);
  return Object.freeze({
    source,
    inputs,
    dump,
    rooms: source === 'rocketchat' && !dump ? options.rooms : undefined,
    stateDir: resolvePath(o.stateDir),
    resume: o.resume,
    startOver: o.startOver,
    dryRun: o.dryRun,
    fileUrl: o.fileUrl,
    deletedUserName: o.deletedUserName ?? DEFAULT_DELETED_USER_NAME,
    retentionDays: base.retentionDays ?? DEFAULT_RETENTION_DAYS,
    sortRunBytes,
    base,
  });
}

/** Smallest --sort-memory: below it the runs get so many that merging them costs more than it saves. */
const MIN_SORT_RUN_BYTES = 16 * 1024;

function sortRunBytesOf(text: string | undefined, source: 'rocketchat' | 'cometchat'): number {
  if (text === undefined) return DEFAULT_RUN_BYTES;
  if (source !== 'rocketchat') throw new ChatmigrateError('CM_USAGE', '--sort-memory sizes the time-order sort of a Rocket.Chat messages export: it goes with --from rocketchat (CometChat-shaped messages are sent in file order)');
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes < MIN_SORT_RUN_BYTES || bytes > 2 ** 32) throw usageError('--sort-memory', 'a size from 16KiB to 4GiB, e.g. 64MiB or 512MB', text);
  return bytes;
}

/** --dump-dir and its file options, checked against each other and the other inputs. */
function dumpSettings(o: { dumpDir?: string | undefined; attachmentsDir?: string | undefined; uploadsDir?: string | undefined; fileUrl?: string | undefined }, source: 'rocketchat' | 'cometchat', options: MigrateOptions): DumpSettings | undefined {
  if (o.dumpDir === undefined) {
    if (o.attachmentsDir !== undefined || o.uploadsDir !== undefined) {
      throw new ChatmigrateError('CM_USAGE', `${o.attachmentsDir !== undefined ? '--attachments-dir' : '--uploads-dir'} writes the files of a mongodump: it goes with --dump-dir`, { hint: 'mongoexport files carry no file bytes; with them, --file-url can point at files Rocket.Chat (or a copy of its storage) serves' });
    }
    return undefined;
  }
  if (source !== 'rocketchat') throw new ChatmigrateError('CM_USAGE', '--dump-dir is a Rocket.Chat database dump: it goes with --from rocketchat (or no --from)');
  const given = (['users', 'rooms', 'subscriptions', 'messages', 'groups', 'members'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 0) {
    throw new ChatmigrateError('CM_USAGE', `--dump-dir gives every collection; ${given.map((k) => FLAGS[k]).join(', ')} cannot be given with it`, { hint: 'give either --dump-dir DIR, or the mongoexport files (--users, --rooms, --subscriptions, --messages)' });
  }
  if (o.dumpDir.trim() === '') throw usageError('--dump-dir', 'a folder', o.dumpDir);
  if (o.uploadsDir !== undefined && o.attachmentsDir === undefined) throw new ChatmigrateError('CM_USAGE', '--uploads-dir is read to write the files to --attachments-dir: give --attachments-dir too');
  if (o.attachmentsDir !== undefined && o.fileUrl === undefined) {
    throw new ChatmigrateError('CM_USAGE', '--attachments-dir needs --file-url TEMPLATE: the address the folder will be served at, so that messages link to their files', { hint: "e.g. --file-url 'https://files.example.com/{fileId}/{name}' (upload DIR's contents to the storage behind it)" });
  }
  return { dir: resolvePath(o.dumpDir), attachmentsDir: o.attachmentsDir === undefined ? undefined : resolvePath(o.attachmentsDir), uploadsDir: o.uploadsDir === undefined ? undefined : resolvePath(o.uploadsDir) };
}
