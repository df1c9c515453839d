// The one retry layer: p-retry 7 with jittered exponential backoff; throttling waits without burning retries.

import pRetry, { AbortError } from 'p-retry';
import { ChatmigrateError } from '../errors.js';

/** Thrown by an attempt that should be tried again (whole request or the failed part of it). */
export class RetryableFailure extends Error {
  readonly reason: string;
  /** The server said "too many requests"; the governor already pauses everyone for `waitMs`. */
  readonly throttled: boolean;
  readonly waitMs: number | undefined;
  /** False when the request never reached the server (the connection failed): it was no request. */
  readonly reached: boolean;
  /**
   * The caller paces the next attempt itself and bounds how often (the quick reconnect attempts
   * while a target has never answered): p-retry neither spends a retry nor sleeps.
   */
  readonly paced: boolean;

  constructor(reason: string, options: { throttled?: boolean; waitMs?: number | undefined; reached?: boolean; paced?: boolean } = {}) {
    super(reason);
    this.name = 'RetryableFailure';
    this.reason = reason;
    this.throttled = options.throttled ?? false;
    this.waitMs = options.waitMs;
    this.reached = options.reached ?? true;
    this.paced = options.paced ?? false;
  }
}

/** Stop retrying at once with this error (auth refused, malformed reply, shutting down). */
export function stopRetrying(error: Error): AbortError {
  return new AbortError(error);
}

export interface RetryInfo {
  attempt: number;
  reason: string;
  throttled: boolean;
  /** The wait the rate governor honours before the next attempt (throttled with a hint). */
  waitMs: number | undefined;
  /** The failed attempt reached the server (false: the connection itself failed). */
  reached: boolean;
  /** Retries still available after this failure (throttled and paced attempts do not spend one). */
  retriesLeft: number;
}

export interface RetryPolicyOptions {
  maxRetries: number;
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Throttled attempts (with a wait the governor honours) that may be repeated without spending a
   * retry, per operation. Bounded so a server that answers 429 forever still ends the run.
   */
  maxFreeThrottles?: number;
  /** What failed, for the exhaustion message, e.g. "POST /data_import/members". */
  operation: string;
  signal?: AbortSignal;
  onRetry?(info: RetryInfo): void;
}

export const DEFAULT_MAX_FREE_THROTTLES = 100;

/**
 * Run `attempt` until it resolves. RetryableFailure → retried after a jittered exponential delay
 * between retryMinMs and retryMaxMs (p-retry's `randomize` multiplies by 1–2, capped at the max).
 * A throttled failure returns false from `shouldConsumeRetry`: p-retry then neither spends a retry
 * nor sleeps, and the next attempt waits inside the rate governor until the server's reset time,
 * which pauses every sender at once instead of each batch backing off on its own. A paced failure
 * (the caller waits and bounds the attempts itself) neither spends a retry nor sleeps either.
 * Anything else (AbortError-wrapped or unexpected) stops at once.
 * Exhaustion becomes CM_RETRIES_EXHAUSTED carrying the last reason (never a credential).
 */
export async function runWithRetries<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryPolicyOptions): Promise<T> {
  const maxFree = options.maxFreeThrottles ?? DEFAULT_MAX_FREE_THROTTLES;
  let freeThrottles = 0;
  let retriesSpent = 0;
  try {
    return await pRetry(attempt, {
      retries: options.maxRetries,
      minTimeout: options.retryMinMs,
      maxTimeout: Math.max(options.retryMinMs, options.retryMaxMs),
      factor: 2,
      randomize: true,
      signal: options.signal,
      shouldConsumeRetry: ({ error }) => {
        if (error instanceof RetryableFailure && error.paced) return false;
        if (error instanceof RetryableFailure && error.throttled && error.waitMs !== undefined && freeThrottles < maxFree) {
          freeThrottles++;
          return false;
        }
        retriesSpent++;
        return true;
      },
      shouldRetry: ({ error, attemptNumber, retriesLeft }) => {
        if (!(error instanceof RetryableFailure)) return false;
        options.onRetry?.({ attempt: attemptNumber, reason: error.reason, throttled: error.throttled, waitMs: error.waitMs, reached: error.reached, retriesLeft });
        return true;
      },
    });
  } catch (err) {
    if (err instanceof RetryableFailure) {
      const spent = Math.min(retriesSpent, options.maxRetries);
      throw new ChatmigrateError('CM_RETRIES_EXHAUSTED', `${options.operation} failed after ${spent} ${spent === 1 ? 'retry' : 'retries'}: ${err.reason}`, {
        hint: 'the target kept failing; check its status, then run the same command again (with --resume if you gave --checkpoint)',
      });
    }
    throw err;
  }
}
