// HTTP client for Rocket.Chat's import endpoints: one undici keep-alive pool, one rate budget per
// endpoint (Rocket.Chat limits each endpoint separately), X-RateLimit-Remaining/-Reset honoured
// before a 429 happens, and the project's one retry layer driven by the pure classifier.

import { Readable } from 'node:stream';
import { Pool } from 'undici';
import { ChatmigrateError } from '../../errors.js';
import { createRateGovernor, type RateGovernor } from '../rate-governor.js';
import { RetryableFailure, runWithRetries, stopRetrying } from '../retry-policy.js';
import type { DeliveryLogger } from '../sink.js';
import { headerValue, MAX_WAIT_MS } from '../cometchat/classify.js';
import { classifyRocketChatReply } from './classify.js';
import { ROCKETCHAT_PATHS, type RocketChatEndpoint } from './limits.js';
import type { StreamedBody } from '../../rocketchat-import/spool.js';
import type { RocketChatImportConfig } from '../../rocketchat-import/config.js';

/** The client's share of the import's settings (the same names and meanings), plus how to stop and log. */
export type RocketChatClientOptions = Pick<
  RocketChatImportConfig,
  'baseUrl' | 'userId' | 'authToken' | 'rpm' | 'rateWindowMs' | 'maxRetries' | 'retryMinMs' | 'retryMaxMs' | 'requestTimeoutMs'
> & { signal?: AbortSignal; logger?: DeliveryLogger };

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
}

export type CallResult<T> = { kind: 'ok'; body: Record<string, unknown> | undefined; consumed: T | undefined } | { kind: 'invalidParams'; message: string };

export interface RocketChatClient {
  /**
   * One call with retries. A 200 body is handed to `consume` as a stream when given (it must read
   * it to the end), else parsed as JSON. Final errors reject with a ChatmigrateError.
   * `beforeResend` runs before every attempt after the first: a call that is not safe to repeat
   * (startImport) checks there whether the attempt that went unanswered took effect, and
   * returns the result to stand for it (no further attempt), or undefined to send again.
   */
  call<T = undefined>(
    endpoint: RocketChatEndpoint,
    body?: StreamedBody,
    consume?: (chunks: AsyncIterable<Buffer>) => Promise<T>,
    beforeResend?: () => Promise<CallResult<T> | undefined>,
  ): Promise<CallResult<T>>;
  stats(): ClientStats;
  close(): Promise<void>;
}

export function createRocketChatClient(o: RocketChatClientOptions): RocketChatClient {
  const url = new URL(o.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: 1,
    pipelining: 1,
    headersTimeout: o.requestTimeoutMs,
    bodyTimeout: o.requestTimeoutMs,
    connectTimeout: o.requestTimeoutMs,
  });
  // Credentials go in headers only; they never reach a message, a log line or the report.
  const auth = { 'x-user-id': o.userId, 'x-auth-token': o.authToken, accept: 'application/json' };
  const governors = new Map<RocketChatEndpoint, RateGovernor>();
  const stats: ClientStats = { requests: 0, retries: 0, throttled: 0 };
  const governor = (endpoint: RocketChatEndpoint): RateGovernor => {
    let g = governors.get(endpoint);
    if (g === undefined) governors.set(endpoint, (g = createRateGovernor({ rpm: o.rpm, windowMs: o.rateWindowMs })));
    return g;
  };
  const scrub = createScrubber(o.authToken);

  /** The server said how much budget is left: with none, wait for its reset instead of earning a 429. */
  function observeRateHeaders(g: RateGovernor, headers: Record<string, string | string[] | undefined>): void {
    const remaining = headerValue(headers, 'x-ratelimit-remaining');
    const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
    if (remaining?.trim() === '0' && Number.isFinite(reset) && reset > 0) {
      // Rocket.Chat gives epoch milliseconds; accept seconds too.
      const resetMs = reset >= 1e12 ? reset : reset * 1000;
      g.pauseFor(Math.min(MAX_WAIT_MS, Math.max(0, resetMs - Date.now())));
    }
  }

  async function attempt<T>(endpoint: RocketChatEndpoint, body: StreamedBody | undefined, consume: ((chunks: AsyncIterable<Buffer>) => Promise<T>) | undefined): Promise<CallResult<T>> {
    const operation = `${body === undefined ? 'GET' : 'POST'} ${ROCKETCHAT_PATHS[endpoint]}`;
    const g = governor(endpoint);
    const answered = await g.acquire(o.signal);
    stats.requests++;
    let res;
    try {
      res = await pool.request({
        method: body === undefined ? 'GET' : 'POST',
        path: prefix + ROCKETCHAT_PATHS[endpoint],
        headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json', 'content-length': String(body.length) },
        body: body === undefined ? null : Readable.from(body.chunks()),
        signal: o.signal ?? null,
      });
    } catch (err) {
      answered();
      if (o.signal?.aborted) throw stopRetrying(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
      const code = (err as { code?: string }).code;
      // A request undici refuses to form will be refused again (and it can leave the pool stuck).
      if (code === 'UND_ERR_INVALID_ARG') throw stopRetrying(new ChatmigrateError('CM_TARGET', `${operation}: the request could not be formed (${code})`, { hint: 'check --base-url and the credentials for stray characters' }));
      throw new RetryableFailure(`${operation}: ${code ?? scrub((err as Error).message)}`);
    }
    answered();
    observeRateHeaders(g, res.headers);
    if (res.statusCode === 200 && consume !== undefined) {
      try {
        return { kind: 'ok', body: undefined, consumed: await consume(res.body) };
      } catch (err) {
        res.body.destroy();
        // Entries may already have been taken from a half-read body: never retry it.
        throw stopRetrying(err instanceof ChatmigrateError ? err : new ChatmigrateError('CM_TARGET', `${operation}: reading the reply failed: ${scrub((err as Error).message)}`));
      }
    }
    const text = await res.body.text();
    const decision = classifyRocketChatReply(operation, res.statusCode, res.headers, scrub(text), Date.now());
    switch (decision.kind) {
      case 'ok':
        return { kind: 'ok', body: decision.body, consumed: undefined };
      case 'invalidParams':
        return { kind: 'invalidParams', message: decision.message };
      case 'retry':
        if (decision.throttled) {
          stats.throttled++;
          g.pauseFor(decision.waitMs ?? o.rateWindowMs);
        }
        throw new RetryableFailure(`${operation}: ${decision.reason}`, { throttled: decision.throttled, waitMs: decision.throttled ? (decision.waitMs ?? o.rateWindowMs) : undefined });
      case 'fatal':
        throw stopRetrying(new ChatmigrateError(decision.errorCode, decision.message, decision.hint === undefined ? {} : { hint: decision.hint }));
    }
  }

  return {
    call(endpoint, body, consume, beforeResend) {
      return runWithRetries(async (attemptNumber) => {
        if (attemptNumber > 1 && beforeResend !== undefined) {
          const settled = await beforeResend();
          if (settled !== undefined) return settled;
        }
        return attempt(endpoint, body, consume);
      }, {
        maxRetries: o.maxRetries,
        retryMinMs: o.retryMinMs,
        retryMaxMs: o.retryMaxMs,
        operation: `${body === undefined ? 'GET' : 'POST'} ${ROCKETCHAT_PATHS[endpoint]}`,
        ...(o.signal === undefined ? {} : { signal: o.signal }),
        onRetry: (info) => {
          stats.retries++;
          o.logger?.warn({ endpoint, attempt: info.attempt, reason: info.reason, throttled: info.throttled }, 'rocketchat request retried');
        },
      });
    },
    stats: () => ({ ...stats }),
    async close() {
      for (const g of governors.values()) g.close(new Error('closed'));
      await pool.close();
    },
  };
}

/**
 * Removes a token from text shown to people. A token long enough to be a real secret goes
 * wherever it appears; a short one only where it stands alone, so that a toy token such as "q"
 * does not mangle the server's words ("re[redacted]uired").
 */
export function createScrubber(token: string): (text: string) => string {
  if (token === '') return (text) => text;
  if (token.length >= 8) return (text) => text.split(token).join('[redacted]');
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const alone = new RegExp(`(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`, 'g');
  return (text) => text.replace(alone, '[redacted]');
}
