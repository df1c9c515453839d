// Thin wrapper over an undici keep-alive Pool: POST a body, always read the reply to its end.

import { Pool, util as undiciUtil, type Dispatcher } from 'undici';

export interface HttpPoolOptions {
  /** Scheme, host and port only (e.g. https://appid.api-us.cometchat.io). */
  origin: string;
  connections: number;
  /** Used for connect, headers and body timeouts alike. */
  requestTimeoutMs: number;
  /** Keep idle sockets this long (servers usually close earlier; undici honours their hint). */
  keepAliveTimeoutMs?: number;
  /** Replies larger than this are not read: the request ends with an empty body and its socket is closed (a proxy's page, not an API reply). */
  maxReplyBytes?: number;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
}

export interface HttpPool {
  post(path: string, headers: Record<string, string>, body: string | Uint8Array, signal?: AbortSignal): Promise<HttpReply>;
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
    post(path, headers, body, signal) {
      // dispatch with a collecting handler rather than pool.request: no Readable stream and no
      // async resource per reply (~50 µs less client CPU per request, measured).
      return new Promise<HttpReply>((resolve, reject) => {
        pool.dispatch({ method: 'POST', path, headers, body }, new ReplyCollector(resolve, reject, maxReplyBytes, signal));
      });
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

/**
 * Collects one reply: status, headers and the whole body as UTF-8 text. Reading every byte is
 * what returns the keep-alive socket to the pool; a body over the limit is not read at all: the
 * reply settles with its status and an empty body, and the request is aborted (socket closed).
 */
class ReplyCollector implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private chunks: Buffer[] = [];
  private bytes = 0;
  private settled = false;
  private abort: ((reason?: Error) => void) | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly resolve: (reply: HttpReply) => void,
    private readonly reject: (err: unknown) => void,
    private readonly maxReplyBytes: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal !== undefined && !signal.aborted) {
      this.onAbort = () => this.abort?.(abortReason(signal));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.signal?.aborted) abort(abortReason(this.signal));
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx: the real reply follows
    this.status = statusCode;
    this.headers = undiciUtil.parseHeaders(rawHeaders) as Record<string, string | string[] | undefined>;
    const length = Number(this.headers['content-length']);
    if (Number.isFinite(length) && length > this.maxReplyBytes) this.tooBig();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return false;
    this.bytes += chunk.length;
    if (this.bytes > this.maxReplyBytes) this.tooBig();
    else this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (!this.settle()) return;
    const { chunks } = this;
    const bodyText = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, this.bytes).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, bodyText });
  }

  onError(err: Error): void {
    if (this.settle()) this.reject(err);
  }

  private tooBig(): void {
    if (!this.settle()) return;
    this.chunks = [];
    this.resolve({ status: this.status, headers: this.headers, bodyText: '' });
    this.abort?.(Object.assign(new Error(`reply over ${this.maxReplyBytes} bytes not read`), { code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' }));
  }

  /** True the first time: the reply settles once, whatever undici reports afterwards. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.onAbort !== undefined) this.signal!.removeEventListener('abort', this.onAbort);
    return true;
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
}
