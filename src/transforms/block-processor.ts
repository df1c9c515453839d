// Runs decodeBlock over blocks of records, on the main thread or on a pool of worker threads.
// Results come back as promises that the pipeline consumes in input order. Workers start only
// from the second block, so small inputs never pay for thread start-up, and one at a time: the
// next starts when the main thread finds a result not ready (the workers are the bottleneck).
// A source with a mapping step (Rocket.Chat: tables on this thread) runs every block inline.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ChatmigrateError } from '../errors.js';
import type { RecordMapper } from '../sources/mapped-record.js';
import type { BlockResult } from './block-results.js';
import { decodeBlock, type BlockInput, type DecodeOptions } from './decode-block.js';

export interface BlockProcessor {
  /** `overrides` change the processor's options for this block (a resumed run's settled prefix needs no JSON). */
  process(input: BlockInput, overrides?: Partial<DecodeOptions>): Promise<BlockResult>;
  /** Threads in use (0 while processing on the main thread). */
  readonly threads: number;
  /**
   * The consumer is about to wait for `result` (from process()). When it is not ready yet the
   * workers are behind the main thread, and another one is started if --workers allows.
   */
  waitFor?(result: Promise<BlockResult>): Promise<BlockResult>;
  close(): Promise<void>;
}

/**
 * Blocks processed on the main thread before the workers are started: an input of one block
 * never pays for starting threads. From the second block on the workers start, and until one of
 * them has loaded its code (~100 ms) the main thread keeps processing blocks itself instead of
 * waiting for them (that wait was ~25% of a 100 MB run).
 */
const INLINE_BLOCKS_BEFORE_WORKERS = 1;

/** STARVED_WAITS waits in a row for a worker's result, each longer than STARVED_MS, start another worker (up to --workers). */
const STARVED_MS = 2;
const STARVED_WAITS = 3;

/** Blocks queued at a worker below which it takes the next one rather than a less busy worker. */
const SHORT_QUEUE = 2;


/**
 * A worker's garbage is short-lived (one block's records), so a small young generation costs
 * little time and keeps each worker's memory small: the default (up to 48 MB per isolate) made
 * peak RSS grow by tens of MB per worker (1 GB input, 2 workers: 377 → 327 MB at 16 MB, −15 MB
 * more at 8 MB, same speed).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };
/**
 * Why the old generation is capped too: uncapped, a worker's heap limit comes from the machine's
 * memory and V8 let each worker's old space grow with the run instead of collecting it (a 1 GB
 * messages export, 2 workers: peak RSS 351 MB against 188 MB for 100 MB; capped at 64 or 128 MB:
 * 282-284 MB, the growth being the dedupe index; same speed). A block holding a record too big for
 * that heap is decoded on the main thread instead (INLINE_ABOVE_BYTES), so no input can make a
 * worker run out of memory.
 */
const INLINE_ABOVE_BYTES = 8 * 1024 * 1024;

/**
 * --workers default: parsing dominates the work per record, so every core gets a worker (the
 * main thread's share, splitting and dedupe, is small and sleeps while it waits). At most 8.
 */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export function createBlockProcessor(workers: number, options: DecodeOptions, map?: RecordMapper): BlockProcessor {
  if (map !== undefined) workers = 0; // the mapping step reads tables that live on this thread
  let pool: WorkerPool | undefined;
  let blocks = 0;
  let starvedInARow = 0;
  return {
    get threads() {
      return pool?.size ?? 0;
    },
    process(input: BlockInput, overrides?: Partial<DecodeOptions>): Promise<BlockResult> {
      blocks++;
      const opts = overrides === undefined ? options : { ...options, ...overrides };
      const blockBytes = input.count === 0 ? 0 : input.ends[input.count - 1]!;
      if (workers > 0 && blocks > INLINE_BLOCKS_BEFORE_WORKERS && blockBytes <= INLINE_ABOVE_BYTES) {
        pool ??= createWorkerPool(workers);
        if (pool.ready()) return pool.process(input, opts);
      }
      try {
        return Promise.resolve(decodeBlock(input, opts, map));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    waitFor(result) {
      if (pool === undefined || !pool.canGrow()) return result;
      // A result already computed arrives within an event-loop turn; a longer wait means the
      // workers are behind the main thread.
      const from = performance.now();
      return result.then((r) => {
        // Several long waits in a row: one can be a worker's GC pause or the scheduler.
        starvedInARow = performance.now() - from > STARVED_MS ? starvedInARow + 1 : 0;
        if (starvedInARow >= STARVED_WAITS) {
          starvedInARow = 0;
          pool?.grow();
        }
        return r;
      });
    },
    async close() {
      await pool?.close();
    },
  };
}

interface WorkerPool {
  size: number;
  /** Some worker has loaded its code and takes blocks. */
  ready(): boolean;
  /** Another worker may start: fewer than --workers run, and all of them have loaded. */
  canGrow(): boolean;
  grow(): void;
  process(input: BlockInput, options: DecodeOptions): Promise<BlockResult>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  outstanding: number;
  ready: boolean;
}

function createWorkerPool(size: number): WorkerPool {
  const url = new URL('./record-worker.js', import.meta.url);
  const waiting = new Map<number, { resolve(r: BlockResult): void; reject(e: unknown): void }>();
  let nextId = 0;
  let failure: Error | undefined;
  let closing = false;
  let anyReady = false;
  const slots: Slot[] = [];
  // Workers start one at a time, the next only when the main thread had to wait for a result:
  // when one worker keeps up (small inputs, a slow source), another isolate would only cost
  // start-up CPU and memory on cores the rest of the run needs.
  spawn();

  function spawn(): void {
    const slot: Slot = { worker: new Worker(url, { resourceLimits: WORKER_LIMITS }), outstanding: 0, ready: false };
    slot.worker.on('message', (msg: { id: number; result: BlockResult } | { ready: true }) => {
      if ('ready' in msg) {
        slot.ready = true;
        anyReady = true;
        return;
      }
      slot.outstanding--;
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      w?.resolve(msg.result);
    });
    slot.worker.on('error', (err) => fail(err));
    slot.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`worker thread exited with code ${code}`));
    });
    slots.push(slot);
  }

  function canGrow(): boolean {
    return slots.length < size && slots.every((s) => s.ready);
  }

  function fail(err: Error): void {
    if (closing) return; // terminate() ends workers with code 1: not a failure
    failure ??= err;
    const e = new ChatmigrateError('CM_INTERNAL', `a worker thread failed: ${err.message}`, { cause: err });
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  }

  return {
    get size() {
      return slots.length;
    },
    // A failed pool counts as ready, so the failure is reported by process().
    ready: () => anyReady || failure !== undefined,
    process(input: BlockInput, options: DecodeOptions): Promise<BlockResult> {
      if (failure) return Promise.reject(new ChatmigrateError('CM_INTERNAL', `a worker thread failed: ${failure.message}`));
      // The first ready worker with a short queue takes the block, else the least busy one: a
      // worker that keeps up is not joined by another (threads beyond what the work needs only
      // compete with the main thread for cores). Order is restored by the consumer.
      let slot: Slot | undefined;
      for (const s of slots) {
        if (!s.ready) continue;
        if (s.outstanding < SHORT_QUEUE) {
          slot = s;
          break;
        }
        if (slot === undefined || s.outstanding < slot.outstanding) slot = s;
      }
      if (slot === undefined) throw new ChatmigrateError('CM_INTERNAL', 'no worker thread is ready');
      slot.outstanding++;
      const id = nextId++;
      return new Promise<BlockResult>((resolve, reject) => {
        waiting.set(id, {
          resolve: (r) => {
            // The bytes come back with the result: the main thread quotes rejected records from them.
            input.bytes = r.input!.bytes;
            input.ends = r.input!.ends;
            resolve(r);
          },
          reject,
        });
        // Transferred, not copied: copying 128 KiB per block costs more than processing it.
        slot.worker.postMessage({ id, input, options }, [input.bytes.buffer as ArrayBuffer, input.ends.buffer as ArrayBuffer]);
      });
    },
    canGrow,
    grow() {
      if (canGrow()) spawn();
    },
    async close() {
      closing = true;
      waiting.clear(); // results nobody waits for any more (the run stopped early)
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
