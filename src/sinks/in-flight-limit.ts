// Counting semaphore (FIFO, abortable, adjustable) that caps work in flight before it reaches the pool.

export interface InFlightLimit {
  /** Resolves with a release function once a slot is free; the release is safe to call twice. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Change the number of slots (raising it admits waiters at once). */
  setLimit(limit: number): void;
  /** Reject every waiter and all later acquires with `reason`; held slots stay valid until released. */
  close(reason: Error): void;
  readonly limit: number;
  readonly inUse: number;
  readonly maxInUse: number;
  readonly waiting: number;
}

interface Waiter {
  grant(release: () => void): void;
  reject(err: unknown): void;
  cleanup(): void;
}

export function createInFlightLimit(initialLimit: number): InFlightLimit {
  if (!Number.isInteger(initialLimit) || initialLimit < 1) {
    throw new RangeError(`in-flight limit expects an integer >= 1, got ${String(initialLimit)}`);
  }
  let limit = initialLimit;
  let inUse = 0;
  let maxInUse = 0;
  let closedWith: Error | undefined;
  const waiters: Waiter[] = [];

  function makeRelease(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse--;
      admit();
    };
  }

  function take(): () => void {
    inUse++;
    if (inUse > maxInUse) maxInUse = inUse;
    return makeRelease();
  }

  function admit(): void {
    while (inUse < limit && waiters.length > 0) {
      const waiter = waiters.shift()!;
      waiter.cleanup();
      waiter.grant(take());
    }
  }

  return {
    get limit() {
      return limit;
    },
    get inUse() {
      return inUse;
    },
    get maxInUse() {
      return maxInUse;
    },
    get waiting() {
      return waiters.length;
    },
    acquire(signal) {
      if (closedWith !== undefined) return Promise.reject(closedWith);
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (inUse < limit && waiters.length === 0) return Promise.resolve(take());
      return new Promise((resolve, reject) => {
        const onAbort = (): void => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal!.reason);
        };
        const waiter: Waiter = {
          grant: resolve,
          reject,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    setLimit(next) {
      if (!Number.isInteger(next) || next < 1) throw new RangeError(`in-flight limit expects an integer >= 1, got ${String(next)}`);
      limit = next;
      admit();
    },
    close(reason) {
      closedWith ??= reason;
      for (const waiter of waiters.splice(0)) {
        waiter.cleanup();
        waiter.reject(reason);
      }
    },
  };
}
