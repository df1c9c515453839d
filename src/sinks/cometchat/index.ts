// CometChat member-import target: batches in, per-record outcomes out, within quota and in-flight caps.

import { setMaxListeners } from 'node:events';
import { ChatmigrateError, toChatmigrateError } from '../../errors.js';
import { createHttpPool, type HttpReply } from '../http-pool.js';
import { createInFlightLimit } from '../in-flight-limit.js';
import { createRateGovernor } from '../rate-governor.js';
import { RetryableFailure, runWithRetries, stopRetrying } from '../retry-policy.js';
import type { DeliveryCallbacks, DeliveryLogger, DeliveryStats, PendingRecord, RecordOutcome, Target } from '../sink.js';
import { classifyReply, classifyTransportError, type Classification } from './classify.js';
import { encodeMembersBody } from './encode.js';
import { checkCometChatConfig, MEMBERS_IMPORT_PATH, type CometChatTargetConfig } from './limits.js';

export type { CometChatTargetConfig } from './limits.js';

const OPERATION = `POST ${MEMBERS_IMPORT_PATH}`;
const DEFAULT_CLOSE_GRACE_MS = 5_000;

interface BatchState {
  records: PendingRecord[];
  /** 1 where records[i] has its final outcome (flags by position: no per-batch Set to fill and hash). */
  settled: Uint8Array;
  settledCount: number;
}

export function createCometChatTarget(config: CometChatTargetConfig, callbacks: DeliveryCallbacks, logger?: DeliveryLogger): Target {
  const { origin, path } = checkCometChatConfig(config);
  const headers = { apikey: config.apiKey, 'content-type': 'application/json', accept: 'application/json' };
  // Whatever a server echoes back, the key never reaches a log line, an error or the rejects file.
  const scrub = (text: string): string => (config.apiKey.length >= 4 ? text.split(config.apiKey).join('[redacted]') : text);

  const window = config.window ?? config.connections * 2;
  const pool = createHttpPool({ origin, connections: config.connections, requestTimeoutMs: config.requestTimeoutMs });
  const governor = createRateGovernor({ rpm: config.rpm, windowMs: config.rateWindowMs });
  const admission = createInFlightLimit(window);
  // One request first: a bad key then fails after exactly one request instead of `connections`.
  const requests = createInFlightLimit(1);
  const stop = new AbortController(); // stops waiting and retrying (fatal error or close)
  const abortRequests = new AbortController(); // cuts requests on the wire (close after the grace)
  // Every waiting batch, backoff and request listens on these two signals; their number is bounded
  // by the window and the connections, so raise Node's leak warning threshold to that bound.
  setMaxListeners(2 * window + 2 * config.connections + 8, stop.signal, abortRequests.signal);
  const stats: DeliveryStats = { requests: 0, retries: 0, throttled: 0, sentEntities: 0, maxInFlight: 0 };
  const active = new Set<BatchState>();
  const drainWaiters: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  let fatal: ChatmigrateError | undefined;
  let closing: ChatmigrateError | undefined;
  let closed: Promise<void> | undefined;
  let inFlight = 0;
  let throttleStreak = 0;
  let onIdle: (() => void) | undefined;

  logger?.info(
    { endpoint: origin + path, batchSize: config.batchSize, rpm: config.rpm, rateWindowMs: config.rateWindowMs, connections: config.connections },
    'cometchat target ready',
  );

  function checkDrain(): void {
    const failure = fatal ?? (closing !== undefined && active.size > 0 ? closing : undefined);
    if (failure === undefined && active.size > 0) return;
    for (const waiter of drainWaiters.splice(0)) (failure === undefined ? waiter.resolve() : waiter.reject(failure));
  }

  function setFatal(err: unknown): void {
    if (fatal !== undefined || closing !== undefined) return;
    fatal = toChatmigrateError(err);
    logger?.error({ code: fatal.code, reason: fatal.message }, 'delivery stopped');
    admission.close(fatal);
    requests.close(fatal);
    governor.close(fatal);
    stop.abort(fatal);
    checkDrain();
  }

  function settle(state: BatchState, i: number, outcome: RecordOutcome): void {
    if (state.settled[i] === 1) return;
    // Marked settled only once the callback returned: if it throws (e.g. the rejects file cannot
    // be written), the record stays in unsettled() and the error stops the run.
    callbacks.onOutcome(state.records[i]!, outcome);
    state.settled[i] = 1;
    if (++state.settledCount === state.records.length) {
      active.delete(state);
      callbacks.onBatchSettled?.(state.records);
      checkDrain();
    }
  }

  function throttleWait(hint: number | undefined): number {
    throttleStreak++;
    if (hint !== undefined) return hint;
    // No hint from the server: back off exponentially with jitter, as for any retry.
    const base = Math.min(config.retryMaxMs, config.retryMinMs * 2 ** Math.min(20, throttleStreak - 1));
    return Math.round(base * (1 + Math.random()));
  }

  /**
   * Effects that must happen before the request slot is released, so no other sender slips a
   * request in first: pause everyone on throttling, stop everyone on a fatal reply, and open the
   * single-request probe to all connections once a reply proved the key is accepted.
   */
  function react(verdict: Classification): Classification {
    if (verdict.kind === 'fatal') {
      setFatal(fatalError(verdict.errorCode, verdict.reason, verdict.message));
      return verdict;
    }
    // Entities were processed, so the key works (a 5xx or a 429 proves nothing about it).
    if (verdict.kind !== 'retry' && requests.limit === 1) requests.setLimit(config.connections);
    if ((verdict.kind === 'retry' || verdict.kind === 'partial') && verdict.throttled) {
      stats.throttled++;
      const waitMs = throttleWait(verdict.waitMs);
      governor.pauseFor(waitMs);
      logger?.warn({ waitMs, throttled: stats.throttled }, 'target throttled requests, pausing all senders');
      return { ...verdict, waitMs };
    }
    throttleStreak = 0;
    return verdict;
  }

  async function send(records: PendingRecord[]): Promise<Classification> {
    const release = await requests.acquire(stop.signal);
    try {
      // Take the socket slot first, then the rate token, so the recorded start is the real start.
      const answered = await governor.acquire(stop.signal);
      callbacks.onSend?.(records);
      stats.requests++;
      stats.sentEntities += records.length;
      inFlight++;
      if (inFlight > stats.maxInFlight) stats.maxInFlight = inFlight;
      const started = performance.now();
      let reply: HttpReply;
      try {
        reply = await pool.post(path, headers, encodeMembersBody(records), abortRequests.signal);
      } catch (err) {
        if (abortRequests.signal.aborted) throw stopRetrying(closing ?? toChatmigrateError(err));
        return react(classifyTransportError(err));
      } finally {
        answered(); // the reply time bounds when the server counted this request
        inFlight--;
        if (inFlight === 0) onIdle?.();
      }
      const verdict = react(classifyReply(reply, records.map((r) => r.key), Date.now()));
      // 401/403/429 for the whole request: nothing in it was imported (a 5xx or a lost reply may have been).
      if ((verdict.kind === 'fatal' && verdict.errorCode === 'CM_AUTH') || (verdict.kind === 'retry' && verdict.throttled)) callbacks.onRefused?.(records);
      logger?.debug({ status: reply.status, entities: records.length, verdict: verdict.kind, ms: Math.round(performance.now() - started) }, 'request settled');
      return verdict;
    } finally {
      release();
    }
  }

  async function runBatch(state: BatchState): Promise<void> {
    // Positions in state.records still to send: all of them at first (the common, only attempt).
    let remaining: number[] | undefined;
    await runWithRetries(
      async (attemptNumber) => {
        if (attemptNumber > 1) stats.retries++;
        const positions = remaining;
        const sent = positions === undefined ? state.records : positions.map((i) => state.records[i]!);
        const at = (j: number): number => (positions === undefined ? j : positions[j]!);
        const verdict = await send(sent);
        switch (verdict.kind) {
          case 'ok':
          case 'partial':
            for (let j = 0; j < sent.length; j++) {
              const outcome = verdict.outcomes.get(sent[j]!.key);
              if (outcome !== undefined) settle(state, at(j), outcome.kind === 'rejected' ? { ...outcome, message: scrub(outcome.message) } : outcome);
            }
            if (verdict.kind === 'ok') return;
            remaining = [];
            for (let i = 0; i < state.records.length; i++) if (state.settled[i] === 0) remaining.push(i);
            throw failure(verdict.reason, verdict.throttled, verdict.waitMs);
          case 'retry':
            throw failure(verdict.reason, verdict.throttled, verdict.waitMs);
          case 'rejectAll':
            for (let j = 0; j < sent.length; j++) settle(state, at(j), { kind: 'rejected', code: verdict.code, message: scrub(verdict.message) });
            return;
          case 'fatal':
            throw stopRetrying(fatal ?? fatalError(verdict.errorCode, verdict.reason, verdict.message));
        }
      },
      {
        maxRetries: config.maxRetries,
        retryMinMs: config.retryMinMs,
        retryMaxMs: config.retryMaxMs,
        maxFreeThrottles: config.maxFreeThrottles,
        operation: OPERATION,
        signal: stop.signal,
        onRetry: (info) => logger?.warn({ ...info, reason: scrub(info.reason), entities: remaining?.length ?? state.records.length }, 'request failed, will retry'),
      },
    );
  }

  function failure(reason: string, throttled: boolean, waitMs: number | undefined): RetryableFailure {
    return new RetryableFailure(scrub(reason), { throttled, waitMs });
  }

  function fatalError(code: 'CM_AUTH' | 'CM_TARGET', reason: string, message: string): ChatmigrateError {
    const detail = message === '' ? '' : ` (${scrub(message)})`;
    if (code === 'CM_AUTH') {
      return new ChatmigrateError('CM_AUTH', `CometChat refused the API key: ${OPERATION} answered ${scrub(reason)}${detail}`, {
        hint: 'use a REST API key with full access (--api-key or COMETCHAT_API_KEY) for this app and region',
      });
    }
    return new ChatmigrateError('CM_TARGET', `${OPERATION} answered ${scrub(reason)}${detail}`, {
      hint: 'check --base-url (API root including /v3) and --batch-size',
    });
  }

  // One set reused by every check: a batch's keys are hashed, but no set is allocated per batch.
  const batchKeys = new Set<string>();
  function checkBatch(batch: PendingRecord[]): void {
    if (batch.length > config.batchSize) {
      throw new ChatmigrateError('CM_INTERNAL', `a batch of ${batch.length} records exceeds batchSize ${config.batchSize}`);
    }
    batchKeys.clear();
    for (const record of batch) {
      if (batchKeys.has(record.key)) throw new ChatmigrateError('CM_INTERNAL', `a batch holds the key ${JSON.stringify(record.key)} twice`);
      batchKeys.add(record.key);
    }
    batchKeys.clear();
  }

  return {
    async submit(batch) {
      if (fatal !== undefined) throw fatal;
      if (closing !== undefined) throw closing;
      checkBatch(batch);
      if (batch.length === 0) return;
      const state: BatchState = { records: batch, settled: new Uint8Array(batch.length), settledCount: 0 };
      active.add(state); // counted as unsettled from here on, admitted or not
      let release: () => void;
      try {
        release = await admission.acquire(stop.signal);
      } catch (err) {
        throw fatal ?? closing ?? toChatmigrateError(err);
      }
      runBatch(state)
        .catch((err: unknown) => setFatal(err)) // ignored once closing: records stay in unsettled()
        .finally(() => {
          release();
          checkDrain();
        });
    },

    drain() {
      return new Promise<void>((resolve, reject) => {
        drainWaiters.push({ resolve, reject });
        checkDrain();
      });
    },

    close(graceMs = DEFAULT_CLOSE_GRACE_MS) {
      closed ??= (async () => {
        closing = fatal ?? new ChatmigrateError('CM_INTERRUPTED', 'delivery was closed before every record was settled');
        admission.close(closing);
        requests.close(closing);
        governor.close(closing);
        stop.abort(closing);
        if (inFlight > 0) {
          // Let requests on the wire finish (their outcomes are recorded) for up to graceMs.
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((resolve) => {
            onIdle = resolve;
            timer = setTimeout(resolve, graceMs);
          });
          clearTimeout(timer);
          onIdle = undefined;
        }
        abortRequests.abort(closing);
        await pool.destroy();
        checkDrain();
        logger?.info({ ...stats, unsettled: countUnsettled() }, 'cometchat target closed');
      })();
      return closed;
    },

    unsettled() {
      const out: PendingRecord[] = [];
      for (const state of active) state.records.forEach((record, i) => state.settled[i] === 0 && out.push(record));
      return out;
    },

    stats() {
      return { ...stats };
    },
  };

  function countUnsettled(): number {
    let n = 0;
    for (const state of active) n += state.records.length - state.settledCount;
    return n;
  }
}
