// Seeded fault injection: which failure (if any) the Nth request gets, and how it is delivered.
//
// Decisions are a pure function of (seed, request index) rather than a stateful PRNG stream, so
// a request's fate depends only on its arrival order: the same seed and order give the same faults
// even when timing makes other parts of the pipeline (rate limit, auth) behave differently.

import type { ServerResponse } from 'node:http';

export interface FaultOptions {
  seed?: number;
  latencyMs?: number;
  latencyJitterMs?: number;
  /** Share of requests answered 500/502/503 (JSON or HTML body). */
  errorRate?: number;
  /** Share of requests whose socket is destroyed without an answer. */
  resetRate?: number;
  /** Share of requests answered 429 with Retry-After 1 although within budget. */
  spurious429Rate?: number;
  /**
   * Share of import requests whose valid entities are stored and then answered 500 ERR_EXCEPTION,
   * as CometChat's own migration recipe reports for a batch holding one bad row.
   */
  partialApplyRate?: number;
  /** Requests with index >= stallAfter are never answered (backpressure tests). */
  stallAfter?: number;
}

export type FaultKind = 'none' | 'reset' | 'error' | 'spurious429' | 'partialApply' | 'stall';

export interface FaultDecision {
  kind: FaultKind;
  /** Delay before the request is handled at all. */
  delayMs: number;
  /** For kind 'error': the status to answer with and whether the body is an HTML error page. */
  errorStatus: number;
  errorHtml: boolean;
}

export const NO_FAULT: FaultDecision = Object.freeze({ kind: 'none', delayMs: 0, errorStatus: 0, errorHtml: false });

/** True when the options can produce anything but NO_FAULT (lets the hot path skip the draws). */
export function faultsEnabled(o: FaultOptions): boolean {
  return (
    (o.latencyMs ?? 0) > 0 ||
    (o.latencyJitterMs ?? 0) > 0 ||
    (o.errorRate ?? 0) > 0 ||
    (o.resetRate ?? 0) > 0 ||
    (o.spurious429Rate ?? 0) > 0 ||
    (o.partialApplyRate ?? 0) > 0 ||
    o.stallAfter !== undefined
  );
}

/** A uniform draw in [0, 1) for (seed, index, salt): murmur3-style finalizer over the mixed inputs. */
export function uniform(seed: number, index: number, salt: number): number {
  let h = (seed | 0) ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

const ERROR_STATUSES = [500, 502, 503] as const;

/**
 * The fault for the request with this arrival index. At most one fault applies; when several
 * rates fire for the same request the order of precedence is reset, error, spurious 429,
 * partial apply.
 */
export function decideFault(o: FaultOptions, index: number): FaultDecision {
  const seed = o.seed ?? 1;
  if (o.stallAfter !== undefined && index >= o.stallAfter) {
    return { kind: 'stall', delayMs: 0, errorStatus: 0, errorHtml: false };
  }
  const delayMs = (o.latencyMs ?? 0) + (o.latencyJitterMs ?? 0) * uniform(seed, index, 1);
  let kind: FaultKind = 'none';
  if (uniform(seed, index, 2) < (o.resetRate ?? 0)) kind = 'reset';
  else if (uniform(seed, index, 3) < (o.errorRate ?? 0)) kind = 'error';
  else if (uniform(seed, index, 4) < (o.spurious429Rate ?? 0)) kind = 'spurious429';
  else if (uniform(seed, index, 7) < (o.partialApplyRate ?? 0)) kind = 'partialApply';
  let errorStatus = 0;
  let errorHtml = false;
  if (kind === 'error') {
    errorStatus = ERROR_STATUSES[Math.floor(uniform(seed, index, 5) * ERROR_STATUSES.length)] ?? 500;
    errorHtml = uniform(seed, index, 6) < 0.5;
  }
  return { kind, delayMs, errorStatus, errorHtml };
}

const REASON: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Answers an injected server error the way gateways and app servers do: JSON or an HTML page. */
export function sendInjectedError(res: ServerResponse, decision: FaultDecision): void {
  const status = decision.errorStatus;
  const reason = REASON[status] ?? 'Error';
  let body: string;
  let type: string;
  if (decision.errorHtml) {
    body = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`;
    type = 'text/html';
  } else {
    const code = status === 500 ? 'ERR_INTERNAL_SERVER_ERROR' : status === 502 ? 'ERR_BAD_GATEWAY' : 'ERR_SERVICE_UNAVAILABLE';
    body = JSON.stringify({ error: { code, message: `${reason} (injected by the sandbox).` } });
    type = 'application/json';
  }
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
