// The batch delivery driver every batch sink runs on: an admission window (backpressure to the
// reader), the request session (in-flight cap, probe, rate governor, throttle pauses, one p-retry
// layer), partial settle (re-send only the failed retryable entities), drain and close with grace.
// A target supplies only its protocol (path, headers, encode, a pure classifier, scrub).

import { ChatmigrateError, toChatmigrateError } from '../errors.js';
import type { BatchProtocol, Classification } from './batch-protocol.js';
import type { HttpReply } from './http-pool.js';
import { createInFlightLimit } from './in-flight-limit.js';
import { createRequestSession } from './request-session.js';
import { RetryableFailure, stopRetrying } from './retry-policy.js';
import type { DeliveryCallbacks, DeliveryLogger, DeliveryStats, PendingRecord, RecordOutcome, Sink } from './sink.js';
import type { DeliverySettings } from './delivery-settings.js';

export interface BatchDriverOptions extends DeliverySettings {
  /** Scheme, host and port of the target. */
  origin: string;
  /** Records per request at most. */
  batchSize: number;
  /** Keep-alive sockets, and the cap on requests in flight. */
  connections: number;
  /** Batches admitted at once (in flight, waiting for a socket or backing off); default 2 x connections. */
  window?: number | undefined;
  /** Throttled attempts a batch may repeat without spending a retry; default 100. */
  maxFreeThrottles?: number | undefined;
  /**
   * Input order is delivery order: one connection, one batch admitted at a time, so the next batch
   * is never sent before the previous one is settled (messages must arrive oldest first).
   */
  ordered?: boolean | undefined;
}

const DEFAULT_CLOSE_GRACE_MS = 5_000;

interface BatchState {
  records: PendingRecord[];
  /** 1 where records[i] has its final outcome (flags by position: no per-batch Set to fill and hash). */
  settled: Uint8Array;
  settledCount: number;
}

export function createBatchDriver(protocol: BatchProtocol, options: BatchDriverOptions, callbacks: DeliveryCallbacks, logger?: DeliveryLogger): Sink {
  const { scrub } = protocol;
  const ordered = options.ordered === true;
  const connections = ordered ? 1 : options.connections;
  const window = ordered ? 1 : (options.window ?? connections * 2);
  const session = createRequestSession({
    origin: options.origin,
    connections,
    requestTimeoutMs: options.requestTimeoutMs,
    maxRetries: options.maxRetries,
    retryMinMs: options.retryMinMs,
    retryMaxMs: options.retryMaxMs,
    maxFreeThrottles: options.maxFreeThrottles,
    probe: true,
    scrub,
    checkHint: protocol.checkHint,
    logger,
    maxWaiters: 2 * window + 2 * connections + 8,
    onStop: (err) => setFatal(err),
  });
  const governor = session.createGovernor(options.rpm, options.rateWindowMs);
  const admission = createInFlightLimit(window);
  let sentEntities = 0;
  const active = new Set<BatchState>();
  const drainWaiters: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  let fatal: ChatmigrateError | undefined;
  let closing: ChatmigrateError | undefined;
  let closed: Promise<void> | undefined;

  logger?.info(
    { endpoint: options.origin + protocol.path, batchSize: options.batchSize, rpm: options.rpm, rateWindowMs: options.rateWindowMs, connections, ...(ordered ? { ordered } : {}) },
    `${protocol.name} target ready`,
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
    session.stop(fatal);
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

  /**
   * Effects that must happen before the request slot is released, so no other sender slips a
   * request in first: stop everyone on a fatal reply, pause everyone on throttling, and open the
   * single-request probe to all connections once a reply proved the key is accepted.
   */
  function react(verdict: Classification): Classification {
    if (verdict.kind === 'fatal') {
      setFatal(protocol.fatalError(verdict));
      return verdict;
    }
    // Entities were processed, so the key works (a 5xx or a 429 proves nothing about it).
    if (verdict.kind !== 'retry') session.proven();
    if ((verdict.kind === 'retry' || verdict.kind === 'partial') && verdict.throttled) {
      return { ...verdict, waitMs: session.throttled(governor, verdict.waitMs) };
    }
    return verdict;
  }

  function send(records: PendingRecord[]): Promise<Classification> {
    const request = {
      operation: protocol.operation,
      method: 'POST' as const,
      path: protocol.path,
      headers: protocol.headers,
      body: () => protocol.encode(records),
      governor,
      onWrite: () => callbacks.onSend?.(records),
      onReached: () => (sentEntities += records.length),
      // A connection that failed carried nothing: the records did not arrive, whatever onSend recorded.
      onUnsent: () => callbacks.onRefused?.(records),
    };
    return session.send(request, (exchange): Classification => {
      if (exchange.kind === 'failed') throw exchange.failure;
      const reply: HttpReply = exchange.reply;
      const verdict = react(protocol.classify(reply, records.map((r) => r.key), Date.now()));
      // 401/403/429 for the whole request: nothing in it was imported (a 5xx or a lost reply may have been).
      if ((verdict.kind === 'fatal' && verdict.errorCode === 'CM_AUTH') || (verdict.kind === 'retry' && verdict.throttled)) callbacks.onRefused?.(records);
      logger?.debug({ status: reply.status, entities: records.length, verdict: verdict.kind, ms: exchange.elapsedMs }, 'request settled');
      return verdict;
    });
  }

  async function runBatch(state: BatchState): Promise<void> {
    // Positions in state.records still to send: all of them at first (the common, only attempt).
    let remaining: number[] | undefined;
    await session.retry(
      protocol.operation,
      async () => {
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
            throw stopRetrying(fatal ?? protocol.fatalError(verdict));
        }
      },
      () => ({ entities: remaining?.length ?? state.records.length }),
    );
  }

  function failure(reason: string, throttled: boolean, waitMs: number | undefined): RetryableFailure {
    return new RetryableFailure(scrub(reason), { throttled, waitMs });
  }

  // One set reused by every check: a batch's keys are hashed, but no set is allocated per batch.
  const batchKeys = new Set<string>();
  function checkBatch(batch: PendingRecord[]): void {
    if (batch.length > options.batchSize) {
      throw new ChatmigrateError('CM_INTERNAL', `a batch of ${batch.length} records exceeds batchSize ${options.batchSize}`);
    }
    batchKeys.clear();
    for (const record of batch) {
      if (batchKeys.has(record.key)) throw new ChatmigrateError('CM_INTERNAL', `a batch holds the key ${JSON.stringify(record.key)} twice`);
      batchKeys.add(record.key);
    }
    batchKeys.clear();
  }

  function countUnsettled(): number {
    let n = 0;
    for (const state of active) n += state.records.length - state.settledCount;
    return n;
  }

  function stats(): DeliveryStats {
    return { ...session.stats(), sentEntities };
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
        release = await admission.acquire(session.signal);
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
        await session.close(closing, graceMs);
        checkDrain();
        logger?.info({ ...stats(), unsettled: countUnsettled() }, `${protocol.name} target closed`);
      })();
      return closed;
    },

    unsettled() {
      const out: PendingRecord[] = [];
      for (const state of active) state.records.forEach((record, i) => state.settled[i] === 0 && out.push(record));
      return out;
    },

    stats,
  };
}
