// A target's base URL carries the run's secret in every request's headers: it must be https
// (verified against the system's CAs, plus NODE_EXTRA_CA_CERTS for a private CA), or plain http
// to this machine (the sandbox, an SSH tunnel). Plain http elsewhere is refused before any
// connection is made, unless --allow-insecure-http says the network is trusted.

import { isIPv4, isIPv6 } from 'node:net';
import { ChatmigrateError } from './errors.js';

/** Where plain http stays on this machine: localhost, 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) {
    if (host === '::1') return true;
    // The WHATWG URL parser writes an IPv4-mapped address in hex: ::ffff:7f00:1 is 127.0.0.1.
    const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host);
    return mapped !== null && parseInt(mapped[1]!, 16) >> 8 === 127;
  }
  return false;
}

/**
 * Throws CM_USAGE (exit 2) when `url` is plain http to a host that is not loopback and the
 * operator did not allow it. Only the URL's origin is shown: a path or query is none of the
 * message's business, and user:password@ would be a secret.
 */
export function checkTransport(url: string, flag: string, secret: string, allowInsecureHttp: boolean): void {
  const u = new URL(url);
  if (u.protocol !== 'http:' || allowInsecureHttp || isLoopbackHost(u.hostname)) return;
  throw new ChatmigrateError('CM_USAGE', `${flag} ${u.origin} is plain http to another machine: the ${secret} would cross the network unencrypted; plain http is allowed only to localhost, 127.0.0.0/8 and ::1`, {
    hint: `use https:// (for a private CA, set NODE_EXTRA_CA_CERTS=/path/to/ca.pem), or add --allow-insecure-http when the network in between is trusted`,
  });
}
