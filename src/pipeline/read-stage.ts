// The source stage: open the input (file or stdin, gzip or not), detect the format, split it into
// records, gather them into blocks and decode the blocks (on worker threads, or inline for a
// source with a mapping step), handing processed blocks on strictly in input order.

import type { Readable } from 'node:stream';
import type { KindName } from '../entities/kinds.js';
import type { Log } from '../log.js';
import type { FormatChoice, SourceFormat } from '../sources/formats.js';
import type { RecordMapper } from '../sources/mapped-record.js';
import { openInputPath, type OpenedInput } from '../sources/open-input.js';
import { createRecordReader } from '../sources/record-reader.js';
import { createSubscriptionMapper } from '../sources/rocketchat/index.js';
import { createBlockBuilder, type PendingBlock } from '../transforms/block-builder.js';
import { createBlockProcessor } from '../transforms/block-processor.js';
import type { BlockResult } from '../transforms/block-results.js';
import { Interrupted } from './abortable.js';
import type { InputSize } from '../observability/progress.js';

export interface ReadSettings {
  input: string | undefined;
  from: FormatChoice;
  kind: KindName;
  workers: number;
  nowSeconds: number;
  retentionDays?: number;
  /** Import needs each valid record's JSON; validate only its digest. */
  wantJson: boolean;
  /** A line of line-delimited input that is not JSON: stop (a fatal error) or reject it and go on. */
  onMalformed: 'stop' | 'skip';
  /** --from rocketchat: the rooms and users exports joined with the subscriptions. */
  rooms: string | undefined;
  users: string | undefined;
}

export interface ProcessedBlock {
  block: PendingBlock;
  result: BlockResult;
}

export interface ReadStage {
  readonly name: string;
  readonly compressed: boolean;
  readonly sizeBytes: number | undefined;
  /** For progress: the file's size and, for gzip, its trailer's decompressed size. */
  readonly size: InputSize | undefined;
  /** The format in use, once known. */
  readonly format: SourceFormat | undefined;
  /** One record per line: a bad line could have been skipped (what a malformed-input error advises). */
  readonly lineDelimited: boolean;
  /** Decompressed bytes read so far, and bytes taken from the source (compressed for gzip). */
  readonly bytesSeen: number;
  sourceBytesRead(): number;
  /**
   * Processed blocks in input order. `settledBefore`: blocks wholly below this record index (a
   * resumed run's settled prefix) need no JSON. `onChunk` sees every input chunk first. On bad
   * input the records before the bad byte are handed on first, then the error is thrown.
   */
  blocks(settledBefore: number, signal: AbortSignal | undefined, onChunk?: (chunk: Buffer) => void): AsyncGenerator<ProcessedBlock>;
  /** A consumed block's memory, for the next blocks. */
  recycle(block: PendingBlock): void;
  close(): Promise<void>;
}

/** Loads a source's tables (Rocket.Chat) and opens the input; nothing is read yet. */
export async function openReadStage(s: ReadSettings, deps: { stdin?: Readable; log: Log }): Promise<ReadStage> {
  // The Rocket.Chat tables are read first: an unreadable --rooms fails before the input is touched.
  const mapper: RecordMapper | undefined = s.from === 'rocketchat' ? await createSubscriptionMapper({ rooms: s.rooms!, users: s.users! }, s.nowSeconds, deps.log) : undefined;
  const input: OpenedInput = await openInputPath(s.input, deps.stdin);
  const decode = { kind: s.kind, nowSeconds: s.nowSeconds, wantJson: s.wantJson, ...(s.retentionDays === undefined ? {} : { retentionDays: s.retentionDays }) };
  const processor = createBlockProcessor(s.workers, decode, mapper);
  // Blocks being processed, consumed strictly in input order; a few per worker keep them busy.
  const inProcess: Array<{ block: PendingBlock; result: Promise<BlockResult> }> = [];
  const maxInProcess = s.workers === 0 || mapper ? 0 : s.workers * 3;
  let settledBefore = 0;
  const builder = createBlockBuilder((block) => {
    const settled = block.firstIndex + block.input.count <= settledBefore;
    const skipMalformed = s.onMalformed === 'skip' && reader.lineDelimited;
    inProcess.push({ block, result: processor.process(block.input, settled || skipMalformed ? { ...(settled ? { wantJson: false } : {}), skipMalformed } : undefined) });
  });
  const reader = createRecordReader(s.from, builder.add);

  async function* ready(keep: number): AsyncGenerator<ProcessedBlock> {
    while (inProcess.length > keep) {
      const { block, result } = inProcess.shift()!;
      yield { block, result: await (processor.waitFor?.(result) ?? result) };
    }
  }

  async function* all(): AsyncGenerator<ProcessedBlock> {
    builder.flush();
    yield* ready(0);
  }

  return {
    name: input.name,
    compressed: input.compressed,
    sizeBytes: input.sizeBytes,
    size: input.sizeBytes === undefined ? undefined : { bytes: input.sizeBytes, ...(input.gzipTrailer === undefined ? {} : { gzipTrailer: input.gzipTrailer }) },
    get format() {
      return reader.format;
    },
    get bytesSeen() {
      return reader.bytesSeen;
    },
    get lineDelimited() {
      return reader.lineDelimited;
    },
    sourceBytesRead: () => input.sourceBytesRead(),
    async *blocks(before, signal, onChunk) {
      settledBefore = before;
      for await (const chunk of input.chunks) {
        onChunk?.(chunk);
        try {
          reader.push(chunk);
        } catch (err) {
          yield* all();
          throw err;
        }
        yield* ready(maxInProcess);
        if (signal?.aborted) throw new Interrupted();
      }
      try {
        reader.end();
      } catch (err) {
        yield* all();
        throw err;
      }
      yield* all();
    },
    recycle: (block) => builder.recycle(block),
    async close() {
      inProcess.length = 0; // records after a failure are not read
      await processor.close();
      input.close();
    },
  };
}
