// The whole run, top to bottom: open the input, split it into records, validate and normalize
// them (on worker threads when there are many), deduplicate, batch, deliver (import) — and
// account for every record in exactly one bucket of the report.

import type { Readable } from 'node:stream';
import { ChatmigrateError, toChatmigrateError } from './errors.js';
import type { RunConfig } from './config.js';
import { createDedupeIndex, NEW, CONFLICT } from './transforms/dedupe/dedupe-index.js';
import type { PendingRecord, RecordOutcome, Target } from './sinks/sink.js';
import { createBlockBuilder, type PendingBlock } from './transforms/block-builder.js';
import { createBlockProcessor } from './transforms/block-processor.js';
import { INVALID, SKIPPED, W_ID_END, W_JSON_END, W_STATUS_DIGEST, WORDS_PER_RECORD, type BlockResult } from './transforms/record-block.js';
import { REASONS } from './entities/reasons.js';
import { createRecordReader } from './sources/record-reader.js';
import { MalformedInputError } from './sources/formats.js';
import { openInputPath, type OpenedInput } from './sources/open-input.js';
import { buildReport, countReason, createCounts, type Report } from './accounting/report.js';
import { openRejectsWriter, type RejectsWriter } from './accounting/rejects-writer.js';
import { createProgress, type Progress } from './observability/progress.js';
import { silentLogger, type Logger } from './observability/logger.js';
import { createShardFilter } from './transforms/shard.js';
import { Bucket, createLedger, recordPosition, type LedgerRecord } from './accounting/ledger.js';
import { originalOf, position, recordEnd } from './transforms/block-positions.js';
import { Interrupted, untilAborted } from './pipeline/abortable.js';
import { describeFailure, isInputFailure } from './pipeline/failures.js';
import { createHeadKeeper, createPrefixHasher, type PrefixHasher } from './accounting/prefix-hasher.js';
import { createCheckpointer, type Checkpointer } from './accounting/checkpointer.js';
import { openDeliveryJournal, type DeliveryJournal } from './accounting/delivery-journal.js';
import { acquireCheckpointLock } from './accounting/checkpoint-lock.js';
import { guardRunFiles, pipelineFiles } from './accounting/output-paths.js';
import { isAlreadyComplete, newJobId, prepareResume, rejectsResumeOf, runIdentity, verifyHead, verifyReplay } from './accounting/resume.js';
import { createCometChatTarget } from './sinks/cometchat/index.js';
import { createRocketChatSource } from './sources/rocketchat/index.js';

/** Read-ahead past the checkpoint watermark that makes reading wait for delivery to catch up. */
const MAX_READ_AHEAD_BYTES = 64 * 1024 * 1024;

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
  // Before anything is opened for writing: no output is an input or another output, each can be written.
  await guardRunFiles(pipelineFiles(config, deps.stdin === undefined || deps.stdin === process.stdin), deps.logger);
  const lock = config.checkpoint ? acquireCheckpointLock(config.checkpoint) : undefined;
  try {
    return await run(config, deps);
  } finally {
    lock?.release();
  }
}

async function run(config: RunConfig, deps: PipelineDeps): Promise<Report> {
  const startedAt = new Date();
  const log = deps.logger ?? silentLogger();
  // Resuming (or refusing to overwrite an unfinished checkpoint) is decided before anything is read.
  const resume = await prepareResume(config);
  const checkpoint = resume?.checkpoint;
  const resumeAt = checkpoint?.watermark.records ?? 0;
  const nowSeconds = checkpoint && config.nowFromClock ? checkpoint.run.nowSeconds : config.nowSeconds;
  let counts = createCounts();
  const wantRejects = config.rejects !== undefined;
  let skippedBy: Record<string, number> = {};
  const dedupe = createDedupeIndex();
  const inShard = createShardFilter(config.shard);
  const processOptions = { nowSeconds, wantJson: config.command === 'import' };
  // Rocket.Chat subscriptions are joined with rooms and users on the main thread (see its index.ts).
  const rocketchat = config.from === 'rocketchat' ? createRocketChatSource({ rooms: config.rooms!, users: config.users! }, processOptions) : undefined;
  const processor = rocketchat ?? createBlockProcessor(config.workers, processOptions);
  // Blocks being processed, consumed strictly in input order.
  const inProcess: Array<{ block: PendingBlock; result: Promise<BlockResult> }> = [];
  const maxInProcess = config.workers === 0 ? 0 : config.workers * 3;
  // Blocks wholly before the resume point are only counted and indexed: no JSON needed from them.
  const builder = createBlockBuilder((block) => inProcess.push({ block, result: processor.process(block.input, block.firstIndex + block.input.count <= resumeAt ? false : undefined) }));
  const reader = createRecordReader(config.from, builder.add);
  const hasher: PrefixHasher | undefined = config.checkpoint ? createPrefixHasher() : undefined;
  const head = config.checkpoint ? createHeadKeeper() : undefined;
  /** A resumed run checks the input's first bytes as soon as it has them. */
  let headChecked = !checkpoint;
  const ledger = createLedger({
    ...(checkpoint ? { start: { records: checkpoint.watermark.records, byteEnd: checkpoint.watermark.byteEnd, counts: checkpoint.counts, skippedBy: checkpoint.skippedBy } } : {}),
    onReject: (entry) => rejects?.add(entry),
    ...(hasher ? { onAdvance: (byteEnd: number) => hasher.advanceTo(byteEnd) } : {}),
  });
  let replaying = resumeAt > 0 || checkpoint !== undefined;
  /** Byte offset just after the last record replayed. */
  let replayByteEnd = 0;
  let input: OpenedInput | undefined;
  let rejects: RejectsWriter | undefined;
  let target: Target | undefined;
  let journal: DeliveryJournal | undefined;
  let checkpointer: Checkpointer | undefined;
  let failure: ChatmigrateError | undefined;
  let interrupted = false;
  /** A finished job read again with nothing after it: nothing sent, nothing to save. */
  let alreadyComplete = false;
  let progress: Progress = { done() {} };
  /** The input offset where the last judged record ends: with the bytes read, the progress share. */
  let bytesJudged = 0;
  let batch: LedgerRecord[] = [];
  const readyBatches: LedgerRecord[][] = [];

  /** Puts each record of a processed block in its bucket; valid new ones go into batches. */
  function consume(block: PendingBlock, r: BlockResult): void {
    const { words } = r;
    if (r.count > 0) bytesJudged = recordEnd(block, r.count - 1);
    // Start the block's table reads together: independent misses overlap (~40% faster inserts).
    dedupe.prefetchHashed(words, 0, r.count, WORDS_PER_RECORD);
    // Records before the resume point were settled by an earlier run: count and index them only.
    const settledBefore = resumeAt - block.firstIndex;
    let nextInvalid = 0;
    let nextSkipped = 0;
    for (let i = 0, w = 0; i < r.count; i++, w += WORDS_PER_RECORD) {
      const index = block.firstIndex + i;
      if (replaying && i >= settledBefore) {
        if (i > 0) replayByteEnd = recordEnd(block, i - 1);
        finishReplay(true);
      }
      const replay = i < settledBefore;
      counts.read++;
      const end = recordEnd(block, i);
      const statusDigest = words[w + W_STATUS_DIGEST]!;
      if (statusDigest >>> 16 === SKIPPED) {
        const { rule } = r.skipped![nextSkipped++]!;
        skip(index, end, inShard.byIndex(index) ? rule : 'other-shard', replay);
        continue;
      }
      if (statusDigest >>> 16 === INVALID) {
        const bad = r.invalid[nextInvalid++]!;
        // A sharded run reports an invalid record in one shard only (by position: it may have no id).
        if (!inShard.byIndex(index)) skip(index, end, 'other-shard', replay);
        else {
          counts.invalid++;
          countReason(counts, bad.reason);
          // The original record is parsed again only for a rejects file (~5 µs per record).
          if (!replay) ledger.account(index, end, Bucket.Invalid, bad.reason, wantRejects ? { reason: bad.reason, message: bad.message, position: position(block, i), ...originalOf(block, i) } : undefined);
        }
        continue;
      }
      if (!inShard.byFingerprint(words[w]!)) {
        skip(index, end, 'other-shard', replay);
        continue;
      }
      const verdict = dedupe.addHashed(words, w, statusDigest & 0xffff);
      if (verdict !== NEW) {
        counts.duplicates++;
        if (verdict === CONFLICT) {
          counts.conflicts++;
          if (replay) continue;
          const memberId = r.ids.slice(i === 0 ? 0 : words[w - WORDS_PER_RECORD + W_ID_END], words[w + W_ID_END]);
          ledger.account(index, end, Bucket.Conflict, undefined, wantRejects ? { reason: 'DUPLICATE_CONFLICT', message: `${memberId}: ${REASONS.DUPLICATE_CONFLICT}`, position: position(block, i), ...originalOf(block, i) } : undefined);
        } else if (!replay) ledger.account(index, end, Bucket.Duplicate);
        continue;
      }
      counts.valid++;
      if (replay) continue;
      if (!target) {
        ledger.account(index, end, Bucket.Valid);
        continue;
      }
      const key = r.ids.slice(i === 0 ? 0 : words[w - WORDS_PER_RECORD + W_ID_END], words[w + W_ID_END]);
      const json = r.jsons.slice(i === 0 ? 0 : words[w - WORDS_PER_RECORD + W_JSON_END], words[w + W_JSON_END]);
      const record = ledger.hold({ key, json, index, offset: block.offsets[i]!, line: block.lines[i]! }, end);
      if (resume && resume.window.size > 0 && settleFromJournal(record)) continue;
      batch.push(record);
      if (batch.length === config.batchSize) {
        readyBatches.push(batch);
        batch = [];
        ledger.cut();
      }
    }
    if (replaying) {
      replayByteEnd = recordEnd(block, r.count - 1);
      hasher?.advanceTo(replayByteEnd);
    }
    ledger.cut();
    if (r.malformed) {
      const at = r.malformed.index;
      throw new MalformedInputError(r.malformed.message, block.offsets[at]! + r.malformed.byteDelta, block.lines[at]!);
    }
  }

  /** The prefix was read again (`more`: a record follows it): prove it is the same input, then continue with its settled counts. */
  function finishReplay(more: boolean): void {
    if (!checkpoint) {
      replaying = false;
      return;
    }
    verifyReplay(resume!, input?.name ?? 'the input', {
      format: reader.format,
      records: counts.read,
      byteEnd: replayByteEnd,
      sha256: hasher!.digestAt(replayByteEnd),
      counts,
      more,
    });
    counts = structuredClone(checkpoint.counts);
    skippedBy = { ...checkpoint.skippedBy };
    replaying = false;
    log.info({ records: resumeAt, bytes: replayByteEnd }, 'resumed: input verified up to the checkpoint');
  }

  /**
   * A record the journal says was delivered before the stop is settled as it was, not sent again;
   * one that was on the wire is sent again, and "already present" then means it was ours.
   */
  function settleFromJournal(record: LedgerRecord): boolean {
    const entry = resume!.window.get(record.key);
    if (!entry) return false;
    resume!.window.delete(record.key);
    if (entry[0] === 's') {
      // It may have arrived before the stop: remembered as sent until it is answered, in every checkpoint.
      record.resent = true;
      record.state = 's';
      return false;
    }
    onOutcome(record, entry[0] === 'i' ? { kind: 'imported' } : entry[0] === 'a' ? { kind: 'alreadyPresent', code: 'JOURNAL' } : { kind: 'rejected', code: entry[2]!, message: entry[3]! });
    return true;
  }

  /** Consumes processed blocks in order while more than `keep` are in process; submits batches. */
  async function consumeBlocks(keep: number): Promise<void> {
    while (inProcess.length > keep) {
      const { block, result } = inProcess.shift()!;
      consume(block, await (processor.waitFor?.(result) ?? result));
      builder.recycle(block);
      if (target) for (const b of readyBatches.splice(0)) await submit(b);
    }
  }

  async function submit(b: LedgerRecord[]): Promise<void> {
    await untilAborted(target!.submit(b), deps.signal);
  }

  /** Journaled just before the request is written: after a kill, the resumed run knows what may have arrived. */
  function onSend(sent: readonly PendingRecord[]): void {
    for (const pending of sent) {
      (pending as LedgerRecord).state = 's'; // only unsettled records are sent
      journal?.add(['s', pending.key]);
    }
    journal?.commit();
  }

  /** A send refused unprocessed (auth, rate limit) did not deliver: not "maybe arrived" after a stop. */
  function onRefused(refused: readonly PendingRecord[]): void {
    for (const pending of refused) {
      const record = pending as LedgerRecord;
      // Sent in an earlier run too: that send may still have arrived.
      if (record.resent === true || record.state !== 's') continue;
      record.state = 'q';
      journal?.add(['q', record.key]);
    }
    journal?.commit();
  }

  function skip(index: number, end: number, rule: string, replay: boolean): void {
    counts.skipped++;
    skippedBy[rule] = (skippedBy[rule] ?? 0) + 1;
    if (!replay) ledger.account(index, end, Bucket.Skipped, undefined, undefined, rule);
  }

  function onOutcome(pending: PendingRecord, reported: RecordOutcome): void {
    const record = pending as LedgerRecord;
    // Our own delivery from before a crash comes back as "already present": it was imported.
    const outcome: RecordOutcome = record.resent && reported.kind === 'alreadyPresent' ? { kind: 'imported' } : reported;
    if (outcome.kind === 'imported') counts.imported++;
    else if (outcome.kind === 'alreadyPresent') counts.alreadyPresent++;
    else {
      counts.rejected++;
      countReason(counts, outcome.code);
    }
    const reject =
      outcome.kind === 'rejected'
        ? { reason: outcome.code, message: outcome.message, position: recordPosition(record), key: record.key, record: JSON.parse(record.json) as unknown }
        : undefined;
    ledger.settle(record, outcome, reject);
    journal?.add(outcome.kind === 'imported' ? ['i', record.key] : outcome.kind === 'alreadyPresent' ? ['a', record.key] : ['r', record.key, outcome.code, outcome.message]);
  }

  /** Every record read so far is accounted for. */
  async function processAll(): Promise<void> {
    builder.flush();
    await consumeBlocks(0);
    if (replaying) finishReplay(false);
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
    if (batch.length > 0) {
      ledger.cut();
      await submit(batch.splice(0));
    }
    await untilAborted(target.drain(), deps.signal);
  }

  /**
   * Far ahead of the watermark (a batch stuck in retries while others flow): let delivery catch up
   * before reading on, so the records, rejects and input bytes held for it stay bounded.
   */
  async function boundReadAhead(): Promise<void> {
    if (replaying) return;
    const ahead = reader.bytesSeen - ledger.watermark().byteEnd;
    if (ahead <= MAX_READ_AHEAD_BYTES) return;
    log.info({ bytes: ahead }, 'waiting for delivery to catch up with reading');
    await deliverAll();
  }

  try {
    await rocketchat?.load(log);
    input = await openInputPath(config.input, deps.stdin);
    log.info({ input: input.name, compressed: input.compressed, bytes: input.sizeBytes, command: config.command, workers: config.workers, resumeAt }, 'run started');
    if (config.rejects) rejects = await openRejectsWriter(config.rejects, rejectsResumeOf(resume));
    if (config.command === 'import') target = createCometChatTarget(targetConfig(config), { onOutcome, onSend, onRefused, onBatchSettled: () => journal?.commit() }, log);
    if (config.checkpoint && hasher) {
      const job = checkpoint?.run.job ?? newJobId();
      journal = openDeliveryJournal(config.checkpoint, job, resume?.nextJournal ?? 0, checkpoint?.journal);
      const t = target;
      checkpointer = createCheckpointer({
        path: config.checkpoint,
        run: { ...(await runIdentity(config, job)), nowSeconds },
        inputName: input.name,
        head: head!,
        ledger,
        hasher,
        journal,
        rejects,
        format: () => reader.format,
        delivery: () => t?.stats(),
        pendingWindow: () => resume?.window.values() ?? [],
        prior: { delivery: checkpoint?.delivery ?? { requests: 0, retries: 0, throttled: 0, sentEntities: 0 }, elapsedMs: checkpoint?.elapsedMs ?? 0 },
        startedAt: startedAt.getTime(),
        intervalMs: config.checkpointIntervalMs,
      });
      // A fresh run marks its checkpoint at once, so a second run cannot start over it by mistake.
      if (!checkpoint) await checkpointer.save('running');
      // A resumed run saves nothing until it has proved the input is the same.
      checkpointer.startTicking(() => replaying);
    }
    const stderr = deps.stderr ?? process.stderr;
    const opened = input;
    const onTerminal = Boolean(stderr.isTTY);
    progress = createProgress({
      mode: config.progress === false ? 'log' : onTerminal ? 'terminal' : config.progress === true ? 'lines' : 'log',
      stream: stderr,
      label: config.command,
      totalBytes: input.sizeBytes,
      quota: target ? { batchSize: config.batchSize, rpm: config.rpm, windowMs: config.rateWindowMs } : undefined,
      logger: log,
      sample: () => ({
        records: counts.read,
        sourceBytes: opened.sourceBytesRead(),
        bytesRead: reader.bytesSeen,
        bytesJudged,
        ...(target ? { valid: counts.valid, delivered: counts.imported + counts.alreadyPresent + counts.rejected } : {}),
      }),
    });
    for await (const chunk of input.chunks) {
      hasher?.push(chunk);
      if (head) {
        head.push(chunk);
        if (!headChecked && head.kept >= (checkpoint!.input.head?.bytes ?? 0)) {
          verifyHead(resume!, input.name, head);
          headChecked = true;
        }
      }
      await splitOrFinish(() => reader.push(chunk));
      await consumeBlocks(maxInProcess);
      if (rejects) await rejects.flush();
      await boundReadAhead();
      if (checkpointer?.failure !== undefined) throw checkpointer.failure;
      if (deps.signal?.aborted) throw new Interrupted();
    }
    if (!headChecked) verifyHead(resume!, input.name, head!);
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
    checkpointer?.stopTicking();
    progress.done();
    if (target) await target.close(interrupted || failure ? (deps.graceMs ?? 5000) : 0);
    await processor.close();
    journal?.commit();
    // The checkpoint is saved last, with every outcome that arrived; a run that failed while
    // re-reading the prefix leaves the old checkpoint alone, and so does a finished job run again.
    alreadyComplete = !failure && !interrupted && isAlreadyComplete(resume, counts.read);
    if (checkpointer && !replaying && !alreadyComplete) {
      const complete = !failure && !interrupted;
      await checkpointer.save(complete ? 'complete' : 'stopped').catch((e: unknown) => (failure ??= toChatmigrateError(e)));
    }
    if (journal) {
      journal.close();
      if (!failure && !interrupted && !replaying) journal.dropBefore(Number.MAX_SAFE_INTEGER);
    }
    // Rejects still held beyond the watermark go out now, so this run's file matches its report
    // (a resumed run cuts them off again: they belong to records it reads once more).
    ledger.releaseHeldRejects();
    if (rejects) await rejects.close().catch((e: unknown) => (failure ??= toChatmigrateError(e)));
    input?.close();
  }

  const report = buildReport({
    config,
    counts,
    skippedBy,
    input: { name: input?.name ?? config.input ?? 'stdin', format: reader.format, bytes: reader.bytesSeen, compressed: input?.compressed ?? false },
    delivery: target?.stats(),
    ...(checkpoint ? { prior: { delivery: checkpoint.delivery, records: resumeAt, elapsedMs: checkpoint.elapsedMs } } : {}),
    startedAt,
    interrupted,
    failure,
    alreadyComplete,
  });
  const delivered = report.imported === undefined ? {} : { imported: report.imported, alreadyPresent: report.alreadyPresent, rejected: report.rejected, unsent: report.unsent, requests: report.requests };
  if (report.alreadyComplete) log.info({ checkpoint: config.checkpoint, records: resumeAt }, 'the job in the checkpoint was already complete: nothing was sent');
  log.info({ read: report.read, valid: report.valid, invalid: report.invalid, duplicates: report.duplicates, skipped: report.skipped, ...delivered, status: report.status, durationMs: report.durationMs }, 'run finished');
  if (report.read === 0 && report.status !== 'failed') log.warn({ input: report.input.name }, 'the input held no records: nothing was checked or sent');
  return report;
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

