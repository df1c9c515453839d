// The whole run, top to bottom: open the input, split it into records, validate and normalize
// them (on worker threads when there are many), deduplicate, batch, deliver (import) — and
// account for every record in exactly one bucket of the report.

import type { Readable } from 'node:stream';
import { ChatmigrateError, toChatmigrateError } from './errors.js';
import type { RunConfig } from './config.js';
import { createDedupeIndex, NEW, CONFLICT } from './dedupe/dedupe-index.js';
import type { PendingRecord, RecordOutcome, Target } from './delivery/types.js';
import { createBlockBuilder, type PendingBlock } from './process/block-builder.js';
import { createBlockProcessor } from './process/block-processor.js';
import { INVALID, SKIPPED, W_ID_END, W_JSON_END, W_STATUS_DIGEST, WORDS_PER_RECORD, type BlockResult } from './process/record-block.js';
import { REASONS } from './record/reasons.js';
import { createRecordReader, FormatError } from './source/record-reader.js';
import { MalformedInputError } from './source/formats.js';
import { openInputPath, type OpenedInput } from './source/open-input.js';
import { buildReport, countReason, createCounts, type Report } from './run/report.js';
import { openRejectsWriter, unwrapRejectEntry, type RejectsWriter } from './run/rejects-writer.js';
import { createProgress, type Progress } from './run/progress.js';
import { silentLogger, type Logger } from './run/logger.js';
import { createShardFilter } from './run/shard.js';
import { createCometChatTarget } from './targets/cometchat/index.js';
import { createRocketChatSource } from './source/rocketchat/index.js';

/** A record on its way to the target, remembering where it came from for the rejects file. */
interface QueuedRecord extends PendingRecord {
  offset: number;
  line: number;
}

export interface PipelineDeps {
  stdin?: Readable;
  stderr?: NodeJS.WriteStream;
  logger?: Logger;
  /** Aborting stops reading, lets in-flight requests finish within the grace time, and reports. */
  signal?: AbortSignal;
  /** How long in-flight requests may take to finish after an interrupt. */
  graceMs?: number;
}

export async function runPipeline(config: RunConfig, deps: PipelineDeps = {}): Promise<Report> {
  const startedAt = new Date();
  const log = deps.logger ?? silentLogger();
  const counts = createCounts();
  const skippedBy: Record<string, number> = {};
  const dedupe = createDedupeIndex();
  const inShard = createShardFilter(config.shard);
  const processOptions = { nowSeconds: config.nowSeconds, wantJson: config.command === 'import' };
  // Rocket.Chat subscriptions are joined with rooms and users on the main thread (see its index.ts).
  const rocketchat = config.from === 'rocketchat' ? createRocketChatSource({ rooms: config.rooms!, users: config.users! }, processOptions) : undefined;
  const processor = rocketchat ?? createBlockProcessor(config.workers, processOptions);
  // Blocks being processed, consumed strictly in input order.
  const inProcess: Array<{ block: PendingBlock; result: Promise<BlockResult> }> = [];
  const maxInProcess = config.workers === 0 ? 0 : config.workers * 3;
  const builder = createBlockBuilder((block) => inProcess.push({ block, result: processor.process(block.input) }));
  const reader = createRecordReader(config.from, builder.add);
  let input: OpenedInput | undefined;
  let rejects: RejectsWriter | undefined;
  let target: Target | undefined;
  let failure: ChatmigrateError | undefined;
  let interrupted = false;
  let progress: Progress = { update() {}, done() {} };
  let batch: QueuedRecord[] = [];
  const readyBatches: QueuedRecord[][] = [];

  /** Puts each record of a processed block in its bucket; valid new ones go into batches. */
  function consume(block: PendingBlock, r: BlockResult): void {
    const { words } = r;
    // Start the block's table reads together: independent misses overlap (~40% faster inserts).
    dedupe.prefetchHashed(words, 0, r.count, WORDS_PER_RECORD);
    let nextInvalid = 0;
    let nextSkipped = 0;
    for (let i = 0, w = 0; i < r.count; i++, w += WORDS_PER_RECORD) {
      const index = block.firstIndex + i;
      counts.read++;
      const statusDigest = words[w + W_STATUS_DIGEST]!;
      if (statusDigest >>> 16 === SKIPPED) {
        const { rule } = r.skipped![nextSkipped++]!;
        skip(inShard.byIndex(index) ? rule : 'other-shard');
        continue;
      }
      if (statusDigest >>> 16 === INVALID) {
        const bad = r.invalid[nextInvalid++]!;
        // A sharded run reports an invalid record in one shard only (by position: it may have no id).
        if (!inShard.byIndex(index)) skip('other-shard');
        else {
          counts.invalid++;
          countReason(counts, bad.reason);
          rejects?.add({ reason: bad.reason, message: bad.message, position: position(block, i), ...originalOf(block, i) });
        }
        continue;
      }
      if (!inShard.byFingerprint(words[w]!)) {
        skip('other-shard');
        continue;
      }
      const verdict = dedupe.addHashed(words, w, statusDigest & 0xffff);
      if (verdict !== NEW) {
        counts.duplicates++;
        if (verdict === CONFLICT) {
          counts.conflicts++;
          const memberId = r.ids.slice(i === 0 ? 0 : words[w - WORDS_PER_RECORD + W_ID_END], words[w + W_ID_END]);
          rejects?.add({ reason: 'DUPLICATE_CONFLICT', message: `${memberId}: ${REASONS.DUPLICATE_CONFLICT}`, position: position(block, i), ...originalOf(block, i) });
        }
        continue;
      }
      counts.valid++;
      if (!target) continue;
      const key = r.ids.slice(i === 0 ? 0 : words[w - WORDS_PER_RECORD + W_ID_END], words[w + W_ID_END]);
      const json = r.jsons.slice(i === 0 ? 0 : words[w - WORDS_PER_RECORD + W_JSON_END], words[w + W_JSON_END]);
      batch.push({ key, json, index, offset: block.offsets[i]!, line: block.lines[i]! });
      if (batch.length === config.batchSize) {
        readyBatches.push(batch);
        batch = [];
      }
    }
    if (r.malformed) {
      const at = r.malformed.index;
      throw new MalformedInputError(r.malformed.message, block.offsets[at]! + r.malformed.byteDelta, block.lines[at]!);
    }
  }

  /** Consumes processed blocks in order while more than `keep` are in process; submits batches. */
  async function consumeBlocks(keep: number): Promise<void> {
    while (inProcess.length > keep) {
      const { block, result } = inProcess.shift()!;
      consume(block, await result);
      if (target) for (const b of readyBatches.splice(0)) await untilAborted(target.submit(b), deps.signal);
    }
  }

  function skip(rule: string): void {
    counts.skipped++;
    skippedBy[rule] = (skippedBy[rule] ?? 0) + 1;
  }

  const onOutcome = (record: PendingRecord, outcome: RecordOutcome): void => {
    if (outcome.kind === 'imported') counts.imported++;
    else if (outcome.kind === 'alreadyPresent') counts.alreadyPresent++;
    else {
      counts.rejected++;
      countReason(counts, outcome.code);
      const q = record as QueuedRecord;
      const pos = q.line > 0 ? { index: q.index, offset: q.offset, line: q.line } : { index: q.index, offset: q.offset };
      rejects?.add({ reason: outcome.code, message: outcome.message, position: pos, key: q.key, record: JSON.parse(q.json) });
    }
  };

  /** Every record read so far is accounted for. */
  async function processAll(): Promise<void> {
    builder.flush();
    await consumeBlocks(0);
  }

  /** Runs the splitter; on bad input, first accounts for the records before the bad byte. */
  async function splitOrFinish(split: () => void): Promise<void> {
    try {
      split();
    } catch (err) {
      await processAll();
      throw err;
    }
  }

  /** Every batched record has its outcome. */
  async function deliverAll(): Promise<void> {
    if (!target) return;
    if (batch.length > 0) await untilAborted(target.submit(batch.splice(0)), deps.signal);
    await untilAborted(target.drain(), deps.signal);
  }

  try {
    await rocketchat?.load(log);
    input = await openInputPath(config.input, deps.stdin);
    log.info({ input: input.name, compressed: input.compressed, bytes: input.sizeBytes, command: config.command, workers: config.workers }, 'run started');
    if (config.rejects) rejects = await openRejectsWriter(config.rejects);
    if (config.command === 'import') target = createCometChatTarget(targetConfig(config), { onOutcome }, log);
    const stderr = deps.stderr ?? process.stderr;
    progress = createProgress({
      stream: stderr,
      enabled: config.progress ?? Boolean(stderr.isTTY),
      label: config.command,
      totalBytes: input.sizeBytes,
      ...(target ? { quota: { batchSize: config.batchSize, rpm: config.rpm, windowMs: config.rateWindowMs } } : {}),
    });
    for await (const chunk of input.chunks) {
      await splitOrFinish(() => reader.push(chunk));
      await consumeBlocks(maxInProcess);
      if (rejects) await rejects.flush();
      progress.update({ records: counts.read, bytes: input.sourceBytesRead(), ...(target ? { valid: counts.valid, delivered: counts.imported + counts.alreadyPresent + counts.rejected } : {}) });
      if (deps.signal?.aborted) throw new Interrupted();
    }
    await splitOrFinish(() => reader.end());
    await processAll();
    await deliverAll();
  } catch (err) {
    if (err instanceof Interrupted || deps.signal?.aborted) interrupted = true;
    else {
      failure = describeFailure(err, input?.name ?? 'input');
      inProcess.length = 0; // records after the failure are not read
      if (target && isInputFailure(failure)) {
        await deliverAll().catch((e: unknown) => log.error({ code: toChatmigrateError(e).code }, 'delivery failed while stopping'));
      }
    }
  } finally {
    progress.done();
    if (target) await target.close(interrupted || failure ? (deps.graceMs ?? 5000) : 0);
    await processor.close();
    if (rejects) await rejects.close().catch((e: unknown) => (failure ??= toChatmigrateError(e)));
    input?.close();
  }

  const report = buildReport({
    config,
    counts,
    skippedBy,
    input: { name: input?.name ?? config.input ?? 'stdin', format: reader.format, bytes: reader.bytesSeen, compressed: input?.compressed ?? false },
    delivery: target?.stats(),
    startedAt,
    interrupted,
    failure,
  });
  log.info({ read: report.read, valid: report.valid, invalid: report.invalid, duplicates: report.duplicates, status: report.status, durationMs: report.durationMs }, 'run finished');
  return report;
}

class Interrupted extends Error {}

function position(block: PendingBlock, i: number) {
  const index = block.firstIndex + i;
  const offset = block.offsets[i]!;
  const line = block.lines[i]!;
  return line > 0 ? { index, offset, line } : { index, offset };
}

/** The record as it was in the input (and its map key), for the rejects file. Rare path. */
function originalOf(block: PendingBlock, i: number): { record: unknown; key?: string } {
  const start = i === 0 ? 0 : block.input.ends[i - 1]!;
  const text = Buffer.from(block.input.bytes.buffer, block.input.bytes.byteOffset, block.input.bytes.byteLength).toString('utf8', start, block.input.ends[i]!);
  const value = JSON.parse(text) as unknown;
  const fedBack = unwrapRejectEntry(value);
  const key = fedBack ? fedBack.key : block.input.keys?.[i];
  const record = fedBack ? fedBack.record : value;
  return key === undefined ? { record } : { record, key };
}

function targetConfig(config: RunConfig) {
  return {
    baseUrl: config.baseUrl!,
    apiKey: config.apiKey!,
    batchSize: config.batchSize,
    rpm: config.rpm,
    rateWindowMs: config.rateWindowMs,
    connections: config.connections,
    maxRetries: config.maxRetries,
    retryMinMs: config.retryMinMs,
    retryMaxMs: config.retryMaxMs,
    requestTimeoutMs: config.requestTimeoutMs,
  };
}

/** Resolves with the promise, or rejects with Interrupted as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function isInputFailure(e: ChatmigrateError): boolean {
  return e.code === 'CM_INPUT_MALFORMED' || e.code === 'CM_INPUT_FORMAT' || e.code === 'CM_INPUT_UNREADABLE';
}

function describeFailure(err: unknown, inputName: string): ChatmigrateError {
  if (err instanceof MalformedInputError) {
    const where = `byte ${err.offset}${err.line > 0 ? `, line ${err.line}` : ''}`;
    return new ChatmigrateError('CM_INPUT_MALFORMED', `${inputName}: malformed input at ${where}: ${err.message}`, {
      hint: 'fix or remove the bad record and run again; records before it were processed (see the report)',
    });
  }
  if (err instanceof FormatError) {
    return new ChatmigrateError('CM_INPUT_FORMAT', `${inputName}: ${err.message}`, { hint: 'force the format with --from' });
  }
  return toChatmigrateError(err);
}
