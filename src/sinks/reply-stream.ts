// A reply body handed to its consumer chunk by chunk as undici delivers it: the socket pauses while
// the consumer is behind, and a consumer that stops early destroys the request (the socket is not reused).

export interface ReplyStream extends AsyncIterable<Buffer> {
  /** Stop reading: the request is aborted and its socket closed. Nothing happens once the body was read whole. */
  destroy(): void;
  /** Every byte of the body was read by the consumer. */
  readonly ended: boolean;
}

/** Bytes queued before undici is asked to pause the socket (a getImportFileData reply can be GBs). */
const HIGH_WATER_BYTES = 1 << 20;

/** The queue between undici's handler (push/end/fail) and one consumer (the async iterator). */
export class ChunkQueue implements ReplyStream {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private complete = false;
  private failure: Error | undefined;
  private destroyed = false;
  private paused = false;
  private wake: (() => void) | undefined;
  private resume: (() => void) | undefined;

  constructor(private readonly abort: (reason: Error) => void) {}

  /** undici's resume function (from onHeaders), called once the consumer has caught up. */
  setResume(resume: () => void): void {
    this.resume = resume;
  }

  /** A chunk from undici; false asks it to pause the socket until resume. */
  push(chunk: Buffer): boolean {
    if (this.destroyed) return false;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.notify();
    if (this.bytes < HIGH_WATER_BYTES) return true;
    this.paused = true;
    return false;
  }

  end(): void {
    this.complete = true;
    this.notify();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  get ended(): boolean {
    return this.complete && this.chunks.length === 0 && this.failure === undefined;
  }

  destroy(): void {
    if (this.destroyed || this.complete) return;
    this.destroyed = true;
    this.chunks.length = 0;
    this.bytes = 0;
    this.abort(Object.assign(new Error('the reply was not read to its end'), { code: 'UND_ERR_ABORTED' }));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk !== undefined) {
          this.bytes -= chunk.length;
          if (this.paused && this.bytes < HIGH_WATER_BYTES / 2) {
            this.paused = false;
            this.resume?.();
          }
          yield chunk;
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.complete || this.destroyed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // A consumer that breaks out early (or throws) leaves no half-read socket behind.
      if (!this.ended) this.destroy();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
