// Sliding-window request limiter that also remembers the busiest window it has seen.
//
// One ring of admission timestamps serves both jobs: its length after evicting everything older
// than the window is the number of requests admitted in the last windowMs, so the limit check and
// the "most requests ever seen in one window" statistic are each O(1) amortized per request.

export interface RateWindow {
  /** Admits a request at `nowMs` (returns 0) or returns how many ms until a slot frees up. */
  tryAdmit(nowMs: number): number;
  /** The most admitted requests ever seen inside one window of windowMs. */
  readonly maxInWindow: number;
  /** Requests admitted in the window ending at the last call. */
  readonly current: number;
  reset(): void;
}

/** `limit` 0 or Infinity means unlimited: nothing is refused, but the window is still measured. */
export function createRateWindow(limit: number, windowMs: number): RateWindow {
  const unlimited = limit === 0 || limit === Number.POSITIVE_INFINITY;
  // A bounded limiter never holds more than `limit` stamps; an unlimited one grows on demand.
  let ring = new Float64Array(unlimited ? 1024 : Math.max(1, limit));
  let head = 0; // index of the oldest stamp
  let size = 0;
  let maxInWindow = 0;

  function evict(nowMs: number): void {
    const cutoff = nowMs - windowMs;
    while (size > 0 && (ring[head] as number) <= cutoff) {
      head = head + 1 === ring.length ? 0 : head + 1;
      size--;
    }
  }

  function grow(): void {
    const bigger = new Float64Array(ring.length * 2);
    for (let i = 0; i < size; i++) bigger[i] = ring[(head + i) % ring.length] as number;
    ring = bigger;
    head = 0;
  }

  function push(nowMs: number): void {
    if (size === ring.length) grow();
    ring[(head + size) % ring.length] = nowMs;
    size++;
    if (size > maxInWindow) maxInWindow = size;
  }

  return {
    tryAdmit(nowMs: number): number {
      evict(nowMs);
      if (!unlimited && size >= limit) {
        // The oldest admitted request leaves the window at stamp + windowMs.
        return Math.max(1, (ring[head] as number) + windowMs - nowMs);
      }
      push(nowMs);
      return 0;
    },
    get maxInWindow() {
      return maxInWindow;
    },
    get current() {
      return size;
    },
    reset(): void {
      head = 0;
      size = 0;
      maxInWindow = 0;
    },
  };
}
