// Waiting that an interrupt (SIGINT/SIGTERM → AbortSignal) cuts short: the run then stops reading
// and reports instead of waiting for a slow server.

/** Thrown when the run's signal aborted while it waited. */
export class Interrupted extends Error {}

/** Resolves with the promise, or rejects with Interrupted as soon as the signal aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    // The work goes on without a waiter: whatever it ends in is not an unhandled rejection.
    promise.catch(() => undefined);
    return Promise.reject(new Interrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
