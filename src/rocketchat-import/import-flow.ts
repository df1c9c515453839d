// `chatmigrate import --to rocketchat`, top to bottom: read the selection (INPUT streamed, or the
// server's getImportFileData polled while it is "waiting"), judge and spool it, POST startImport
// (array form, then the short form once if refused with invalid-params), poll getImportProgress
// to importer_done / importer_import_failed, and report. `validate --to rocketchat` (dryRun) stops
// after judging the selection: the same counts, nothing sent.

import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChatmigrateError, toChatmigrateError } from '../errors.js';
import type { DeliveryLogger } from '../sinks/sink.js';
import { openInputPath } from '../sources/open-input.js';
import { createRocketChatClient, type RocketChatClient } from '../sinks/rocketchat/client.js';
import type { RocketChatImportConfig } from './config.js';
import { STEP_CANCELLED, STEP_DONE, STEP_FAILED } from '../sinks/rocketchat/limits.js';
import { alreadyRunningError, currentImportState, isRunning, startedAlreadyCheck, type ImportState } from './import-state.js';
import { statusLine } from '../observability/status-line.js';
import { buildRocketChatReport, type RocketChatReport, type RocketChatRunStatus } from './report.js';
import { createSelector, type Selector } from './selection.js';
import { readSelection } from './selection-reader.js';
import type { SelectionHandlers, SelectionKind } from './selection-walker.js';
import { createSelectionSpool, type SelectionSpool } from './spool.js';
import { guardRunFiles, rocketChatFiles } from '../accounting/output-paths.js';

export interface RocketChatImportDeps {
  logger?: DeliveryLogger;
  signal?: AbortSignal;
  /** Replaces process.stdin for INPUT '-' (tests, library callers). */
  stdin?: Readable;
  /** Where the progress line is drawn when enabled (default process.stderr). */
  progressStream?: NodeJS.WriteStream;
  /** Temp directory for the spooled selection (default os.tmpdir()). */
  tmpDir?: string;
}

/** The spool of a dry run: entries are judged and counted, never kept. */
const DISCARD: SelectionSpool = {
  entry() {},
  selectedId() {},
  finish() {},
  arrayBody: () => { throw new Error('a dry run builds no body'); },
  shortBody: () => { throw new Error('a dry run builds no body'); },
  dispose() {},
};

const SERVER_REPLY = { name: 'getImportFileData reply', fromServer: true };


/** Invalid entries named one by one in the log (kind, index, why); the counts cover the rest. */
const INVALID_LOGGED = 20;

interface ReadState {
  /** Lists seen in the document, and their form. */
  forms: Partial<Record<SelectionKind, 'array' | 'short' | 'other'>>;
  invalidLogged: number;
}

function handlersFor(
  selector: Selector,
  spool: SelectionSpool,
  signal: AbortSignal | undefined,
  state: ReadState,
  where: { name: string; fromServer: boolean },
  logger: DeliveryLogger | undefined,
  onTopLevel?: (key: string, value: unknown) => void,
): SelectionHandlers {
  return {
    entry(kind, value) {
      // A signal stops a long read at once (it would otherwise finish millions of entries first).
      if (signal?.aborted === true) throw new ChatmigrateError('CM_INTERRUPTED', 'stopped by a signal while reading the selection');
      const v = selector.judge(kind, value);
      if (v.kind === 'selected') {
        spool.entry(kind, v.json);
        spool.selectedId(kind, v.id);
      } else if (v.kind === 'skipped') {
        // Array form: a skipped entry is sent with do_import false, as the server's own UI does.
        spool.entry(kind, v.json);
      } else if (v.kind === 'invalid' && state.invalidLogged++ < INVALID_LOGGED) {
        // Nothing is dropped silently: say which entry and why (never its content).
        const field = kind === 'users' ? 'user_id' : 'channel_id';
        const why = typeof value !== 'object' || value === null || Array.isArray(value) ? 'not an object' : `no ${field} (a non-empty string)`;
        logger?.warn({ kind, index: selector.counts(kind).read - 1, reason: why }, 'rocketchat selection entry is invalid: not imported');
      }
    },
    form(kind, form) {
      state.forms[kind] = form;
      // A short-form list carries ids only: nothing to judge by the rules, nothing to build the
      // documented array form from. Refuse it rather than start an import that selects nothing.
      if (form !== 'array') {
        const what = form === 'short' ? 'is in the short form ({"all", "list"}), which holds ids only' : 'is not a list';
        throw new ChatmigrateError(where.fromServer ? 'CM_TARGET' : 'CM_INPUT_FORMAT', `${where.name}: "${kind}" ${what}`, {
          hint: where.fromServer
            ? 'this server answers getImportFileData in an unknown shape: pass the selection as INPUT instead'
            : 'give the array form: {"input": {"users": [{"user_id", ...}], "channels": [{"channel_id", ...}]}} or getImportFileData\'s {"users": [...], "channels": [...]}',
        });
      }
    },
    ...(onTopLevel === undefined ? {} : { topLevel: onTopLevel }),
  };
}

/** A document without either list is not a selection (a typo'd key must not start an empty import). */
function requireLists(state: ReadState, where: { name: string; fromServer: boolean }): void {
  if (state.forms.users !== undefined || state.forms.channels !== undefined) return;
  throw new ChatmigrateError(where.fromServer ? 'CM_TARGET' : 'CM_INPUT_FORMAT', `${where.name} holds neither a "users" nor a "channels" list`, {
    hint: where.fromServer
      ? 'the server answered getImportFileData without a selection: check the import in Administration → Import, or pass the selection as INPUT'
      : 'give {"input": {"users": [...], "channels": [...]}} (the startImport body) or {"users": [...], "channels": [...]} (what getImportFileData answers)',
  });
}

export async function runRocketChatImport(config: RocketChatImportConfig, deps: RocketChatImportDeps = {}): Promise<RocketChatReport> {
  const { logger, signal } = deps;
  // Before anything is read or written: no output is the input (through any link), each can be written.
  await guardRunFiles(rocketChatFiles(config, deps.stdin === undefined || deps.stdin === process.stdin), logger);
  const started = Date.now();
  const deadline = started + config.importTimeoutMs;
  const selector = createSelector(config.rules);
  const source: 'file' | 'stdin' | 'server' = config.input === undefined ? 'server' : config.input === '-' ? 'stdin' : 'file';
  const input = { name: config.input === undefined ? 'getImportFileData' : config.input === '-' ? 'stdin' : config.input, source, bytes: 0 };
  const stream = deps.progressStream ?? process.stderr;
  const showProgress = config.progress ?? stream.isTTY === true;
  let form: 'array' | 'short' | null = null;
  let fellBack = false;
  let startImportSent = false;
  let state: ImportState | null = null;
  let status: RocketChatRunStatus = 'ok';
  let error: ChatmigrateError | undefined;
  let spool: SelectionSpool | undefined;
  let client: RocketChatClient | undefined;
  const readState: ReadState = { forms: {}, invalidLogged: 0 };

  const wait = async (ms: number, what: string): Promise<void> => {
    if (Date.now() + ms > deadline) {
      throw new ChatmigrateError('CM_TARGET', `gave up after ${Math.round(config.importTimeoutMs / 1000)} s waiting for ${what}`, {
        hint: 'raise --import-timeout-ms, or follow the import in Administration → Import',
      });
    }
    await sleep(ms, undefined, signal === undefined ? {} : { signal });
  };

  try {
    // A dry run judges and counts only: no temp files, no connection.
    spool = config.dryRun ? DISCARD : createSelectionSpool(deps.tmpDir);
    if (!config.dryRun) client = createRocketChatClient({ ...config, ...(signal === undefined ? {} : { signal }), ...(logger === undefined ? {} : { logger }) });

    // 1. The selection.
    if (config.input !== undefined) {
      const opened = await openInputPath(config.input, deps.stdin);
      const where = { name: opened.name, fromServer: false };
      const read = await readSelection(opened.chunks, handlersFor(selector, spool, signal, readState, where, logger), opened.name);
      input.bytes = read.bytes;
      requireLists(readState, where);
    } else {
      for (;;) {
        let waiting = false;
        let failed: unknown;
        let errorText: unknown;
        const s = spool;
        const result = await (client as RocketChatClient).call('getImportFileData', undefined, async (chunks) => {
          const read = await readSelection(chunks, handlersFor(selector, s, signal, readState, SERVER_REPLY, logger, (key, value) => {
            if (key === 'waiting' && value === true) waiting = true;
            if (key === 'success' && value === false) failed = true;
            if (key === 'error') errorText = value;
          }), 'getImportFileData reply');
          // A 200 that says it failed must not pass for an empty selection.
          if (failed === true) throw new ChatmigrateError('CM_TARGET', `getImportFileData failed: ${typeof errorText === 'string' ? errorText : 'success: false'}`);
          if (!waiting) requireLists(readState, SERVER_REPLY);
          return read;
        });
        if (result.kind === 'ok' && result.consumed !== undefined) input.bytes += result.consumed.bytes;
        if (!waiting) break;
        logger?.info({ pollIntervalMs: config.pollIntervalMs }, 'rocketchat import file still being prepared');
        await wait(config.pollIntervalMs, 'getImportFileData to stop answering "waiting"');
      }
    }
    spool.finish();
    const users = selector.counts('users');
    const channels = selector.counts('channels');
    logger?.info({ users: users.selected, channels: channels.selected, source }, 'rocketchat selection read');
    if (users.selected + channels.selected === 0) logger?.warn({ users: users.read, channels: channels.read }, config.dryRun ? 'rocketchat selection is empty' : 'rocketchat selection is empty: the import will bring nothing');

    if (!config.dryRun) {
      const api = client as RocketChatClient;
      // 2. startImport, never twice: not beside an import already running, nor again after a lost reply.
      const before = await currentImportState(api);
      if (isRunning(before)) {
        state = before;
        throw alreadyRunningError(before);
      }
      const startedAlready = startedAlreadyCheck(api, before, logger);
      // The documented array form, then the short form once.
      startImportSent = true;
      const first = await api.call('startImport', spool.arrayBody(), undefined, startedAlready);
      if (first.kind === 'ok') {
        form = 'array';
      } else {
        logger?.warn({ message: first.message }, 'rocketchat startImport refused the array form; retrying once in the short form');
        fellBack = true;
        // all: true only when the server's own list was taken whole; a given INPUT may be a subset.
        const whole = (k: SelectionKind) => source === 'server' && selector.counts(k).selected === selector.counts(k).read;
        const second = await api.call('startImport', spool.shortBody({ users: whole('users'), channels: whole('channels') }), undefined, startedAlready);
        if (second.kind !== 'ok') {
          throw new ChatmigrateError('CM_TARGET', `startImport refused both body forms (array: ${first.message}; short: ${second.message})`, {
            hint: 'this server version may expect another startImport body; please report it with the server version',
          });
        }
        form = 'short';
      }
      logger?.info({ form }, 'rocketchat startImport accepted');

      // 3. Progress until a final step.
      for (;;) {
        const next = await currentImportState(api);
        if (next === undefined) throw new ChatmigrateError('CM_TARGET', 'getImportProgress answered without a step');
        state = next;
        if (showProgress) {
          stream.write(`\rrocketchat import: ${state.step}  ${state.count.completed}/${state.count.total}${state.count.error > 0 ? `  ${state.count.error} errors` : ''}\x1b[K`);
          // A log line written before the next poll clears the line first instead of running into it.
          statusLine.set(() => {
            stream.write('\r\x1b[K');
            statusLine.set(undefined);
          });
        }
        if (state.step === STEP_DONE) break;
        if (state.step === STEP_FAILED || state.step === STEP_CANCELLED) {
          const what = state.step === STEP_FAILED ? 'failed' : 'was cancelled';
          throw new ChatmigrateError('CM_TARGET', `the Rocket.Chat import ${what} on the server (${state.step}; ${state.count.completed}/${state.count.total} completed, ${state.count.error} errors)`, {
            hint: 'see the server log and Administration → Import for the cause',
          });
        }
        await wait(config.pollIntervalMs, `the import to finish (last step ${state.step})`);
      }
    }
  } catch (err) {
    if (signal?.aborted) {
      status = 'interrupted';
      error = new ChatmigrateError('CM_INTERRUPTED', 'stopped by a signal');
    } else {
      status = 'failed';
      error = toChatmigrateError(err);
    }
  } finally {
    if (showProgress) statusLine.clear();
    await client?.close().catch(() => undefined);
    spool?.dispose();
  }
  const finished = Date.now();
  const stats = client?.stats() ?? { requests: 0, retries: 0, throttled: 0 };
  return buildRocketChatReport({
    command: config.dryRun ? 'validate' : 'import',
    input,
    selection: { users: { ...selector.counts('users') }, channels: { ...selector.counts('channels') }, dedupeIndexBytes: selector.indexBytes() },
    startImportSent,
    form,
    fellBack,
    import: state,
    requests: stats.requests,
    retries: stats.retries,
    throttled: stats.throttled,
    durationMs: finished - started,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    status,
    ...(error === undefined ? {} : { error: { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) } }),
  });
}
