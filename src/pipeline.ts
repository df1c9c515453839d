// The whole run, top to bottom: source (open, detect, split, decode on workers) → transform
// (shard, dedupe) → sink (batches to the target), with the ledger beside them owning every count,
// and safekeeping (checkpoint, journal, resume) around them. Each stage is a module of its own
// under pipeline/; this function only composes them, stops them, and reports.

import type { Readable } from 'node:stream';
import { ChatmigrateError, toChatmigrateError } from './errors.js';
import type { RunConfig } from './config.js';
import type { RecordMapper } from './sources/mapped-record.js';
import { acquireCheckpointLock } from './accounting/checkpoint-lock.js';
import { createLedger, type Ledger } from './accounting/ledger.js';
import { openRejectsWriter, type RejectsWriter } from './accounting/rejects-writer.js';
import type { Report } from './accounting/report.js';
import { guardRunFiles, pipelineFiles } from './accounting/output-paths.js';
import { isAlreadyComplete, newJobId, prepareResume, rejectsResumeOf } from './accounting/resume.js';
import { silentLogger, type Logger } from './observability/logger.js';
import { createProgress, type Progress } from './observability/progress.js';
import { createDedupeIndex } from './transforms/dedupe/dedupe-index.js';
import { createShardFilter } from './transforms/shard.js';
import { Interrupted } from './pipeline/abortable.js';
import { createDeliveryStage, type DeliveryStage } from './pipeline/deliver-stage.js';
import { describeFailure, isInputFailure } from './pipeline/failures.js';
import { createJudge } from './pipeline/judge-stage.js';
import { openReadStage, type ReadStage } from './pipeline/read-stage.js';
import { createSafekeeping, type Safekeeping } from './pipeline/resume-stage.js';
import { boundReadAhead, emptyInput, progressSample, reportRun, sinkConfig } from './pipeline/run-parts.js';
import { openIdsWriter, type IdsWriter } from './accounting/ids-writer.js';
import { verifyKind } from './accounting/resume.js';
import { KINDS } from './entities/kinds.js';
import { settingsFor } from './kind-options.js';

export interface PipelineDeps {
  stdin?: Readable;
  stderr?: NodeJS.WriteStream;
  logger?: Logger;
  /** Aborting stops reading, lets in-flight requests finish within the grace time, and reports. */
  signal?: AbortSignal;
  /** How long in-flight requests may take to finish after an interrupt. */
  graceMs?: number;
  /** A mapping step between JSON.parse and validation made by the caller (migrate's Rocket.Chat phases). */
  mapper?: RecordMapper;
  /** A label for the progress line (migrate: the phase). */
  label?: string;
  /** What the report and logs call a `stdin` stream (migrate: the users phase read from the loaded tables). */
  inputName?: string;
  /** The size of a `stdin` stream when known (migrate: sorted messages), for progress. */
  inputBytes?: number;
  /** How the report's hint ends when most records look like a Rocket.Chat export (migrate: its own flags). */
  rocketchatAdvice?: string;
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
  const signal = deps.signal;
  // Resuming (or refusing to overwrite an unfinished checkpoint) is decided before anything is read.
  const resume = await prepareResume(config);
  const checkpoint = resume?.checkpoint;
  const nowSeconds = checkpoint && config.nowFromClock ? checkpoint.run.nowSeconds : config.nowSeconds;
  let read: ReadStage | undefined;
  let safe: Safekeeping | undefined;
  let ledger: Ledger | undefined;
  let rejects: RejectsWriter | undefined;
  let delivery: DeliveryStage | undefined;
  let ids: IdsWriter | undefined;
  const lookAlikes = new Map<string, number>();
  let progress: Progress = { done() {} };
  let failure: ChatmigrateError | undefined;
  let interrupted = false;
  /** A finished job read again with nothing after it: nothing sent, nothing to save. */
  let alreadyComplete = false;
  try {
    // The kind is --kind, or what the input's wrapper key says: known once the stage is open.
    const kindOptions = { command: config.command, from: config.from, kind: config.kind, retentionDays: config.retentionDays, ids: config.ids, sharded: (config.shard?.count ?? 1) > 1 };
    read = await openReadStage({ ...config, nowSeconds, wantJson: config.command === 'import', forKind: (kind) => settingsFor(kindOptions, kind) }, { ...(deps.stdin ? { stdin: deps.stdin } : {}), ...(deps.mapper ? { mapper: deps.mapper } : {}), stream: { name: deps.inputName, size: deps.inputBytes }, log, signal });
    const input = read;
    safe = createSafekeeping({ config, resume, input, job: checkpoint?.run.job ?? newJobId(), nowSeconds, startedAt: startedAt.getTime(), log });
    const keeper = safe;
    const books = createLedger({
      ...(checkpoint ? { start: { records: checkpoint.watermark.records, byteEnd: checkpoint.watermark.byteEnd, counts: checkpoint.counts, skippedBy: checkpoint.skippedBy } } : {}),
      onReject: (entry) => rejects?.add(entry),
      onAdvance: (byteEnd) => keeper.hasher?.advanceTo(byteEnd),
    });
    ledger = books;
    log.info({ input: input.name, compressed: input.compressed, bytes: input.sizeBytes, command: config.command, workers: config.workers, resumeAt: books.resumeAt }, 'run started');
    // Waits for the first bytes of the input: its wrapper key may name the kind.
    await input.decideKind();
    const kind = KINDS[input.kind];
    verifyKind(resume, { kind: input.kind, retentionDays: input.retentionDays });
    log.info({ kind: input.kind, entity: kind.entity, key: kind.key.field, endpoint: `/data_import/${input.kind}`, ...(input.retentionDays === undefined ? {} : { retentionDays: input.retentionDays }) }, 'kind of the records');
    if (config.rejects) rejects = await openRejectsWriter(config.rejects, rejectsResumeOf(resume));
    if (config.command === 'import') {
      if (config.ids) ids = openIdsWriter(config.ids);
      delivery = createDeliveryStage(sinkConfig(config, input.kind), { ledger: books, journal: () => keeper.journal, window: resume?.window, ids, log });
    }
    const sending = delivery;
    await keeper.start(books, rejects, sending && (() => sending.stats()));
    progress = createProgress(progressSample(config, deps.stderr ?? process.stderr, input, books, log, sending, () => keeper.replaying, deps.label));
    const judge = createJudge({
      ledger: books,
      dedupe: createDedupeIndex(),
      shard: createShardFilter(config.shard),
      wantRejects: rejects !== undefined,
      keyField: kind.key.field,
      onLookAlike: (look) => lookAlikes.set(look, (lookAlikes.get(look) ?? 0) + 1),
      ...(sending ? { deliver: (record) => sending.accept(record) } : {}),
      ...(checkpoint ? { onResumePoint: () => keeper.finishReplay(books, true) } : {}),
    });
    let orderWarned = false;
    for await (const { block, result } of input.blocks(books.resumeAt, signal, keeper.onChunk)) {
      judge(block, result);
      keeper.afterBlock(books);
      if (!orderWarned && books.totals.outOfOrder > 0 && kind.order !== undefined) {
        orderWarned = true;
        log.warn({ outOfOrder: books.totals.outOfOrder, field: kind.order }, `${kind.name} are not in ${kind.order} order: CometChat wants history imported oldest first, and they are sent in input order (the report counts them as outOfOrder); export sorted, e.g. mongoexport --sort '{ts:1}'`);
      }
      input.recycle(block);
      await sending?.submitReady(signal);
      await rejects?.flush();
      if (!keeper.replaying) await boundReadAhead(input, books, sending, signal, log);
      if (keeper.checkpointer?.failure !== undefined) throw keeper.checkpointer.failure;
    }
    keeper.finishReplay(books, false);
    await sending?.finish(signal);
    if (books.totals.read === 0 && !config.allowEmpty) throw emptyInput(input.name);
  } catch (err) {
    if (err instanceof Interrupted || signal?.aborted) interrupted = true;
    else {
      failure = describeFailure(err, read?.name ?? 'input', read?.lineDelimited, config.checkpoint !== undefined);
      // Bad input stops reading, not delivery: what was read before it is still sent.
      if (delivery && isInputFailure(failure)) {
        await delivery.finish(undefined).catch((e: unknown) => log.error({ code: toChatmigrateError(e).code }, 'delivery failed while stopping'));
      }
    }
  } finally {
    safe?.checkpointer?.stopTicking();
    progress.done();
    if (delivery) await delivery.close(interrupted || failure ? (deps.graceMs ?? 5000) : 0);
    try {
      ids?.close();
    } catch (e) {
      failure ??= toChatmigrateError(e);
    }
    await read?.close();
    safe?.journal?.commit();
    // The checkpoint is saved last, with every outcome that arrived; a run that failed while
    // re-reading the prefix leaves the old checkpoint alone, and so does a finished job run again.
    alreadyComplete = !failure && !interrupted && isAlreadyComplete(resume, ledger?.totals.read ?? 0);
    if (safe?.checkpointer && !safe.replaying && !alreadyComplete) {
      const complete = !failure && !interrupted;
      await safe.checkpointer.save(complete ? 'complete' : 'stopped').catch((e: unknown) => (failure ??= toChatmigrateError(e)));
    }
    if (safe?.journal) {
      safe.journal.close();
      if (!failure && !interrupted && !safe.replaying) safe.journal.dropBefore(Number.MAX_SAFE_INTEGER);
    }
    // Rejects still held beyond the watermark go out now, so this run's file matches its report
    // (a resumed run cuts them off again: they belong to records it reads once more).
    ledger?.releaseHeldRejects();
    if (rejects) await rejects.close().catch((e: unknown) => (failure ??= toChatmigrateError(e)));
  }
  return reportRun({ config, ledger, read, delivery, checkpoint, startedAt, interrupted, failure, alreadyComplete, lookAlikes, ...(deps.rocketchatAdvice ? { rocketchatAdvice: deps.rocketchatAdvice } : {}), log });
}
