// What getImportProgress says, and the rule built on it that startImport never runs twice: not
// beside an import already running (a stopped run leaves its import running on the server), and
// not again after an attempt whose answer was lost but which started the import.

import { ChatmigrateError } from '../errors.js';
import type { DeliveryLogger } from '../sinks/sink.js';
import type { CallResult, RocketChatClient } from '../sinks/rocketchat/client.js';
import { isFinalStep, isStartedStep } from '../sinks/rocketchat/limits.js';

export type ImportState = { step: string; count: { total: number; completed: number; error: number } };

export function readImportState(body: Record<string, unknown> | undefined): ImportState | undefined {
  if (body === undefined || typeof body['step'] !== 'string') return undefined;
  const c = (typeof body['count'] === 'object' && body['count'] !== null ? body['count'] : {}) as Record<string, unknown>;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { step: body['step'], count: { total: n(c['total']), completed: n(c['completed']), error: n(c['error']) } };
}

export async function currentImportState(api: RocketChatClient): Promise<ImportState | undefined> {
  const res = await api.call('getImportProgress');
  return res.kind === 'ok' ? readImportState(res.body) : undefined;
}

/** An import started and not yet at a final step. */
export function isRunning(state: ImportState | undefined): state is ImportState {
  return state !== undefined && isStartedStep(state.step) && !isFinalStep(state.step);
}

export function alreadyRunningError(state: ImportState): ChatmigrateError {
  return new ChatmigrateError('CM_TARGET', `an import is already running on the server (${state.step}, ${state.count.completed}/${state.count.total} completed): not starting a second one`, {
    hint: 'a stopped run leaves its import running: follow it in Administration → Import, or cancel it there, then run again if needed',
  });
}

/**
 * The check before startImport is sent again after an attempt that got no answer (connection
 * lost, timeout, 5xx): if that attempt started the import, sending it again would start a second
 * one. Nothing was running just before our first attempt (`before`), so a started step that
 * differs from it means the lost attempt was accepted: the call counts as answered. When the
 * server still shows exactly an earlier import's final state, the lost attempt may have run to
 * that same end: that cannot be told apart, so the run stops rather than risk a second import.
 */
export function startedAlreadyCheck(api: RocketChatClient, before: ImportState | undefined, logger: DeliveryLogger | undefined): () => Promise<CallResult<undefined> | undefined> {
  return async () => {
    const now = await currentImportState(api);
    if (now === undefined || !isStartedStep(now.step)) return undefined;
    if (before !== undefined && sameState(now, before)) {
      throw new ChatmigrateError('CM_TARGET', `startImport got no answer, and the server still shows the state it showed before (${now.step}, ${now.count.completed}/${now.count.total}): whether it started an import cannot be told`, {
        hint: 'look at Administration → Import: if no new import ran, run the same command again',
      });
    }
    logger?.warn({ step: now.step }, 'rocketchat startImport got no answer, but the import is running: not sending it again');
    return { kind: 'ok', body: undefined, consumed: undefined };
  };
}

function sameState(a: ImportState, b: ImportState): boolean {
  return a.step === b.step && a.count.total === b.count.total && a.count.completed === b.count.completed && a.count.error === b.count.error;
}
