// The rule for connections that fail: while a target has never answered, a few quick attempts and
// then a stop that names it; once it has answered, a lost connection is a passing failure.

import type { ChatmigrateError } from '../errors.js';
import { unreachableError, type TransportFailure } from './transport-errors.js';

/** Connection attempts while the target has never answered, before the run stops (seconds, not minutes). */
export const QUICK_CONNECT_ATTEMPTS = 4;
/** Pauses between those attempts: 250 ms doubling to 1 s (shorter with a shorter --retry-min-ms). */
const QUICK_FIRST_DELAY_MS = 250;
const QUICK_MAX_DELAY_MS = 1000;
/** However few attempts were made, stop once connecting has failed for this long (slow connect timeouts). */
const QUICK_WINDOW_MS = 15_000;

export type ConnectVerdict =
  /** The target answered before: retry as patiently as any failure. */
  | { kind: 'patient' }
  /** Try again after `delayMs` without spending a retry. */
  | { kind: 'quick'; delayMs: number }
  | { kind: 'stop'; error: ChatmigrateError };

export interface Reachability {
  /** A reply came (any status): the target exists and answers. */
  answered(): void;
  /** A request got onto a connected socket: connecting works, whatever happens next. */
  connected(): void;
  /** A connection attempt that started at `startedAt` failed at `now`. */
  connectFailed(failure: TransportFailure, startedAt: number, now: number): ConnectVerdict;
}

export interface ReachabilityOptions {
  origin: string;
  /** Quick attempts never exceed the retries the user allows (plus the first attempt). */
  maxRetries: number;
  retryMinMs: number;
  /** What to check, for the stop's hint (names the flags). */
  checkHint: string;
}

export function createReachability(o: ReachabilityOptions): Reachability {
  const attempts = Math.max(1, Math.min(QUICK_CONNECT_ATTEMPTS, o.maxRetries + 1));
  let everAnswered = false;
  let streak = 0;
  let since = 0;
  return {
    answered() {
      everAnswered = true;
      streak = 0;
    },
    connected() {
      streak = 0;
    },
    connectFailed(failure, startedAt, now) {
      if (everAnswered) return { kind: 'patient' };
      if (streak++ === 0) since = startedAt;
      const elapsed = now - since;
      if (streak >= attempts || elapsed >= QUICK_WINDOW_MS) return { kind: 'stop', error: unreachableError(o.origin, failure, streak, elapsed, o.checkHint) };
      return { kind: 'quick', delayMs: Math.min(QUICK_MAX_DELAY_MS, Math.min(o.retryMinMs, QUICK_FIRST_DELAY_MS) * 2 ** (streak - 1)) };
    },
  };
}
