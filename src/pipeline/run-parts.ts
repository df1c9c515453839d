// The small pieces of a run that pipeline.ts composes: the sink's settings, the progress
// display's data, the bound on read-ahead, and the report with its closing log line.

import type { Checkpoint } from '../accounting/checkpoint-file.js';
import type { Ledger } from '../accounting/ledger.js';
import { buildReport, type Report } from '../accounting/report.js';
import { createCounts } from '../accounting/counts.js';
import { ChatmigrateError } from '../errors.js';
import type { RunConfig } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { ProgressOptions } from '../observability/progress.js';
import type { CometChatTargetConfig } from '../sinks/cometchat/index.js';
import type { DeliveryStage } from './deliver-stage.js';
import { KINDS, type KindName } from '../entities/kinds.js';
import { lookAlikeSuggestion } from '../entities/look-alike.js';
import type { ReadStage } from './read-stage.js';

/** Read-ahead past the checkpoint watermark that makes reading wait for delivery to catch up. */
const MAX_READ_AHEAD_BYTES = 64 * 1024 * 1024;

/** The sink of the run's kind: `/data_import/<kind>`; a kind with an order (messages) is sent in it, one request at a time. */
export function sinkConfig(config: RunConfig, kind: KindName): CometChatTargetConfig {
  const ordered = KINDS[kind].order !== undefined;
  return {
    endpoint: kind,
    ...(ordered ? { ordered } : {}),
    ...(config.ids !== undefined ? { wantIds: true } : {}),
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

export function progressSample(config: RunConfig, stream: NodeJS.WriteStream, input: ReadStage, ledger: Ledger, log: Logger, delivery: DeliveryStage | undefined, replaying: () => boolean, label: string = config.command): ProgressOptions {
  const importing = delivery !== undefined;
  const onTerminal = Boolean(stream.isTTY);
  const totals = ledger.totals;
  return {
    mode: config.progress === false ? 'log' : onTerminal ? 'terminal' : config.progress === true ? 'lines' : 'log',
    stream,
    label,
    totalBytes: input.size,
    quota: importing ? { batchSize: config.batchSize, rpm: config.rpm, windowMs: config.rateWindowMs } : undefined,
    logger: log,
    sample: () => ({
      // A resumed run counts its re-read prefix until it reaches the resume point, then the totals.
      records: replaying() ? ledger.replayed().counts.read : totals.read,
      sourceBytes: input.sourceBytesRead(),
      bytesRead: input.bytesSeen,
      bytesJudged: ledger.judgedBytes,
      ...(delivery ? { valid: totals.valid, delivered: totals.imported + totals.alreadyPresent + totals.rejected, throttled: delivery.stats().throttled } : {}),
    }),
  };
}

/**
 * Far ahead of the watermark (a batch stuck in retries while others flow): let delivery catch up
 * before reading on, so the records, rejects and input bytes held for it stay bounded.
 */
export async function boundReadAhead(input: ReadStage, ledger: Ledger, delivery: DeliveryStage | undefined, signal: AbortSignal | undefined, log: Logger): Promise<void> {
  if (!delivery) return;
  const ahead = input.bytesSeen - ledger.watermark().byteEnd;
  if (ahead <= MAX_READ_AHEAD_BYTES) return;
  log.info({ bytes: ahead }, 'waiting for delivery to catch up with reading');
  await delivery.finish(signal);
}

/** No record at all: in a script without pipefail, a failed `zcat … |` would otherwise pass for success. */
export function emptyInput(name: string): ChatmigrateError {
  return new ChatmigrateError('CM_INPUT_EMPTY', `${name} held no records: nothing was checked or sent`, {
    hint: name === 'stdin' ? 'did the command before the pipe fail? (add --allow-empty if an empty export is expected)' : 'check the file (add --allow-empty if an empty export is expected)',
  });
}

export interface RunEnd {
  config: RunConfig;
  ledger: Ledger | undefined;
  read: ReadStage | undefined;
  delivery: DeliveryStage | undefined;
  checkpoint: Checkpoint | undefined;
  startedAt: Date;
  interrupted: boolean;
  failure: ChatmigrateError | undefined;
  alreadyComplete: boolean;
  /** Invalid records of this run that look like another kind's or source's, by what they look like. */
  lookAlikes: ReadonlyMap<string, number>;
  /** The end of the hint for records that look like a Rocket.Chat export, when the command has its own. */
  rocketchatAdvice?: string;
  log: Logger;
}

export function reportRun(e: RunEnd): Report {
  const { config, read, checkpoint } = e;
  const totals = e.ledger?.totals ?? createCounts();
  // This run's records alone (a resumed run's totals include the earlier runs').
  const judged = totals.read - (checkpoint?.counts.read ?? 0);
  const invalid = totals.invalid - (checkpoint?.counts.invalid ?? 0);
  const report = buildReport({
    config,
    kind: read?.kind ?? config.kind ?? 'members',
    suggestion: lookAlikeSuggestion(e.lookAlikes, invalid, judged, e.rocketchatAdvice),
    counts: totals,
    skippedBy: e.ledger?.skippedBy ?? {},
    input: { name: read?.name ?? config.input ?? 'stdin', format: read?.format, bytes: read?.bytesSeen ?? 0, compressed: read?.compressed ?? false },
    delivery: e.delivery?.stats(),
    ids: e.delivery?.ids(),
    ...(checkpoint ? { prior: { delivery: checkpoint.delivery, records: checkpoint.watermark.records, elapsedMs: checkpoint.elapsedMs } } : {}),
    startedAt: e.startedAt,
    interrupted: e.interrupted,
    failure: e.failure,
    alreadyComplete: e.alreadyComplete,
  });
  const delivered = report.imported === undefined ? {} : { imported: report.imported, alreadyPresent: report.alreadyPresent, rejected: report.rejected, unsent: report.unsent, requests: report.requests };
  if (report.alreadyComplete) e.log.info({ checkpoint: config.checkpoint, records: checkpoint?.watermark.records }, 'the job in the checkpoint was already complete: nothing was sent');
  e.log.info({ kind: report.kind, read: report.read, valid: report.valid, invalid: report.invalid, duplicates: report.duplicates, skipped: report.skipped, ...delivered, status: report.status, durationMs: report.durationMs }, 'run finished');
  if ((report.ids?.missing ?? 0) > 0) e.log.warn({ ids: config.ids, missing: report.ids!.missing }, 'some imported messages have no line in --ids: the reply that carried their id was lost');
  if (report.suggestion !== undefined) e.log.warn({ kind: report.kind, invalid: report.invalid, read: report.read }, report.suggestion);
  if (report.read === 0 && (report.status === 'ok' || report.status === 'some-invalid')) e.log.warn({ input: report.input.name }, 'the input held no records: nothing was checked or sent');
  return report;
}
