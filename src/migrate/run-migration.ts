// `chatmigrate migrate`, top to bottom: find a dump's collections, prepare the state directory (a
// new migration, a resumed one, or a finished one run again), write a dump's files, load a
// Rocket.Chat workspace's tables once, then run the phases users → groups → members → messages
// (Rocket.Chat messages in time order, sorted first when they are not) through the same pipeline
// as import, each with its own checkpoint, rejects and report, stopping at the first phase that
// fails or is stopped.

import { Readable } from 'node:stream';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { ChatmigrateError, toChatmigrateError } from '../errors.js';
import type { RunConfig } from '../config.js';
import { createPrivateDir } from '../accounting/output-paths.js';
import { acquireCheckpointLock } from '../accounting/checkpoint-lock.js';
import type { Report } from '../accounting/report.js';
import { writeFileAtomic, writeJsonFileAtomic } from '../accounting/write-json-file.js';
import type { Log } from '../log.js';
import { checkUploadsDir, locateDumpDir, type DumpFiles } from '../mongodump/dump-dir.js';
import { createFileIdSet } from '../mongodump/file-id-set.js';
import { orderMessages, removeTimeOrder, type TimeOrder } from '../mongodump/time-order.js';
import { writeUploadFiles } from '../mongodump/upload-files.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { runPipeline } from '../pipeline.js';
import type { RecordMapper } from '../sources/mapped-record.js';
import { createWorkspaceMappers, loadRocketChatWorkspace, usersPhaseInput, type WorkspaceMappers } from '../sources/rocketchat/index.js';
import { PHASES, type MigrateConfig, type Phase } from './migrate-config.js';
import { buildMigrationReport, type MigrationFiles, type MigrationReport } from './migration-report.js';
import { checkSameMigration, clearState, inputsOf, loadState, newState, phaseFiles, REPORT_FILE, saveState, STATE_FILE, type MigrationState } from './migration-state.js';

export interface MigrationDeps {
  logger?: Logger;
  signal?: AbortSignal;
  stderr?: NodeJS.WriteStream;
  /** Replaces process.stdin for the one phase whose input is '-'. */
  stdin?: Readable;
}

const DAY_SECONDS = 86_400;

export async function runMigration(config: MigrateConfig, deps: MigrationDeps = {}): Promise<MigrationReport> {
  const startedAt = new Date();
  const log = deps.logger ?? silentLogger();
  createPrivateDir(config.stateDir, log, '--state-dir');
  // A dry run keeps its files apart: it must not touch the real migration's state.
  const dir = config.dryRun ? join(config.stateDir, 'dry-run') : config.stateDir;
  createPrivateDir(dir, log, '--state-dir');
  // One run per state directory: between two phases no checkpoint is locked, and a second run
  // would start the next phase beside the first, or write its stale migration.json over it.
  const lock = acquireCheckpointLock(join(dir, STATE_FILE), `--state-dir ${dir}`);
  try {
    return await migrate(config, dir, startedAt, log, deps);
  } finally {
    lock.release();
  }
}

const MIGRATE_ROCKETCHAT_ADVICE = 'migrate a Rocket.Chat workspace with --from rocketchat --users FILE --rooms FILE --subscriptions FILE --messages FILE (or --dump-dir DIR)';
const RESUME_HINT = 'run the same command again with --resume: finished phases are not run again';

async function migrate(config: MigrateConfig, dir: string, startedAt: Date, log: Log, deps: MigrationDeps): Promise<MigrationReport> {
  const dump = config.dump ? await locateDumpDir(config.dump.dir) : undefined;
  if (dump) config = withDumpInputs(config, dump, log);
  // Before anything is sent, in a dry run too: a wrong path would lose every FileSystem upload.
  if (config.dump?.uploadsDir !== undefined) await checkUploadsDir(config.dump.uploadsDir);
  const state = await prepareState(config, dir, log);
  if (state === 'finished') {
    log.warn({ stateDir: dir }, 'migrate: this migration has finished; nothing is run again (--start-over runs it again)');
    return { ...(JSON.parse(readFileSync(join(dir, REPORT_FILE), 'utf8')) as MigrationReport), alreadyFinished: true };
  }

  const phases: Partial<Record<Phase, Report>> = {};
  let timeOrderSeen: MigrationReport['timeOrder'];
  let placeholders: MigrationReport['placeholders'];
  let mappers: WorkspaceMappers | undefined;
  let workspaceUsers: (() => Readable) | undefined;
  let stopped: ChatmigrateError | undefined;
  // Files first: the messages mapping (and the placeholder pre-pass) leave out files not written.
  const files = dump && config.dump?.attachmentsDir ? await dumpFiles(config, dump, dir, state, log, deps.signal) : undefined;
  const fileAvailable = files?.available ? { fileAvailable: files.available } : {};
  if (config.source === 'rocketchat') {
    const retention = config.retentionDays;
    const loaded = await loadRocketChatWorkspace(
      { users: config.inputs.users!, rooms: config.rooms!, ...(config.inputs.messages ? { messages: config.inputs.messages } : {}), skipMalformedMessages: config.base.onMalformed === 'skip' },
      { ...(config.fileUrl ? { fileUrl: config.fileUrl } : {}), ...fileAvailable, ...(retention > 0 ? { sentAfter: state.nowSeconds - retention * DAY_SECONDS } : {}) },
      log,
    );
    placeholders = { users: loaded.placeholders.users, messages: loaded.placeholders.placeholderMessages };
    mappers = createWorkspaceMappers(loaded.tables, { nowSeconds: state.nowSeconds, ...(config.fileUrl ? { fileUrl: config.fileUrl } : {}), ...fileAvailable, deletedUserName: config.deletedUserName });
    // The users phase reads the tables' own records (no `services`), the same bytes every time.
    workspaceUsers = () => Readable.from(usersPhaseInput(loaded.tables));
  }

  for (const phase of PHASES) {
    const input = config.inputs[phase];
    if (input === undefined) continue;
    const files = phaseFiles(dir, phase);
    if (state.phases[phase] === 'done' && existsSync(files.report)) {
      phases[phase] = JSON.parse(readFileSync(files.report, 'utf8')) as Report;
      log.info({ phase }, 'migrate: phase already done, not run again');
      continue;
    }
    // A stop while the workspace loaded or between phases: the next phase is not started (it
    // would read nothing and report an empty input).
    if (deps.signal?.aborted) {
      stopped = new ChatmigrateError('CM_INTERRUPTED', `stopped by a signal before the ${phase} phase started`, { hint: RESUME_HINT });
      break;
    }
    const fromTables = phase === 'users' && workspaceUsers !== undefined;
    // Rocket.Chat messages go oldest first: from the sorted runs when the export is not in order.
    let ordered: TimeOrder | undefined;
    try {
      ordered = phase === 'messages' && config.source === 'rocketchat' ? await timeOrder(input, dir, config.sortRunBytes, log, deps.signal) : undefined;
    } catch (err) {
      // Stopped while sorting: the phases done so far still get their summary and report.
      if (!(err instanceof ChatmigrateError && err.code === 'CM_INTERRUPTED')) throw err;
      stopped = err;
      break;
    }
    if (ordered) timeOrderSeen = { inOrder: ordered.inOrder, records: ordered.records, runs: ordered.runs };
    const fromSort = ordered?.stream !== undefined;
    const runConfig = phaseConfig(config, phase, fromTables || fromSort ? '-' : input, files, state, existsSync(files.checkpoint));
    log.info({ phase, input: fromTables ? `${input} (the workspace's users)` : fromSort ? `${input} (in time order)` : input, resume: runConfig.resume }, 'migrate: phase started');
    const mapper: RecordMapper | undefined = mappers?.[phase];
    const report = await runPipeline(runConfig, {
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.stderr ? { stderr: deps.stderr } : {}),
      ...(mapper ? { mapper } : {}),
      ...(fromTables
        ? { stdin: workspaceUsers!(), inputName: `${input} (its users as loaded)` }
        : fromSort
          ? { stdin: Readable.from(ordered!.stream!()), inputName: `${input} (in time order)`, inputBytes: ordered!.bytes }
          : input === '-' && deps.stdin
            ? { stdin: deps.stdin }
            : {}),
      label: `migrate ${phase}`,
      // "CometChat-shaped" files that are mongoexport files: migrate's own flags say how (mapped
      // Rocket.Chat records never look like an export: the hint is only for the files mode).
      rocketchatAdvice: MIGRATE_ROCKETCHAT_ADVICE,
    });
    phases[phase] = report;
    await writeJsonFileAtomic(files.report, report);
    const finished = report.exitCode === 0 || report.exitCode === 3;
    state.phases[phase] = finished ? 'done' : 'stopped';
    if (!config.dryRun) await saveState(dir, state);
    // The sorted runs are kept until the phase that reads them is done: a resume reads the same bytes.
    if (ordered && finished) await removeTimeOrder(orderDir(dir));
    // A later phase needs what this one brings (its users, its groups): nothing runs after a stop.
    if (!finished) break;
  }
  const report = buildMigrationReport({ ...config, stateDir: dir }, phases, startedAt, placeholders, {
    ...(files ? { files: files.report } : {}),
    ...(timeOrderSeen ? { timeOrder: timeOrderSeen } : {}),
  }, stopped);
  await writeJsonFileAtomic(join(dir, REPORT_FILE), report).catch((err: unknown) => {
    throw new ChatmigrateError('CM_OUTPUT', `cannot write ${join(dir, REPORT_FILE)}: ${toChatmigrateError(err).message}`);
  });
  return report;
}

/** A new migration, a resumed one, or (without --resume) a finished one run again: 'finished'. */
async function prepareState(config: MigrateConfig, dir: string, log: Log): Promise<MigrationState | 'finished'> {
  const inputs = await inputsOf(config);
  if (config.dryRun) return newState(config, inputs);
  if (config.startOver) await clearState(dir);
  const state = config.startOver ? undefined : await loadState(dir);
  if (state === undefined) {
    if (config.resume) throw new ChatmigrateError('CM_USAGE', `--resume: there is no migration to resume in ${dir}`, { hint: 'check --state-dir, or run without --resume to start one' });
    const fresh = newState(config, inputs);
    await saveState(dir, fresh);
    return fresh;
  }
  const changed = checkSameMigration(state, config, inputs, dir);
  const given = PHASES.filter((p) => config.inputs[p] !== undefined);
  if (given.every((p) => state.phases[p] === 'done') && existsSync(join(dir, REPORT_FILE))) return 'finished';
  if (!config.resume) {
    const next = given.find((p) => state.phases[p] !== 'done');
    throw new ChatmigrateError('CM_USAGE', `${dir} holds a migration that has not finished (the ${next} phase is next)`, {
      hint: 'add --resume to continue it, or --start-over to begin again (records already imported then count as already present)',
    });
  }
  if (changed.length > 0) {
    log.warn({ inputs: changed }, 'inputs changed since the migration stopped, read by phases not finished: they are read as they are now (a stopped phase checks against its checkpoint that what it sent is unchanged)');
    for (const key of changed) state.inputs[key] = inputs[key];
    await saveState(dir, state);
  }
  return state;
}

/** One phase's run: the shared settings, with its input, kind and files. */
function phaseConfig(config: MigrateConfig, phase: Phase, input: string, files: ReturnType<typeof phaseFiles>, state: MigrationState, hasCheckpoint: boolean): RunConfig {
  const importing = !config.dryRun;
  return Object.freeze({
    ...config.base,
    command: importing ? 'import' : 'validate',
    input,
    kind: phase,
    // A Rocket.Chat export is mongoexport: one document per line or a --jsonArray.
    from: config.source === 'rocketchat' ? 'rocketchat' : config.base.from,
    rooms: undefined,
    users: undefined,
    rejects: files.rejects,
    report: undefined,
    checkpoint: importing ? files.checkpoint : undefined,
    resume: importing && hasCheckpoint,
    startOver: false,
    ids: importing && phase === 'messages' ? files.ids : undefined,
    retentionDays: phase === 'messages' ? config.retentionDays : undefined,
    shard: undefined,
    json: false,
    // Every phase, and every resumption, judges times against the same "now".
    nowSeconds: state.nowSeconds,
    nowFromClock: false,
  });
}

/** The dump's collection files as the phases' inputs (--dump-dir). */
function withDumpInputs(config: MigrateConfig, dump: DumpFiles, log: Log): MigrateConfig {
  if (dump.messages === undefined) log.warn({ dumpDir: dump.dir }, 'the dump has no rocketchat_message collection: no messages phase');
  if (config.dump?.attachmentsDir !== undefined && dump.uploads === undefined) log.warn({ dumpDir: dump.dir }, 'the dump has no rocketchat_uploads collection: there are no files to write');
  const inputs: MigrateConfig['inputs'] = { users: dump.users, groups: dump.rooms, members: dump.subscriptions, ...(dump.messages ? { messages: dump.messages } : {}) };
  return Object.freeze({ ...config, inputs, rooms: dump.rooms });
}

const orderDir = (dir: string): string => join(dir, 'messages-order');

/** The messages in (ts, _id) order: the file itself when it is, else sorted runs under the state directory. */
async function timeOrder(input: string, dir: string, runBytes: number, log: Log, signal: AbortSignal | undefined): Promise<TimeOrder> {
  return orderMessages({ input, dir: orderDir(dir), runBytes, log, ...(signal ? { signal } : {}) });
}

interface DumpFilesOutcome {
  report: MigrationFiles;
  /** Which uploads are in the attachments folder; undefined in a dry run (nothing written: all assumed there). */
  available: ((fileId: string) => boolean) | undefined;
}

const FILES_REPORT = 'files.report.json';
const FILES_IDS = 'files.ids';

/**
 * Writes the dump's uploads to --attachments-dir, once: a resumed migration reads the list of
 * files it wrote instead of reading the chunks again. A dry run writes nothing.
 */
async function dumpFiles(config: MigrateConfig, dump: DumpFiles, dir: string, state: MigrationState, log: Log, signal: AbortSignal | undefined): Promise<DumpFilesOutcome | undefined> {
  const outDir = config.dump!.attachmentsDir!;
  if (dump.uploads === undefined) return undefined;
  if (config.dryRun) return { report: { dryRun: true, attachmentsDir: outDir }, available: undefined };
  const reportPath = join(dir, FILES_REPORT);
  const idsPath = join(dir, FILES_IDS);
  if (state.files === 'done' && existsSync(reportPath) && existsSync(idsPath)) {
    const set = createFileIdSet();
    for (const line of readFileSync(idsPath, 'utf8').split('\n')) if (line !== '') set.add(line);
    log.info({ attachmentsDir: outDir }, 'migrate: the files were written by an earlier run');
    return { report: JSON.parse(readFileSync(reportPath, 'utf8')) as MigrationFiles, available: set.seal().has };
  }
  const ids: string[] = [];
  log.info({ attachmentsDir: outDir, uploads: dump.uploads, chunks: dump.chunks ?? null }, 'migrate: writing the files of the dump');
  const r = await writeUploadFiles({
    uploads: dump.uploads,
    chunks: dump.chunks,
    uploadsDir: config.dump!.uploadsDir,
    outDir,
    workDir: join(dir, 'files-work'),
    log,
    onAvailable: (id) => void ids.push(id),
    ...(signal ? { signal } : {}),
  });
  const { files, ...counts } = r;
  const report: MigrationFiles = { attachmentsDir: outDir, ...counts };
  await writeFileAtomic(idsPath, ids.length === 0 ? '' : ids.join('\n') + '\n');
  await writeJsonFileAtomic(reportPath, report);
  state.files = 'done';
  await saveState(dir, state);
  return { report, available: files.has.bind(files) };
}
