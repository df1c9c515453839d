// Thin wrapper over an undici keep-alive Pool: POST a body, always read or dump the reply.

import { Pool } from 'undici';

export interface HttpPoolOptions {
  /** Scheme, host and port only (e.g. https://appid.api-us.cometchat.io). */
  origin: string;
  connections: number;
  /** Used for connect, headers and body timeouts alike. */
  requestTimeoutMs: number;
  /** Keep idle sockets this long (servers usually close earlier; undici honours their hint). */
  keepAliveTimeoutMs?: number;
  /** Replies larger than this are dumped unread (a proxy's HTML page, not an API reply). */
  maxReplyBytes?: number;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
}

export interface HttpPool {
  post(path: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<HttpReply>;
  /** Wait for requests under way, then close the sockets. */
  close(): Promise<void>;
  /** Close at once, failing requests under way. */
  destroy(): Promise<void>;
}

const DEFAULT_MAX_REPLY_BYTES = 8 * 1024 * 1024;

export function createHttpPool(options: HttpPoolOptions): HttpPool {
  const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  // pipelining 1: one request per socket at a time, so a slow reply never holds others hostage;
  // the caller caps requests in flight at `connections`, so nothing queues inside undici.
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    connectTimeout: options.requestTimeoutMs,
  });
  let closed = false;

  return {
    async post(path, headers, body, signal) {
      const res = await pool.request({ method: 'POST', path, headers, body, signal: signal ?? null });
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > maxReplyBytes) {
        // Reading nothing would leave the socket busy; dump lets undici reuse or close it cleanly.
        await res.body.dump({ limit: maxReplyBytes });
        return { status: res.statusCode, headers: res.headers, bodyText: '' };
      }
      // Reading the body to the end is what returns the keep-alive socket to the pool.
      const bodyText = await res.body.text();
      return { status: res.statusCode, headers: res.headers, bodyText };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.close();
    },
    async destroy() {
      closed = true;
      if (!pool.destroyed) await pool.destroy();
    },
  };
}
