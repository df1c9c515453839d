// The one HTTP layer of every sink: an undici keep-alive Pool driven through dispatch, replies read
// whole (or handed over as a stream of chunks), and failures that say whether the request reached the server.

import { Pool, util as undiciUtil, type Dispatcher } from 'undici';
import { ChunkQueue, type ReplyStream } from './reply-stream.js';

export type { ReplyStream } from './reply-stream.js';

export interface HttpPoolOptions {
  /** Scheme, host and port only (e.g. https://appid.api-us.cometchat.io). */
  origin: string;
  connections: number;
  /** Used for the headers and body timeouts, and for connecting up to DEFAULT_CONNECT_TIMEOUT_MS. */
  requestTimeoutMs: number;
  /** Default min(requestTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Keep idle sockets this long (servers usually close earlier; undici honours their hint). */
  keepAliveTimeoutMs?: number;
  /** Replies read whole and larger than this are not read: the request ends with an empty body and its socket is closed (a proxy's page, not an API reply). */
  maxReplyBytes?: number;
}

/** A request body streamed from chunks whose total length is known up front (sent with Content-Length). */
export interface StreamedBody {
  length: number;
  chunks(): AsyncIterable<Buffer>;
}

export type RequestBody = string | Uint8Array | StreamedBody;

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Readonly<Record<string, string>>;
  body?: RequestBody | undefined;
  signal?: AbortSignal | undefined;
  /** The request was handed to a connected socket and is being written (called once). */
  onReached?: (() => void) | undefined;
}

export type ReplyHeaders = Record<string, string | string[] | undefined>;

export interface HttpReply {
  status: number;
  headers: ReplyHeaders;
  bodyText: string;
}

/** A reply whose body is read by the caller as it arrives (to its end, or destroyed). */
export interface HttpStreamReply {
  status: number;
  headers: ReplyHeaders;
  body: ReplyStream;
}

/** A request that failed without a reply. */
export class TransportError extends Error {
  /** undici's or the system's code (ECONNREFUSED, UND_ERR_SOCKET, ...). */
  readonly code: string | undefined;
  /**
   * The request was handed to a connected socket, so the server may have received it. False: the
   * connection itself failed (refused, DNS, connect timeout, TLS): nothing was sent.
   */
  readonly reached: boolean;

  constructor(cause: Error, reached: boolean) {
    super(cause.message, { cause });
    this.name = 'TransportError';
    this.code = errorCode(cause);
    this.reached = reached;
  }
}

export interface HttpPool {
  /** One request; the reply is read whole. Rejects with a TransportError. */
  request(req: HttpRequest): Promise<HttpReply>;
  /** As request, but a reply whose status `streamIf` accepts is handed over as a stream. */
  request(req: HttpRequest, streamIf: (status: number) => boolean): Promise<HttpReply | HttpStreamReply>;
  /** Wait for requests under way, then close the sockets. */
  close(): Promise<void>;
  /** Close at once, failing requests under way. */
  destroy(): Promise<void>;
}

const DEFAULT_MAX_REPLY_BYTES = 8 * 1024 * 1024;
/** A connection that takes longer than this is dead; the request timeout is for the server's work. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function createHttpPool(options: HttpPoolOptions): HttpPool {
  const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  // pipelining 1: one request per socket at a time, so a slow reply never holds others hostage;
  // callers cap requests in flight at `connections`, so nothing queues inside undici.
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? Math.min(options.requestTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
  });
  let closed = false;

  function request(req: HttpRequest, streamIf?: (status: number) => boolean): Promise<HttpReply | HttpStreamReply> {
    // dispatch with our own handler rather than pool.request: no Readable stream and no async
    // resource per reply, which is most of the client's CPU per request on the hot path.
    return new Promise((resolve, reject) => {
      let headers = req.headers;
      let body: string | Uint8Array | AsyncIterable<Buffer> | null = null;
      if (typeof req.body === 'string' || req.body instanceof Uint8Array) body = req.body;
      else if (req.body !== undefined) {
        headers = { ...headers, 'content-length': String(req.body.length) };
        body = req.body.chunks();
      }
      // undici writes an async iterable body chunk by chunk (its types list only Readable).
      const dispatchBody = body as Dispatcher.DispatchOptions['body'];
      pool.dispatch({ method: req.method, path: req.path, headers, body: dispatchBody }, new ReplyHandler(resolve, reject, maxReplyBytes, req.signal, streamIf, req.onReached));
    });
  }

  return {
    request: request as HttpPool['request'],
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
 * One reply: status and headers, then the body collected as UTF-8 text (every byte read, which is
 * what returns the keep-alive socket to the pool) or queued for a streaming consumer. A collected
 * body over the limit is not read at all: the reply settles with its status and an empty body, and
 * the request is aborted (socket closed).
 */
class ReplyHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: ReplyHeaders = {};
  private chunks: Buffer[] = [];
  private bytes = 0;
  private settled = false;
  private reached = false;
  private stream: ChunkQueue | undefined;
  private abort: ((reason?: Error) => void) | undefined;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly resolve: (reply: HttpReply | HttpStreamReply) => void,
    private readonly reject: (err: unknown) => void,
    private readonly maxReplyBytes: number,
    private readonly signal: AbortSignal | undefined,
    private readonly streamIf: ((status: number) => boolean) | undefined,
    private readonly onReached: (() => void) | undefined,
  ) {
    if (signal !== undefined && !signal.aborted) {
      this.onAbort = () => this.abort?.(abortReason(signal));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** undici calls this only once a socket is connected, just before it writes the request. */
  onConnect(abort: (reason?: Error) => void): void {
    if (this.signal?.aborted) return abort(abortReason(this.signal));
    this.abort = abort;
    if (this.reached) return; // undici may call this again for a request it re-dispatches
    this.reached = true;
    this.onReached?.();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the real reply follows
    this.status = statusCode;
    this.headers = undiciUtil.parseHeaders(rawHeaders) as ReplyHeaders;
    if (this.streamIf?.(statusCode) === true) {
      this.settled = true;
      this.stream = new ChunkQueue((reason) => this.abort?.(reason));
      this.stream.setResume(resume);
      this.resolve({ status: this.status, headers: this.headers, body: this.stream });
      return true;
    }
    const length = Number(this.headers['content-length']);
    if (Number.isFinite(length) && length > this.maxReplyBytes) this.tooBig();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.stream !== undefined) return this.stream.push(chunk);
    if (this.settled) return false;
    this.bytes += chunk.length;
    if (this.bytes > this.maxReplyBytes) this.tooBig();
    else this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.stream !== undefined) {
      this.unlisten();
      return this.stream.end();
    }
    if (!this.settle()) return;
    const { chunks } = this;
    const bodyText = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, this.bytes).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, bodyText });
  }

  onError(err: Error): void {
    if (this.stream !== undefined) {
      this.unlisten();
      return this.stream.fail(new TransportError(err, true));
    }
    if (this.settle()) this.reject(new TransportError(err, this.reached));
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
    this.unlisten();
    return true;
  }

  /** A streamed body keeps listening until its end: aborting the caller's signal must stop a long read. */
  private unlisten(): void {
    if (this.onAbort !== undefined) this.signal!.removeEventListener('abort', this.onAbort);
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error('the request was aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
}

/** The code of a socket or undici error; a failed multi-address connect carries it on its first error. */
function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const first = (err as { errors?: unknown }).errors;
  return Array.isArray(first) && first.length > 0 ? errorCode(first[0]) : undefined;
}
