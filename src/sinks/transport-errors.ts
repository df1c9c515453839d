// Failures without a reply, in words: what a retry can fix, what it cannot, and how to name a
// target that cannot be reached (host:port and what the network said) instead of an errno.

import { ChatmigrateError } from '../errors.js';

export interface TransportFailure {
  /** Short reason for logs and the exhaustion message, e.g. "ECONNRESET", "timeout (UND_ERR_HEADERS_TIMEOUT)". */
  reason: string;
  /** What happened, for people: "connection refused", "host not found (DNS)". */
  words: string;
  /** False for local bugs and bad arguments: the same request would fail the same way. */
  retryable: boolean;
  code: string | undefined;
}

/** Codes that are programming or configuration errors: retrying cannot help. */
const NOT_RETRYABLE = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE']);

const WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found in DNS',
  EAI_AGAIN: 'DNS lookup failed for now',
  EAI_FAIL: 'DNS lookup failed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the other side',
  EPIPE: 'connection closed by the other side',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

export function describeTransportFailure(code: string | undefined, message: string): TransportFailure {
  const retryable = code === undefined || !NOT_RETRYABLE.has(code);
  const reason = code === undefined ? 'network error' : /TIMEOUT/.test(code) ? `timeout (${code})` : code;
  let words = code === undefined ? message || 'network error' : WORDS[code];
  if (words === undefined) {
    const c = code!;
    if (/WRONG_VERSION_NUMBER|^EPROTO$/.test(c)) words = `TLS handshake failed, ${c}: is the server http rather than https?`;
    else if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(c)) words = `TLS certificate not accepted, ${c}`;
    else if (/SSL|TLS/.test(c)) words = `TLS handshake failed, ${c}`;
    else words = /TIMEOUT/.test(c) ? `timed out, ${c}` : c;
  }
  return { reason, words, retryable, code };
}

/** host:port of an origin, with the scheme's default port when the URL leaves it out. */
export function hostAndPort(origin: string): string {
  const url = new URL(origin);
  if (url.port !== '') return url.host;
  return `${url.hostname}:${url.protocol === 'https:' ? 443 : 80}`;
}

/** The stop when no connection to the target ever succeeded: where, what the network said, what to check. */
export function unreachableError(origin: string, failure: TransportFailure, attempts: number, elapsedMs: number, hint: string): ChatmigrateError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts in ${(elapsedMs / 1000).toFixed(1)} s`;
  return new ChatmigrateError('CM_UNREACHABLE', `cannot connect to ${hostAndPort(origin)} (${failure.words}); ${tries}, nothing was sent`, { hint });
}
