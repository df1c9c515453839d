// What servers say about their rate limits, read the same way for every target: how long to wait
// after a throttled reply, and when an answered reply says the budget is already spent.

/** Reply headers as undici gives them (lowercased names), or any casing from elsewhere. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** Longest wait we accept from a server hint (a runaway Retry-After must not park a run for days). */
export const MAX_WAIT_MS = 60 * 60 * 1000;

/** A header by name, case-insensitively; the first value when repeated. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  // undici lowercases names: try the direct lookup before scanning.
  const direct = headers[wanted];
  if (direct !== undefined) return Array.isArray(direct) ? direct[0] : direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

const clampWait = (ms: number): number => Math.min(MAX_WAIT_MS, Math.max(0, Math.ceil(ms)));
const NUMBER = /^\d+(\.\d+)?$/;

/**
 * `X-Rate-Limit-Reset` / `X-RateLimit-Reset` as milliseconds from now: epoch milliseconds (Rocket.Chat),
 * epoch seconds, or a small number meaning seconds from now. Undefined: absent or unreadable.
 */
function resetWaitMs(headers: HeaderBag, nowMs: number): number | undefined {
  const reset = (headerValue(headers, 'x-rate-limit-reset') ?? headerValue(headers, 'x-ratelimit-reset'))?.trim();
  if (reset === undefined || !NUMBER.test(reset)) return undefined;
  const n = Number(reset);
  if (n >= 1e12) return clampWait(n - nowMs); // epoch milliseconds
  if (n >= 1e9) return clampWait(n * 1000 - nowMs); // epoch seconds
  return clampWait(n * 1000); // seconds from now
}

/**
 * How long a throttled reply asked us to wait: `Retry-After` (seconds or an HTTP date), else the
 * reset header (see resetWaitMs), else "retry after N seconds" (or ms) in the message. Undefined: no hint.
 */
export function readWaitMs(headers: HeaderBag, message: string | undefined, nowMs: number): number | undefined {
  const retryAfter = headerValue(headers, 'retry-after')?.trim();
  if (retryAfter !== undefined && retryAfter !== '') {
    if (NUMBER.test(retryAfter)) return clampWait(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return clampWait(date - nowMs);
  }
  const reset = resetWaitMs(headers, nowMs);
  if (reset !== undefined) return reset;
  if (message !== undefined) {
    const m = /retry\s+(?:after|in)\s+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?)?/i.exec(message);
    if (m !== null) {
      const n = Number(m[1]);
      return clampWait(m[2] !== undefined && /^m/i.test(m[2]) ? n : n * 1000);
    }
  }
  return undefined;
}

/**
 * An answered reply that says no budget is left (`X-RateLimit-Remaining: 0`, either spelling) and
 * when it comes back: the milliseconds to wait instead of earning a 429. Undefined: budget left or no reset given.
 */
export function readSpentBudgetWaitMs(headers: HeaderBag, nowMs: number): number | undefined {
  const remaining = (headerValue(headers, 'x-ratelimit-remaining') ?? headerValue(headers, 'x-rate-limit-remaining'))?.trim();
  if (remaining !== '0') return undefined;
  const wait = resetWaitMs(headers, nowMs);
  return wait !== undefined && wait > 0 ? wait : undefined;
}
