// The whole run, top to bottom: open the input, split it into records, validate and normalize,
// deduplicate, batch, deliver (import) — and account for every record in exactly one bucket.

import type { Readable } from 'node:stream';
import { ChatmigrateError, toChatmigrateError } from './errors.js';
import type { RunConfig } from './config.js';
import { createDedupeIndex, NEW, CONFLICT } from './dedupe/dedupe-index.js';
import type { PendingRecord, RecordOutcome, Target } from './delivery/types.js';
import { validateMember } from './record/validate-member.js';
import { REASONS } from './record/reasons.js';
import { createRecordReader, FormatError } from './source/record-reader.js';
import { MalformedInputError, type RecordSink } from './source/formats.js';
import { locateJsonError, excerptAround } from './source/json-error-position.js';
import { openInputPath, type OpenedInput } from './source/open-input.js';
import { countReason, createCounts, exitCodeFor, planDelivery, type Report, type RunStatus } from './run/report.js';
import { openRejectsWriter, unwrapRejectEntry, type RejectsWriter } from './run/rejects-writer.js';
import { createProgress, type Progress } from './run/progress.js';
import { silentLogger, type Logger } from './run/logger.js';
import { createShardFilter } from './run/shard.js';
import { createCometChatTarget } from './targets/cometchat/index.js';
import { VERSION } from './version.js';

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
  let input: OpenedInput | undefined;
  let rejects: RejectsWriter | undefined;
  let target: Target | undefined;
  let failure: ChatmigrateError | undefined;
  let interrupted = false;
  let batch: QueuedRecord[] = [];
  const readyBatches: QueuedRecord[][] = [];

  const onRecord: RecordSink = (text, mapKey, offset, line) => {
    const index = counts.read++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw malformedRecord(text, offset, line, err);
    }
    let key = mapKey;
    const fedBack = unwrapRejectEntry(value);
    if (fedBack) {
      value = fedBack.record;
      key = fedBack.key;
    }
    const checked = validateMember(value, { key, nowSeconds: config.nowSeconds });
    if (!checked.ok) {
      // A sharded run reports an invalid record in one shard only (by position: it may have no id).
      if (!inShard.byIndex(index)) return skip('other-shard');
      counts.invalid++;
      countReason(counts, checked.reason);
      rejects?.add({ reason: checked.reason, message: checked.message, position: position(index, offset, line), ...(key === undefined ? {} : { key }), record: value });
      return;
    }
    const memberId = checked.member.memberId;
    if (!inShard.byKey(memberId)) return skip('other-shard');
    const verdict = dedupe.add(memberId, checked.json);
    if (verdict !== NEW) {
      counts.duplicates++;
      if (verdict === CONFLICT) {
        counts.conflicts++;
        rejects?.add({ reason: 'DUPLICATE_CONFLICT', message: `${memberId}: ${REASONS.DUPLICATE_CONFLICT}`, position: position(index, offset, line), ...(key === undefined ? {} : { key }), record: value });
      }
      return;
    }
    counts.valid++;
    if (!target) return;
    batch.push({ key: memberId, json: checked.json, index, offset, line });
    if (batch.length === config.batchSize) {
      readyBatches.push(batch);
      batch = [];
    }
  };

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
      rejects?.add({ reason: outcome.code, message: outcome.message, position: position(q.index, q.offset, q.line), key: q.key, record: JSON.parse(q.json) });
    }
  };

  async function submitReady(): Promise<void> {
    for (const b of readyBatches.splice(0)) await untilAborted(target!.submit(b), deps.signal);
  }

  let progress: Progress = { update() {}, done() {} };
  const sample = () => ({
    records: counts.read,
    bytes: input?.sourceBytesRead() ?? 0,
    ...(target ? { delivered: counts.imported + counts.alreadyPresent + counts.rejected } : {}),
  });

  let reader: ReturnType<typeof createRecordReader> | undefined;
  try {
    input = await openInputPath(config.input, deps.stdin);
    log.info({ input: input.name, compressed: input.compressed, bytes: input.sizeBytes, command: config.command }, 'run started');
    if (config.rejects) rejects = await openRejectsWriter(config.rejects);
    if (config.command === 'import') target = createCometChatTarget(targetConfig(config), { onOutcome }, log);
    reader = createRecordReader(config.from, onRecord);
    const stderr = deps.stderr ?? process.stderr;
    progress = createProgress({ stream: stderr, enabled: config.progress ?? Boolean(stderr.isTTY), label: config.command, totalBytes: input.sizeBytes });
    for await (const chunk of input.chunks) {
      reader.push(chunk);
      if (target) await submitReady();
      if (rejects) await rejects.flush();
      progress.update(sample());
      if (deps.signal?.aborted) throw new Interrupted();
    }
    reader.end();
    await finishDelivery();
  } catch (err) {
    if (err instanceof Interrupted || deps.signal?.aborted) interrupted = true;
    else {
      failure = describeFailure(err, input?.name ?? 'input');
      // Records read before a bad byte are delivered, so the report and the target agree.
      if (target && (failure.code === 'CM_INPUT_MALFORMED' || failure.code === 'CM_INPUT_FORMAT' || failure.code === 'CM_INPUT_UNREADABLE')) {
        await finishDelivery().catch((e: unknown) => log.error({ code: toChatmigrateError(e).code }, 'delivery failed while stopping'));
      }
    }
  } finally {
    progress.done();
    if (target) await target.close(interrupted || failure ? (deps.graceMs ?? 5000) : 0);
    if (rejects) await rejects.close().catch((e: unknown) => (failure ??= toChatmigrateError(e)));
    input?.close();
  }

  async function finishDelivery(): Promise<void> {
    if (!target) return;
    if (batch.length > 0) {
      readyBatches.push(batch);
      batch = [];
    }
    await submitReady();
    await untilAborted(target.drain(), deps.signal);
  }

  const invalidOrRejected = counts.invalid + counts.rejected;
  const status: RunStatus = failure ? 'failed' : interrupted ? 'interrupted' : invalidOrRejected > 0 ? 'some-invalid' : 'ok';
  const finishedAt = new Date();
  const delivery = target?.stats();
  const unsent = target ? counts.valid - counts.imported - counts.alreadyPresent - counts.rejected : 0;
  const durationMs = finishedAt.getTime() - startedAt.getTime();
  const report: Report = {
    tool: 'chatmigrate',
    version: VERSION,
    command: config.command,
    ...(config.command === 'import' ? { target: config.to } : {}),
    input: { name: input?.name ?? config.input ?? 'stdin', format: reader?.format, bytes: reader?.bytesSeen ?? 0, compressed: input?.compressed ?? false },
    read: counts.read,
    invalid: counts.invalid,
    skipped: counts.skipped,
    duplicates: counts.duplicates,
    valid: counts.valid,
    conflicts: counts.conflicts,
    ...(target ? { imported: counts.imported, alreadyPresent: counts.alreadyPresent, rejected: counts.rejected, unsent } : {}),
    reasons: counts.reasons,
    ...(Object.keys(skippedBy).length > 0 ? { skippedBy } : {}),
    ...(delivery
      ? {
          requests: delivery.requests,
          retries: delivery.retries,
          throttled: delivery.throttled,
          achievedRpm: durationMs > 0 ? Math.round((delivery.requests / durationMs) * 60_000 * 10) / 10 : 0,
          ...(config.rpm > 0 ? { budgetUsed: Math.round(((delivery.requests / durationMs) * config.rateWindowMs * 1000) / config.rpm) / 1000 } : {}),
        }
      : {}),
    plan: planDelivery(counts.valid, config.batchSize, config.rpm),
    durationMs,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    status,
    exitCode: exitCodeFor(status, failure?.exitCode),
    ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
  };
  log.info({ read: report.read, valid: report.valid, invalid: report.invalid, duplicates: report.duplicates, status, durationMs }, 'run finished');
  return report;
}

class Interrupted extends Error {}

function position(index: number, offset: number, line: number) {
  return line > 0 ? { index, offset, line } : { index, offset };
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

function malformedRecord(text: string, offset: number, line: number, err: unknown): MalformedInputError {
  const at = locateJsonError(text);
  const byteOffset = offset + Buffer.byteLength(text.slice(0, at));
  const detail = err instanceof Error ? err.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '') : 'invalid JSON';
  return new MalformedInputError(`${detail} near ${JSON.stringify(excerptAround(text, at))}`, byteOffset, line);
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
