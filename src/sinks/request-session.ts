// One target's request layer, shared by every sink: the keep-alive pool, the cap on requests in
// flight before it (one at a time until a reply proves the credentials), rate budgets and throttle
// pauses, the one retry layer, and reachability (a target never answered stops within seconds).
// One file because all of these act on the same request while it holds its in-flight slot.

import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChatmigrateError, toChatmigrateError } from '../errors.js';
import { createHttpPool, TransportError, type HttpReply, type HttpStreamReply, type RequestBody } from './http-pool.js';
import { createInFlightLimit } from './in-flight-limit.js';
import { createRateGovernor, type RateGovernor } from './rate-governor.js';
import { readSpentBudgetWaitMs } from './rate-hints.js';
import { RetryableFailure, runWithRetries, stopRetrying } from './retry-policy.js';
import type { DeliveryLogger } from './sink.js';
import { createReachability } from './reachability.js';
import { describeTransportFailure, hostAndPort } from './transport-errors.js';
/** Consecutive throttles after which throttling is worth a warning (then again at each doubling). */
const THROTTLE_WARN_STREAK = 5;

export interface RequestSessionOptions {
  /** Scheme, host and port of the target. */
  origin: string;
  /** Keep-alive sockets, and the cap on requests in flight. */
  connections: number;
  requestTimeoutMs: number;
  maxRetries: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** Throttled attempts one operation may repeat without spending a retry; default 100. */
  maxFreeThrottles?: number | undefined;
  /** One request at a time until proven(): a bad key then costs one request, not `connections`. */
  probe?: boolean;
  /** Removes credentials from text shown to people. */
  scrub(text: string): string;
  /** What to check when the target cannot be reached or a request cannot be formed (names the flags). */
  checkHint: string;
  /** Aborting it stops everything at once, requests on the wire included (SIGINT in a library caller). */
  signal?: AbortSignal | undefined;
  logger?: DeliveryLogger | undefined;
  /** Upper bound of callers waiting on the session at once (for Node's listener-leak warning). */
  maxWaiters?: number;
  /** The session stopped itself (target unreachable, request unformable): called before any other request can start. */
  onStop?(err: ChatmigrateError): void;
}

export interface SessionStats {
  /** Requests that reached the server: a reply, or a failure after the request was written. */
  requests: number;
  /** Retries after a request that reached the server. */
  retries: number;
  /** Replies that said "too many requests". */
  throttled: number;
  /** Attempts whose connection failed (refused, DNS, connect timeout): nothing was sent. */
  connectFailures: number;
  /** Highest number of requests in flight at once. */
  maxInFlight: number;
}

export interface SendRequest {
  /** What the request does, for messages, e.g. "POST /data_import/members". */
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Readonly<Record<string, string>>;
  /** The body, or a function that builds it just before the request is written. */
  body?: RequestBody | (() => RequestBody) | undefined;
  /** The rate budget this request draws from. */
  governor: RateGovernor;
  /** Called synchronously just before the request is written (the delivery journal's hook). */
  onWrite?(): void;
  /** It went onto a connected socket: it counts as a request from here on. */
  onReached?(): void;
  /** Its connection failed: nothing was written (called whatever happens next, a stop included). */
  onUnsent?(): void;
}

/** What came of one request: a reply, or a retryable failure that says whether the server saw anything. */
export type Exchange<R> = { kind: 'reply'; reply: R; elapsedMs: number } | { kind: 'failed'; failure: RetryableFailure };

export interface RequestSession {
  /** A rate budget of this session (closed with it); Rocket.Chat has one per endpoint. */
  createGovernor(rpm: number, windowMs: number): RateGovernor;
  /**
   * One request: waits for an in-flight slot and a rate token, writes it, and hands what came of it to
   * `handle` while the slot is still held, so effects decided there (pause everyone, stop everyone)
   * happen before any other request can start. Stops that must end every attempt (the target was
   * never reached after a few tries, the request cannot be formed, closing) throw a stopRetrying error.
   */
  send<T>(request: SendRequest, handle: (exchange: Exchange<HttpReply>) => T | Promise<T>): Promise<T>;
  /** As send, but a reply whose status `streamIf` accepts is handed over as a stream of chunks. */
  sendStreaming<T>(request: SendRequest, streamIf: (status: number) => boolean, handle: (exchange: Exchange<HttpReply | HttpStreamReply>) => T | Promise<T>): Promise<T>;
  /** The server throttled: pause `governor` for its hint (else `fallbackMs`, else a backoff); returns the wait. Call from `handle`. */
  throttled(governor: RateGovernor, hintMs: number | undefined, fallbackMs?: number): number;
  /** A reply proved the credentials work: open every connection (ends the probe). */
  proven(): void;
  /** Run one operation under the retry policy (p-retry); `fields` adds context to the retry log line. */
  retry<T>(operation: string, attempt: (attemptNumber: number) => Promise<T>, fields?: () => object): Promise<T>;
  /** Stop waiting and retrying with `reason`; requests on the wire go on until close. */
  stop(reason: ChatmigrateError): void;
  /** Aborted once the session stops (waits elsewhere listen to it). */
  readonly signal: AbortSignal;
  readonly inFlight: number;
  /** Stop, let requests on the wire finish for up to graceMs, then abort them and close the pool. */
  close(reason: ChatmigrateError, graceMs: number): Promise<void>;
  stats(): SessionStats;
}

export function createRequestSession(o: RequestSessionOptions): RequestSession {
  const pool = createHttpPool({ origin: o.origin, connections: o.connections, requestTimeoutMs: o.requestTimeoutMs });
  const slots = createInFlightLimit(o.probe === true ? 1 : o.connections);
  const stopper = new AbortController(); // stops waiting and retrying
  const abortRequests = new AbortController(); // cuts requests on the wire
  // Every waiting caller, backoff and request listens on these; their number is bounded by the caller.
  setMaxListeners(o.maxWaiters ?? 4 * o.connections + 8, stopper.signal, abortRequests.signal);
  const governors: RateGovernor[] = [];
  const stats: SessionStats = { requests: 0, retries: 0, throttled: 0, connectFailures: 0, maxInFlight: 0 };
  const reachability = createReachability(o);
  let stopped: ChatmigrateError | undefined;
  let reconnectAt = 0;
  let throttleStreak = 0;
  let throttledNow = false;
  let inFlight = 0;
  let onIdle: (() => void) | undefined;

  const onExternalAbort = (): void => {
    const reason: unknown = o.signal?.reason;
    halt(reason instanceof ChatmigrateError ? reason : new ChatmigrateError('CM_INTERRUPTED', 'stopped by a signal'));
    abortRequests.abort(stopped);
  };
  if (o.signal?.aborted === true) onExternalAbort();
  else o.signal?.addEventListener('abort', onExternalAbort, { once: true });

  function halt(reason: ChatmigrateError): void {
    if (stopped !== undefined) return;
    stopped = reason;
    slots.close(reason);
    for (const g of governors) g.close(reason);
    stopper.abort(reason);
  }

  function stopSelf(reason: ChatmigrateError): never {
    if (stopped === undefined) {
      halt(reason);
      o.onStop?.(reason);
    }
    throw stopRetrying(reason);
  }

  async function waitToReconnect(): Promise<void> {
    const ms = reconnectAt - performance.now();
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal: stopper.signal });
    } catch {
      throw stopper.signal.reason as Error;
    }
  }

  /** A failure without a reply: retry it, retry it quickly (never answered yet), or stop. */
  function failed(err: unknown, request: SendRequest, startedAt: number): Exchange<never> {
    if (abortRequests.signal.aborted) throw stopRetrying(stopped ?? toChatmigrateError(err));
    if (!(err instanceof TransportError)) throw err; // not the network: a bug, never retried
    const what = describeTransportFailure(err.code, o.scrub(err.message));
    if (!what.retryable) {
      stopSelf(new ChatmigrateError('CM_TARGET', `${request.operation}: the request could not be formed (${what.reason})`, { hint: o.checkHint }));
    }
    if (err.reached) return { kind: 'failed', failure: new RetryableFailure(what.reason) };
    stats.connectFailures++;
    request.onUnsent?.();
    const reason = `cannot connect to ${hostAndPort(o.origin)} (${what.words})`;
    const verdict = reachability.connectFailed(what, startedAt, performance.now());
    if (verdict.kind === 'stop') stopSelf(verdict.error);
    if (verdict.kind === 'patient') return { kind: 'failed', failure: new RetryableFailure(reason, { reached: false }) };
    reconnectAt = performance.now() + verdict.delayMs;
    return { kind: 'failed', failure: new RetryableFailure(reason, { reached: false, paced: true }) };
  }

  async function exchange<T, R>(
    request: SendRequest,
    transmit: (body: RequestBody | undefined, onReached: () => void) => Promise<R & { headers: HttpReply['headers'] }>,
    handle: (exchange: Exchange<R>) => T | Promise<T>,
  ): Promise<T> {
    const release = await slots.acquire(stopper.signal);
    try {
      await waitToReconnect();
      // The socket slot first, then the rate token, so the recorded start is the real start.
      const answered = await request.governor.acquire(stopper.signal);
      const body = typeof request.body === 'function' ? request.body() : request.body;
      request.onWrite?.();
      inFlight++;
      if (inFlight > stats.maxInFlight) stats.maxInFlight = inFlight;
      const startedAt = performance.now();
      let result: Exchange<R>;
      const reached = (): void => {
        stats.requests++;
        reachability.connected();
        request.onReached?.();
      };
      try {
        const reply = await transmit(body, reached);
        reachability.answered();
        // No budget left: wait for the reset instead of earning a 429 (undici lowercases names,
        // so replies without the header, the usual case, cost two lookups).
        if (reply.headers['x-ratelimit-remaining'] !== undefined || reply.headers['x-rate-limit-remaining'] !== undefined) {
          const spent = readSpentBudgetWaitMs(reply.headers, Date.now());
          if (spent !== undefined) request.governor.pauseFor(spent);
        }
        result = { kind: 'reply', reply, elapsedMs: Math.round(performance.now() - startedAt) };
      } catch (err) {
        result = failed(err, request, startedAt);
      } finally {
        answered(); // the reply time bounds when the server counted this request
        inFlight--;
        if (inFlight === 0) onIdle?.();
      }
      throttledNow = false;
      const out = await handle(result);
      if (result.kind === 'reply' && !throttledNow) throttleStreak = 0;
      return out;
    } finally {
      release();
    }
  }

  const log = (level: 'warn' | 'debug', fields: object, msg: string): void => o.logger?.[level](fields, msg);

  return {
    createGovernor(rpm, windowMs) {
      const g = createRateGovernor({ rpm, windowMs });
      if (stopped !== undefined) g.close(stopped);
      governors.push(g);
      return g;
    },

    send(request, handle) {
      const req = { method: request.method, path: request.path, headers: request.headers, signal: abortRequests.signal };
      return exchange(request, (body, onReached) => pool.request({ ...req, body, onReached }), handle);
    },

    sendStreaming(request, streamIf, handle) {
      const req = { method: request.method, path: request.path, headers: request.headers, signal: abortRequests.signal };
      return exchange(request, (body, onReached) => pool.request({ ...req, body, onReached }, streamIf), handle);
    },

    throttled(governor, hintMs, fallbackMs) {
      stats.throttled++;
      throttleStreak++;
      throttledNow = true;
      // No hint from the server: back off exponentially with jitter, as for any retry.
      const backoff = (): number => Math.round(Math.min(o.retryMaxMs, o.retryMinMs * 2 ** Math.min(20, throttleStreak - 1)) * (1 + Math.random()));
      const waitMs = hintMs ?? fallbackMs ?? backoff();
      governor.pauseFor(waitMs);
      // Under a quota, throttling with a wait hint is the steady state: worth a warning only
      // without a hint, or when it keeps happening (at 5, 10, 20, ... in a row).
      const rounds = throttleStreak / THROTTLE_WARN_STREAK;
      const loud = hintMs === undefined || (Number.isInteger(rounds) && (rounds & (rounds - 1)) === 0);
      log(loud ? 'warn' : 'debug', { waitMs, hinted: hintMs !== undefined, inARow: throttleStreak, throttled: stats.throttled }, 'target throttled requests, pausing all senders');
      return waitMs;
    },

    proven() {
      if (slots.limit < o.connections && stopped === undefined) slots.setLimit(o.connections);
    },

    retry(operation, attempt, fields) {
      return runWithRetries(attempt, {
        maxRetries: o.maxRetries,
        retryMinMs: o.retryMinMs,
        retryMaxMs: o.retryMaxMs,
        ...(o.maxFreeThrottles === undefined ? {} : { maxFreeThrottles: o.maxFreeThrottles }),
        operation,
        signal: stopper.signal,
        onRetry: (info) => {
          if (info.reached) stats.retries++;
          // Throttled retries were logged (and warned about when it matters) where they were paused.
          log(info.throttled ? 'debug' : 'warn', { ...info, reason: o.scrub(info.reason), ...fields?.() }, 'request failed, will retry');
        },
      });
    },

    stop: halt,

    get signal() {
      return stopper.signal;
    },

    get inFlight() {
      return inFlight;
    },

    async close(reason, graceMs) {
      halt(reason);
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
      abortRequests.abort(stopped);
      o.signal?.removeEventListener('abort', onExternalAbort);
      await pool.destroy();
    },

    stats() {
      return { ...stats };
    },
  };
}
