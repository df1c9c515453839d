// What a migration keeps in its state directory between runs: which phases are done, the inputs
// they read (so a resumed migration is the same one), the "now" every phase judges by, and where
// each phase's files are. Written atomically, owner-only.

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import { writeJsonFileAtomic } from '../accounting/write-json-file.js';
import { VERSION } from '../version.js';
import { PHASES, type MigrateConfig, type Phase } from './migrate-config.js';

export const STATE_FILE = 'migration.json';
export const REPORT_FILE = 'report.json';

/** A phase's files in the state directory. */
export function phaseFiles(dir: string, phase: Phase) {
  return {
    checkpoint: join(dir, `${phase}.checkpoint.json`),
    rejects: join(dir, `${phase}.rejects.ndjson`),
    report: join(dir, `${phase}.report.json`),
    ids: join(dir, `${phase}.ids.ndjson`),
  };
}

/** An input as the state remembers it: enough to tell another file, without reading gigabytes. */
export interface InputIdentity {
  path: string;
  bytes: number;
  /** SHA-256 of its first and last MiB (a phase's checkpoint proves its own input in full). */
  sample: string;
}

export interface MigrationState {
  chatmigrate: 'migration';
  version: 1;
  tool: string;
  source: 'rocketchat' | 'cometchat';
  target: string | null;
  nowSeconds: number;
  inputs: Partial<Record<Phase | 'rooms', InputIdentity | 'stdin'>>;
  phases: Partial<Record<Phase, 'done' | 'stopped'>>;
  /** --attachments-dir: the dump's files were all written (files.report.json, files.ids). */
  files?: 'done';
  /** The options that shape the records (absent in a state written before they were kept). */
  settings?: MigrationSettings;
}

/**
 * Options that decide what the phases send: changed in the middle, a migration would mix two
 * mappings (attachment URLs, placeholder names), or send messages whose placeholder senders the
 * users phase never created (placeholders are made for the messages --retention-days and
 * --file-url let through).
 */
export interface MigrationSettings {
  retentionDays: number;
  fileUrl: string | null;
  deletedUserName: string;
  attachmentsDir: string | null;
  uploadsDir: string | null;
}

function settingsOf(config: MigrateConfig): MigrationSettings {
  return {
    retentionDays: config.retentionDays,
    fileUrl: config.fileUrl ?? null,
    deletedUserName: config.deletedUserName,
    attachmentsDir: config.dump?.attachmentsDir ?? null,
    uploadsDir: config.dump?.uploadsDir ?? null,
  };
}

const SETTING_FLAGS: Record<keyof MigrationSettings, string> = {
  retentionDays: '--retention-days',
  fileUrl: '--file-url',
  deletedUserName: '--deleted-user-name',
  attachmentsDir: '--attachments-dir',
  uploadsDir: '--uploads-dir',
};

const SAMPLE_BYTES = 1024 * 1024;

async function identityOf(path: string, flag: string): Promise<InputIdentity | 'stdin'> {
  if (path === '-') return 'stdin';
  const absolute = resolvePath(path);
  const handle = await fs.open(absolute, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new ChatmigrateError('CM_INPUT_UNREADABLE', `cannot open ${flag} ${path}: ${err.code ?? String(err)}`, { hint: 'check the path of each phase\'s input' });
  });
  try {
    const st = await handle.stat();
    // A folder opens on Linux and fails only at the first read: say what it is instead.
    if (!st.isFile()) {
      throw new ChatmigrateError('CM_INPUT_UNREADABLE', `${flag} ${path} is ${st.isDirectory() ? 'a directory' : 'not a regular file'}: each phase reads one export file`, {
        hint: st.isDirectory() ? 'give the file itself (a mongodump folder is read with --dump-dir DIR instead of the four files)' : 'pipe it through stdin (-) for the last phase, or give a file',
      });
    }
    const size = st.size;
    const hash = createHash('sha256');
    const head = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    if (size > SAMPLE_BYTES) {
      const tail = Buffer.alloc(Math.min(SAMPLE_BYTES, size - SAMPLE_BYTES));
      await handle.read(tail, 0, tail.length, size - tail.length);
      hash.update(tail);
    }
    return { path: absolute, bytes: size, sample: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/** The flag an operator gave each input by (a dump's collections are found by --dump-dir). */
function flagOf(config: MigrateConfig, key: Phase | 'rooms'): string {
  if (config.dump) return '--dump-dir:';
  if (config.source === 'rocketchat') return key === 'groups' || key === 'rooms' ? '--rooms' : key === 'members' ? '--subscriptions' : `--${key}`;
  return `--${key}`;
}

export async function inputsOf(config: MigrateConfig): Promise<MigrationState['inputs']> {
  const out: MigrationState['inputs'] = {};
  for (const phase of PHASES) {
    const path = config.inputs[phase];
    if (path !== undefined) out[phase] = await identityOf(path, flagOf(config, phase));
  }
  if (config.rooms !== undefined) out.rooms = await identityOf(config.rooms, flagOf(config, 'rooms'));
  return out;
}

export async function loadState(dir: string): Promise<MigrationState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `cannot read ${join(dir, STATE_FILE)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const state = JSON.parse(text) as MigrationState;
    if (state.chatmigrate !== 'migration' || state.version !== 1 || typeof state.phases !== 'object') throw new Error('not a migration state');
    return state;
  } catch {
    throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `${join(dir, STATE_FILE)} is damaged (not a migration's state)`, {
      hint: 'restore it, or run again with --start-over (phases already imported then count as already present)',
    });
  }
}

export function saveState(dir: string, state: MigrationState): Promise<void> {
  return writeJsonFileAtomic(join(dir, STATE_FILE), state);
}

export function newState(config: MigrateConfig, inputs: MigrationState['inputs']): MigrationState {
  return { chatmigrate: 'migration', version: 1, tool: VERSION, source: config.source, target: config.base.baseUrl ?? null, nowSeconds: config.base.nowSeconds, inputs, phases: {}, settings: settingsOf(config) };
}

/**
 * The phases that read an input: each phase its own, and with Rocket.Chat the users and rooms
 * (the tables every phase maps by) and the messages (the users phase's placeholders).
 */
function readersOf(source: MigrationState['source'], key: Phase | 'rooms'): readonly Phase[] {
  if (source === 'cometchat') return key === 'rooms' ? PHASES : [key];
  if (key === 'users' || key === 'groups' || key === 'rooms') return PHASES;
  return key === 'messages' ? ['users', 'messages'] : [key];
}

/**
 * Refuses to go on with a state written for other inputs, another source or another target.
 * An input that changed is refused only when a finished phase read it: a phase not started reads
 * the new file from its start, and a stopped one proves from its checkpoint that the part it
 * already sent is unchanged (so a malformed line after it can be fixed, as with import --resume).
 * Returns the inputs that changed and are accepted.
 */
export function checkSameMigration(state: MigrationState, config: MigrateConfig, inputs: MigrationState['inputs'], dir: string): Array<Phase | 'rooms'> {
  const changed: Array<Phase | 'rooms'> = [];
  const differs = (what: string) =>
    new ChatmigrateError('CM_RESUME_MISMATCH', `cannot resume the migration in ${dir}: ${what}`, { hint: 'give the same inputs, target and options as the migration that was stopped, or --start-over' });
  if (state.source !== config.source) throw differs(`it read a ${state.source} export, this run reads ${config.source}`);
  if ((state.target ?? null) !== (config.base.baseUrl ?? null)) throw differs(`it was sent to ${state.target ?? 'nowhere'}, this run to ${config.base.baseUrl ?? 'nowhere'}`);
  for (const key of new Set([...Object.keys(state.inputs), ...Object.keys(inputs)]) as Set<Phase | 'rooms'>) {
    const was = state.inputs[key];
    const now = inputs[key];
    if (was === undefined || now === undefined) throw differs(`${key === 'rooms' ? '--rooms' : `the ${key} input`} ${was === undefined ? 'was not given then' : 'is missing now'}`);
    if (was === 'stdin' || now === 'stdin') {
      if (was !== now) throw differs(`the ${key} input was ${was === 'stdin' ? 'stdin' : 'a file'}, now ${now === 'stdin' ? 'stdin' : 'a file'}`);
      continue;
    }
    if (was.bytes === now.bytes && was.sample === now.sample) continue;
    const finished = readersOf(state.source, key).filter((p) => state.phases[p] === 'done');
    if (finished.length > 0) throw differs(`${now.path} is not the ${key} input it read (${was.path}, ${was.bytes} bytes), and the ${finished.join(', ')} phase${finished.length > 1 ? 's' : ''} that read it ${finished.length > 1 ? 'are' : 'is'} done`);
    changed.push(key);
  }
  if (state.settings === undefined) return changed;
  const settings = settingsOf(config);
  for (const key of Object.keys(SETTING_FLAGS) as Array<keyof MigrationSettings>) {
    const before = state.settings[key];
    const after = settings[key];
    if (before !== after) throw differs(`it ran with ${SETTING_FLAGS[key]} ${show(before)}, this run with ${show(after)}`);
  }
  return changed;
}

const show = (v: string | number | null): string => (v === null ? '(none)' : typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Removes a migration's own files from the state directory (--start-over); nothing else in it. */
export async function clearState(dir: string): Promise<void> {
  const names = new Set([STATE_FILE, REPORT_FILE, 'files.report.json', 'files.ids']);
  for (const phase of PHASES) for (const path of Object.values(phaseFiles(dir, phase))) names.add(path.slice(dir.length + 1));
  for (const name of await fs.readdir(dir)) {
    const ours = names.has(name) || PHASES.some((p) => name.startsWith(`${p}.checkpoint.json.journal.`) || name === `${p}.checkpoint.json.lock`);
    if (ours) await fs.rm(join(dir, name), { force: true });
    // The sorted messages and a decompressed chunks file: folders of the migration's own.
    if (name === 'messages-order' || name === 'files-work') await fs.rm(join(dir, name), { recursive: true, force: true });
  }
}
