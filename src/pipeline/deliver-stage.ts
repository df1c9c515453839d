// The sink stage: new valid records in, batches of up to --batch-size out to the sink of the run's
// kind, and every outcome back into the ledger and the delivery journal (and message ids into
// --ids). A resumed run settles what the journal says was answered before the stop, and sends
// again only what may not have arrived.

import type { DeliveryJournal } from '../accounting/delivery-journal.js';
import type { IdsWriter } from '../accounting/ids-writer.js';
import { recordPosition, type Ledger, type LedgerRecord } from '../accounting/ledger.js';
import type { WindowEntry } from '../accounting/checkpoint-file.js';
import type { Log } from '../log.js';
import { createCometChatSink, type CometChatTargetConfig } from '../sinks/cometchat/index.js';
import type { DeliveryStats, PendingRecord, RecordOutcome, Sink } from '../sinks/sink.js';
import { untilAborted } from './abortable.js';
import type { AcceptedRecord } from './judge-stage.js';

export interface DeliveryStage {
  /** A new valid record: held by the ledger, then batched (or settled from the journal). */
  accept(record: AcceptedRecord): void;
  /** Hands the full batches to the sink (waits while its window is full: backpressure). */
  submitReady(signal: AbortSignal | undefined): Promise<void>;
  /** Sends the last partial batch and waits for every outcome. */
  finish(signal: AbortSignal | undefined): Promise<void>;
  /** Stops sending; requests on the wire get `graceMs` to finish. */
  close(graceMs: number): Promise<void>;
  stats(): DeliveryStats;
  /** --ids: lines this run wrote, and messages it imported whose id it never learned. */
  ids(): IdsFigures | undefined;
}

export interface IdsFigures {
  written: number;
  /** Imported, but the reply that carried the id was lost (a 5xx after the server stored the batch, a stop): their re-send is answered "already present", without an id. */
  missing: number;
}

export interface DeliveryDeps {
  ledger: Ledger;
  /** The journal once safekeeping opened it (--checkpoint), else undefined. */
  journal: () => DeliveryJournal | undefined;
  /** A resumed run: what became of records sent beyond the watermark, by key. */
  window: Map<string, WindowEntry> | undefined;
  /** --ids: where the ids of imported messages go. */
  ids?: IdsWriter | undefined;
  log: Log;
}

export function createDeliveryStage(sinkConfig: CometChatTargetConfig, d: DeliveryDeps): DeliveryStage {
  const { ledger, window } = d;
  let batch: LedgerRecord[] = [];
  const ready: LedgerRecord[][] = [];

  /** Journaled just before the request is written: after a kill, the resumed run knows what may have arrived. */
  function onSend(sent: readonly PendingRecord[]): void {
    for (const pending of sent) {
      const record = pending as LedgerRecord;
      // Sent before and not refused since: that send may have stored it (a 5xx after part of a
      // batch was stored), so "already present" now means delivered by us.
      if (record.state === 's') record.resent = true;
      record.state = 's'; // only unsettled records are sent
      d.journal()?.add(['s', pending.key]);
    }
    d.journal()?.commit();
  }

  /** A send refused unprocessed (auth, rate limit) did not deliver: not "maybe arrived" after a stop. */
  function onRefused(refused: readonly PendingRecord[]): void {
    for (const pending of refused) {
      const record = pending as LedgerRecord;
      // Sent in an earlier run too: that send may still have arrived.
      if (record.resent === true || record.state !== 's') continue;
      record.state = 'q';
      d.journal()?.add(['q', record.key]);
    }
    d.journal()?.commit();
  }

  let idsMissing = 0;

  /** `journaled`: settled from an earlier run's journal (its id, if any, is in the file since then). */
  function onOutcome(pending: PendingRecord, reported: RecordOutcome, journaled = false): void {
    const record = pending as LedgerRecord;
    // Our own delivery from before a crash comes back as "already present": it was imported.
    const outcome: RecordOutcome = record.resent && reported.kind === 'alreadyPresent' ? { kind: 'imported' } : reported;
    if (outcome.kind === 'imported' && d.ids !== undefined && !journaled) {
      if (outcome.id !== undefined) d.ids.add(record.key, outcome.id);
      else idsMissing++;
    }
    const reject =
      outcome.kind === 'rejected'
        ? { reason: outcome.code, message: outcome.message, position: recordPosition(record), key: record.key, record: JSON.parse(record.json) as unknown }
        : undefined;
    ledger.settle(record, outcome, reject);
    d.journal()?.add(outcome.kind === 'imported' ? ['i', record.key] : outcome.kind === 'alreadyPresent' ? ['a', record.key] : ['r', record.key, outcome.code, outcome.message]);
  }

  // Ids reach their file before the journal says the batch was answered.
  const onBatchSettled = (): void => {
    d.ids?.flush();
    d.journal()?.commit();
  };
  const sink: Sink = createCometChatSink(sinkConfig, { onOutcome, onSend, onRefused, onBatchSettled }, d.log);

  /**
   * A record the journal says was answered before the stop is settled as it was, not sent again;
   * one that was on the wire is sent again, and "already present" then means it was ours.
   */
  function settleFromJournal(record: LedgerRecord): boolean {
    const entry = window!.get(record.key);
    if (!entry) return false;
    window!.delete(record.key);
    if (entry[0] === 's') {
      // It may have arrived before the stop: remembered as sent until it is answered, in every checkpoint.
      record.resent = true;
      record.state = 's';
      return false;
    }
    onOutcome(record, entry[0] === 'i' ? { kind: 'imported' } : entry[0] === 'a' ? { kind: 'alreadyPresent', code: 'JOURNAL' } : { kind: 'rejected', code: entry[2]!, message: entry[3]! }, true);
    return true;
  }

  return {
    accept(a) {
      const record = ledger.hold({ key: a.key, json: a.json, index: a.index, offset: a.offset, line: a.line }, a.byteEnd, a.late);
      if (window !== undefined && window.size > 0 && settleFromJournal(record)) return;
      batch.push(record);
      if (batch.length === sinkConfig.batchSize) {
        ready.push(batch);
        batch = [];
        ledger.cut();
      }
    },
    async submitReady(signal) {
      for (const b of ready.splice(0)) await untilAborted(sink.submit(b), signal);
    },
    async finish(signal) {
      for (const b of ready.splice(0)) await untilAborted(sink.submit(b), signal);
      if (batch.length > 0) {
        ledger.cut();
        await untilAborted(sink.submit(batch.splice(0)), signal);
      }
      await untilAborted(sink.drain(), signal);
    },
    close: (graceMs) => sink.close(graceMs),
    stats: () => sink.stats(),
    ids: () => (d.ids === undefined ? undefined : { written: d.ids.written, missing: idsMissing }),
  };
}
