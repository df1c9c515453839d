// Request-start budget: at most `rpm` requests reach the server in any sliding window; global pause on 429.

/** Milliseconds on a monotonic scale (performance.now() in production, a fake in tests). */
export interface Clock {
  now(): number;
}

/** The timer the governor sleeps with; injectable so unit tests can run on a fake clock. */
export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realClock: Clock = { now: () => performance.now() };
export const realTimer: Timer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The pure core. The server counts requests when they *arrive*, which is some time after we start
 * them (connect, event-loop lag, network). For each of the last `rpm` requests we keep an upper
 * bound of its arrival: `start + guardMs` until its reply comes, then the reply time if earlier
 * (a server cannot answer before it has received). A new start waits until `windowMs` after the
 * largest bound of every request at least `rpm` starts back, so even reordered arrivals never put
 * more than `rpm` requests into one window, while a steady stream of callers uses the whole budget
 * minus one round trip per window (no fixed buckets, no averaging that leaves gaps).
 */
export interface RateWindow {
  /** Milliseconds until a start is allowed at `now` (0 = now). */
  delayAt(now: number): number;
  /** Records a start; returns its ticket for `answered`. */
  recordStart(now: number): number;
  /** The request with this ticket got its reply (or failed) at `now`: tighten its arrival bound. */
  answered(ticket: number, now: number): void;
  /** Nobody starts before `until` (a throttle reply pauses every sender, not one connection). */
  pauseUntil(until: number): void;
  readonly pausedUntil: number;
}

export function createRateWindow(rpm: number, windowMs: number, guardMs = 0): RateWindow {
  const unlimited = rpm <= 0;
  const size = unlimited ? 0 : rpm;
  const starts = new Float64Array(size);
  const bounds = new Float64Array(size);
  let total = 0; // starts so far; ticket n lives in slot n % rpm while n >= total - rpm
  let floor = -Infinity; // largest arrival bound among requests that left the ring
  let pausedUntil = -Infinity;
  return {
    get pausedUntil() {
      return pausedUntil;
    },
    delayAt(now) {
      let allowedAt = pausedUntil;
      if (!unlimited && total >= rpm) allowedAt = Math.max(allowedAt, Math.max(floor, bounds[total % rpm]!) + windowMs);
      return Math.max(0, allowedAt - now);
    },
    recordStart(now) {
      if (unlimited) return total++;
      const slot = total % rpm;
      if (total >= rpm) floor = Math.max(floor, bounds[slot]!);
      starts[slot] = now;
      bounds[slot] = now + guardMs;
      return total++;
    },
    answered(ticket, now) {
      if (unlimited || ticket < total - rpm || ticket >= total) return; // already out of the ring
      const slot = ticket % rpm;
      bounds[slot] = Math.min(bounds[slot]!, Math.max(starts[slot]!, now));
    },
    pauseUntil(until) {
      if (until > pausedUntil) pausedUntil = until;
    },
  };
}

/** Default cap on the per-request arrival allowance: 10% of the window, at most one second. */
export function defaultGuardMs(windowMs: number): number {
  return Math.min(1000, Math.ceil(windowMs * 0.1));
}

export interface RateGovernorOptions {
  /** Request starts allowed per window; 0 = unlimited. */
  rpm: number;
  windowMs: number;
  /** Arrival allowance for a request whose reply has not come yet; default defaultGuardMs(windowMs). */
  guardMs?: number;
  clock?: Clock;
  timer?: Timer;
}

export interface RateGovernor {
  /**
   * Resolves when this caller may start a request (the start is recorded then), FIFO. Call the
   * returned function when the reply (or a failure) comes back, so the budget frees up sooner.
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Pause every sender for `ms` from now (throttled by the server). */
  pauseFor(ms: number): void;
  /** Reject every waiter and all later acquires with `reason`. */
  close(reason: Error): void;
  /** Starts granted so far. */
  readonly granted: number;
  readonly waiting: number;
}

interface Waiter {
  resolve(answered: () => void): void;
  reject(err: unknown): void;
  cleanup(): void;
}

export function createRateGovernor(options: RateGovernorOptions): RateGovernor {
  const clock = options.clock ?? realClock;
  const timer = options.timer ?? realTimer;
  const window = createRateWindow(options.rpm, options.windowMs, options.guardMs ?? defaultGuardMs(options.windowMs));
  const waiters: Waiter[] = [];
  let armed: unknown;
  let armedFor = Infinity;
  let closedWith: Error | undefined;
  let granted = 0;

  function pump(): void {
    while (waiters.length > 0) {
      const now = clock.now();
      const delay = window.delayAt(now);
      if (delay > 0) {
        arm(now + delay, delay);
        return;
      }
      const ticket = window.recordStart(now);
      granted++;
      const waiter = waiters.shift()!;
      waiter.cleanup();
      waiter.resolve(() => {
        window.answered(ticket, clock.now());
        if (waiters.length > 0) pump(); // the bound may have moved earlier
      });
    }
  }

  function arm(at: number, delay: number): void {
    // Keep an earlier wake-up if one is set: on waking we re-check and re-arm as needed.
    if (armed !== undefined && armedFor <= at) return;
    if (armed !== undefined) timer.clear(armed);
    armedFor = at;
    armed = timer.set(() => {
      armed = undefined;
      armedFor = Infinity;
      pump();
    }, Math.ceil(delay));
  }

  return {
    get granted() {
      return granted;
    },
    get waiting() {
      return waiters.length;
    },
    acquire(signal) {
      if (closedWith !== undefined) return Promise.reject(closedWith);
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<() => void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal!.reason);
        };
        const waiter: Waiter = { resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
        if (waiters.length === 1) pump();
      });
    },
    pauseFor(ms) {
      // An armed wake-up earlier than the pause end just re-checks and re-arms.
      window.pauseUntil(clock.now() + Math.max(0, ms));
    },
    close(reason) {
      closedWith ??= reason;
      if (armed !== undefined) timer.clear(armed);
      armed = undefined;
      armedFor = Infinity;
      for (const waiter of waiters.splice(0)) {
        waiter.cleanup();
        waiter.reject(reason);
      }
    },
  };
}
