// The source stage: open the input (file or stdin, gzip or not), detect the kind and the format,
// split it into records, gather them into blocks and decode the blocks (on worker threads, or
// inline for a source with a mapping step), handing processed blocks on strictly in input order.

import type { Readable } from 'node:stream';
import type { KindName } from '../entities/kinds.js';
import type { Log } from '../log.js';
import type { FormatChoice, SourceFormat } from '../sources/formats.js';
import type { RecordMapper } from '../sources/mapped-record.js';
import { openInputPath, type OpenedInput, type StreamInput } from '../sources/open-input.js';
import { createRecordReader, type RecordReader } from '../sources/record-reader.js';
import { detectWrapper, mayHaveWrapper, resolveKind } from '../sources/detect-kind.js';
import { peekHead } from '../sources/peek-head.js';
import { createSubscriptionMapper } from '../sources/rocketchat/index.js';
import { createBlockBuilder, type PendingBlock } from '../transforms/block-builder.js';
import { createBlockProcessor, type BlockProcessor } from '../transforms/block-processor.js';
import type { BlockResult } from '../transforms/block-results.js';
import { Interrupted } from './abortable.js';
import type { InputSize } from '../observability/progress.js';

export interface ReadSettings {
  input: string | undefined;
  from: FormatChoice;
  /** --kind; undefined: a CometChat body's wrapper key says, else members. */
  kind: KindName | undefined;
  workers: number;
  nowSeconds: number;
  /** The kind's own settings once the kind is known (throws a usage error for a misplaced option). */
  forKind(kind: KindName): { retentionDays: number | undefined };
  /** Import needs each valid record's JSON; validate only its digest. */
  wantJson: boolean;
  /** A line of line-delimited input that is not JSON: stop (a fatal error) or reject it and go on. */
  onMalformed: 'stop' | 'skip';
  /** --from rocketchat: the rooms and users exports joined with the subscriptions. */
  rooms: string | undefined;
  users: string | undefined;
}

/** How far into the input a CometChat body's wrapper key is looked for (the reader's own limit). */
const WRAPPER_SEARCH_BYTES = 1024 * 1024;

export interface ProcessedBlock {
  block: PendingBlock;
  result: BlockResult;
}

export interface ReadStage {
  readonly name: string;
  readonly compressed: boolean;
  readonly sizeBytes: number | undefined;
  /** The kind of the records (--kind or members until decideKind() read the input's head). */
  readonly kind: KindName;
  /** Messages: the retention rule's days (0 = no limit); undefined for other kinds. */
  readonly retentionDays: number | undefined;
  /**
   * Reads the head of the input (a CometChat body's wrapper key names the kind), settles the kind
   * and its settings, and makes the decoders. Before blocks(); throws CM_USAGE when --kind (or a
   * messages option) contradicts the input.
   */
  decideKind(): Promise<void>;
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
/** `mapper`: a source's mapping step made by the caller (migrate's Rocket.Chat phases). */
/** `signal`: the run's interrupt; it also ends a read that waits for input bytes (open-input.ts). */
export async function openReadStage(s: ReadSettings, deps: { stdin?: Readable; log: Log; mapper?: RecordMapper; stream?: StreamInput; signal?: AbortSignal | undefined }): Promise<ReadStage> {
  // The Rocket.Chat tables are read first: an unreadable --rooms fails before the input is touched.
  const mapper: RecordMapper | undefined = deps.mapper ?? (s.from === 'rocketchat' ? await createSubscriptionMapper({ rooms: s.rooms!, users: s.users! }, s.nowSeconds, deps.log) : undefined);
  const input: OpenedInput = await openInputPath(s.input, deps.stdin, deps.stream, deps.signal);
  let chunks = input.chunks;
  // Made once the kind is known (decideKind): the decoders, the splitter and its wrapper depend on it.
  let decided: { kind: KindName; retentionDays: number | undefined } | undefined;
  let processor: BlockProcessor | undefined;
  let reader: RecordReader | undefined;
  // Blocks being processed, consumed strictly in input order; a few per worker keep them busy.
  const inProcess: Array<{ block: PendingBlock; result: Promise<BlockResult> }> = [];
  const maxInProcess = s.workers === 0 || mapper ? 0 : s.workers * 3;
  let settledBefore = 0;
  const builder = createBlockBuilder((block) => {
    const settled = block.firstIndex + block.input.count <= settledBefore;
    const skipMalformed = s.onMalformed === 'skip' && reader!.lineDelimited;
    inProcess.push({ block, result: processor!.process(block.input, settled || skipMalformed ? { ...(settled ? { wantJson: false } : {}), skipMalformed } : undefined) });
  });

  async function* ready(keep: number): AsyncGenerator<ProcessedBlock> {
    while (inProcess.length > keep) {
      const { block, result } = inProcess.shift()!;
      yield { block, result: await (processor!.waitFor?.(result) ?? result) };
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
    get kind() {
      return decided?.kind ?? s.kind ?? 'members';
    },
    get retentionDays() {
      return decided?.retentionDays;
    },
    async decideKind() {
      let wrapper: KindName | undefined;
      if (mayHaveWrapper(s.from)) {
        // Auto-detection reads a document by its first key; --from cometchat looks past other keys.
        const peeked = await peekHead(chunks, (head, atEnd) => {
          const d = detectWrapper(head, atEnd, s.from === 'auto');
          return 'needMore' in d ? undefined : d;
        }, WRAPPER_SEARCH_BYTES);
        chunks = peeked.chunks;
        wrapper = peeked.value.kind;
      }
      const kind = resolveKind(s.kind, wrapper);
      const { retentionDays } = s.forKind(kind);
      decided = { kind, retentionDays };
      processor = createBlockProcessor(s.workers, { kind, nowSeconds: s.nowSeconds, wantJson: s.wantJson, ...(retentionDays === undefined ? {} : { retentionDays }) }, mapper);
      reader = createRecordReader(s.from, builder.add, kind);
    },
    size: input.sizeBytes === undefined ? undefined : { bytes: input.sizeBytes, ...(input.gzipTrailer === undefined ? {} : { gzipTrailer: input.gzipTrailer }) },
    get format() {
      return reader?.format;
    },
    get bytesSeen() {
      return reader?.bytesSeen ?? 0;
    },
    get lineDelimited() {
      return reader?.lineDelimited ?? false;
    },
    sourceBytesRead: () => input.sourceBytesRead(),
    async *blocks(before, signal, onChunk) {
      if (!reader) throw new Error('read stage: blocks() before decideKind()');
      settledBefore = before;
      for await (const chunk of chunks) {
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
      // A source destroyed by the interrupt may end like a finished one: it is not the input's end.
      if (signal?.aborted) throw new Interrupted();
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
      await processor?.close();
      input.close();
    },
  };
}
