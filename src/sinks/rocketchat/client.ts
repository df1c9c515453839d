// HTTP client for Rocket.Chat's import endpoints on the shared request session: one keep-alive
// connection, one rate budget per endpoint (Rocket.Chat limits each endpoint separately),
// X-RateLimit-Remaining/-Reset honoured before a 429 happens, and the one retry layer driven by
// the pure classifier.

import { ChatmigrateError } from '../../errors.js';
import type { HttpReply, HttpStreamReply, StreamedBody } from '../http-pool.js';
import type { RateGovernor } from '../rate-governor.js';
import { createRequestSession, type Exchange } from '../request-session.js';
import { RetryableFailure, stopRetrying } from '../retry-policy.js';
import { createScrubber } from '../scrub.js';
import type { DeliveryLogger } from '../sink.js';
import { classifyRocketChatReply } from './classify.js';
import { ROCKETCHAT_PATHS, type RocketChatEndpoint } from './limits.js';
import type { DeliverySettings } from '../delivery-settings.js';

export interface RocketChatClientOptions extends DeliverySettings {
  /** Server root (the client appends /api/v1/...). */
  baseUrl: string;
  userId: string;
  authToken: string;
  /** Aborting stops every wait and the request on the wire at once. */
  signal?: AbortSignal;
  logger?: DeliveryLogger;
}

export interface ClientStats {
  /** Requests that reached the server. */
  requests: number;
  retries: number;
  throttled: number;
  /** Attempts whose connection failed: nothing was sent. */
  connectFailures: number;
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

const IS_OK = (status: number): boolean => status === 200;

export function createRocketChatClient(o: RocketChatClientOptions): RocketChatClient {
  const url = new URL(o.baseUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  // Credentials go in headers only; they never reach a message, a log line or the report.
  const scrub = createScrubber(o.authToken);
  const session = createRequestSession({
    origin: url.origin,
    connections: 1,
    requestTimeoutMs: o.requestTimeoutMs,
    maxRetries: o.maxRetries,
    retryMinMs: o.retryMinMs,
    retryMaxMs: o.retryMaxMs,
    scrub,
    checkHint: 'check --base-url (the Rocket.Chat server root, e.g. https://chat.example.com) and that this machine can reach it',
    signal: o.signal,
    logger: o.logger,
  });
  const auth = { 'x-user-id': o.userId, 'x-auth-token': o.authToken, accept: 'application/json' };
  const postHeaders = { ...auth, 'content-type': 'application/json' };
  const governors = new Map<RocketChatEndpoint, RateGovernor>();
  const governor = (endpoint: RocketChatEndpoint): RateGovernor => {
    let g = governors.get(endpoint);
    if (g === undefined) governors.set(endpoint, (g = session.createGovernor(o.rpm, o.rateWindowMs)));
    return g;
  };

  async function consumeStream<T>(operation: string, reply: HttpStreamReply, consume: (chunks: AsyncIterable<Buffer>) => Promise<T>): Promise<CallResult<T>> {
    try {
      return { kind: 'ok', body: undefined, consumed: await consume(reply.body) };
    } catch (err) {
      // Entries may already have been taken from a half-read body: never retry it.
      throw stopRetrying(err instanceof ChatmigrateError ? err : new ChatmigrateError('CM_TARGET', `${operation}: reading the reply failed: ${scrub((err as Error).message)}`));
    } finally {
      reply.body.destroy(); // a consumer that stopped early leaves no half-read socket (a no-op once read whole)
    }
  }

  function decide<T>(operation: string, g: RateGovernor, reply: HttpReply): CallResult<T> {
    const decision = classifyRocketChatReply(operation, reply.status, reply.headers, scrub(reply.bodyText), Date.now());
    switch (decision.kind) {
      case 'ok':
        return { kind: 'ok', body: decision.body, consumed: undefined };
      case 'invalidParams':
        return { kind: 'invalidParams', message: decision.message };
      case 'retry': {
        // Without a hint, a whole window: the server's per-endpoint budget refills per window.
        const waitMs = decision.throttled ? session.throttled(g, decision.waitMs, o.rateWindowMs) : undefined;
        // The operation is named by the exhaustion message and the retry log line's endpoint.
        throw new RetryableFailure(decision.reason, { throttled: decision.throttled, waitMs });
      }
      case 'fatal':
        throw stopRetrying(new ChatmigrateError(decision.errorCode, decision.message, decision.hint === undefined ? {} : { hint: decision.hint }));
    }
  }

  function attempt<T>(endpoint: RocketChatEndpoint, body: StreamedBody | undefined, consume: ((chunks: AsyncIterable<Buffer>) => Promise<T>) | undefined): Promise<CallResult<T>> {
    const method = body === undefined ? 'GET' : 'POST';
    const operation = `${method} ${ROCKETCHAT_PATHS[endpoint]}`;
    const g = governor(endpoint);
    const request = { operation, method, path: prefix + ROCKETCHAT_PATHS[endpoint], headers: body === undefined ? auth : postHeaders, body, governor: g } as const;
    const handle = (exchange: Exchange<HttpReply | HttpStreamReply>): CallResult<T> | Promise<CallResult<T>> => {
      if (exchange.kind === 'failed') throw exchange.failure;
      const reply = exchange.reply;
      return 'body' in reply ? consumeStream(operation, reply, consume!) : decide<T>(operation, g, reply);
    };
    return consume === undefined ? session.send(request, handle) : session.sendStreaming(request, IS_OK, handle);
  }

  return {
    call(endpoint, body, consume, beforeResend) {
      return session.retry(
        `${body === undefined ? 'GET' : 'POST'} ${ROCKETCHAT_PATHS[endpoint]}`,
        async (attemptNumber) => {
          if (attemptNumber > 1 && beforeResend !== undefined) {
            const settled = await beforeResend();
            if (settled !== undefined) return settled;
          }
          return attempt(endpoint, body, consume);
        },
        () => ({ endpoint }),
      );
    },
    stats() {
      const { requests, retries, throttled, connectFailures } = session.stats();
      return { requests, retries, throttled, connectFailures };
    },
    close() {
      return session.close(new ChatmigrateError('CM_INTERRUPTED', 'the Rocket.Chat client was closed'), 0);
    },
  };
}
