// Settles records in input order. Records are read far ahead of their delivery, and delivery
// outcomes arrive out of order; the ledger keeps the read-ahead in segments (a block or a batch
// each) and moves the watermark over a segment once every record in it has its final outcome.
// Below the watermark, counts are final and the rejects file is exact: that is what a checkpoint
// saves, and why its rejects file can be cut back to a known length on resume.

import type { PendingRecord, RecordOutcome } from '../sinks/sink.js';
import type { WindowEntry, WindowState } from './checkpoint-file.js';
import type { RejectEntry } from './rejects-writer.js';
import { countReason, createCounts, type Counts } from './report.js';

/** A valid record handed to the target, with what the ledger and the rejects file need. */
export interface LedgerRecord extends PendingRecord {
  offset: number;
  line: number;
  segment: Segment;
  /** q: queued, not sent yet; s: sent, no outcome yet; i/a/r: imported, already present, rejected. */
  state: 'q' | WindowState;
  /** The journal said it was sent before a crash: "already present" then means delivered by us. */
  resent?: boolean;
  code?: string;
  message?: string;
}

export interface Segment {
  /** Input index one past the segment's last record. */
  end: number;
  /** Input byte offset just after its last record. */
  byteEnd: number;
  /** Records still waiting for an outcome. */
  pending: number;
  closed: boolean;
  delta: Counts;
  skippedBy: Record<string, number> | undefined;
  rejects: RejectEntry[] | undefined;
  /** Its records handed to the target, for the checkpoint's window. */
  sent: LedgerRecord[] | undefined;
}

export const enum Bucket {
  Invalid,
  Skipped,
  Duplicate,
  Conflict,
  /** Valid with no delivery (validate). */
  Valid,
}

export interface LedgerOptions {
  /** Where settled accounting starts (a resumed run: the checkpoint's watermark and counts). */
  start?: { records: number; byteEnd: number; counts: Counts; skippedBy: Record<string, number> };
  /** Rejects of settled records, in input order. */
  onReject(entry: RejectEntry): void;
  /** The watermark moved to `byteEnd`. */
  onAdvance?(byteEnd: number): void;
}

export interface Ledger {
  /** A record with a final outcome at read time. */
  account(index: number, byteEnd: number, bucket: Bucket, reason?: string, reject?: RejectEntry, skipRule?: string): void;
  /** A valid record that goes to the target: settled later by settle(). */
  hold(record: Omit<LedgerRecord, 'segment' | 'state'>, byteEnd: number): LedgerRecord;
  settle(record: LedgerRecord, outcome: RecordOutcome, reject?: RejectEntry): void;
  /** Ends the current segment (end of a block, or a full batch). */
  cut(): void;
  /** Records [0, records) are settled; their bytes end at byteEnd. */
  watermark(): { records: number; byteEnd: number };
  readonly counts: Counts;
  readonly skippedBy: Record<string, number>;
  /** Sent records beyond the watermark and what became of them. */
  window(): WindowEntry[];
  /** At a stop: hands out the rejects held beyond the watermark (input order), for a run that will not resume them. */
  releaseHeldRejects(): void;
}

export function createLedger(options: LedgerOptions): Ledger {
  const counts = options.start ? structuredClone(options.start.counts) : createCounts();
  const skippedBy: Record<string, number> = options.start ? { ...options.start.skippedBy } : {};
  let settledRecords = options.start?.records ?? 0;
  let settledByteEnd = options.start?.byteEnd ?? 0;
  const open: Segment[] = [];
  let current: Segment | undefined;

  function segment(): Segment {
    if (current) return current;
    current = { end: settledRecords, byteEnd: settledByteEnd, pending: 0, closed: false, delta: createCounts(), skippedBy: undefined, rejects: undefined, sent: undefined };
    const last = open[open.length - 1];
    if (last) {
      current.end = last.end;
      current.byteEnd = last.byteEnd;
    }
    open.push(current);
    return current;
  }

  function advance(): void {
    let moved = false;
    while (open.length > 0 && open[0]!.closed && open[0]!.pending === 0) {
      const s = open.shift()!;
      addCounts(counts, s.delta);
      if (s.skippedBy) for (const [rule, n] of Object.entries(s.skippedBy)) skippedBy[rule] = (skippedBy[rule] ?? 0) + n;
      if (s.rejects) for (const r of sortedByIndex(s.rejects)) options.onReject(r);
      settledRecords = s.end;
      settledByteEnd = s.byteEnd;
      moved = true;
    }
    if (moved) options.onAdvance?.(settledByteEnd);
  }

  return {
    account(index, byteEnd, bucket, reason, reject, skipRule) {
      const s = segment();
      s.end = index + 1;
      s.byteEnd = byteEnd;
      const d = s.delta;
      d.read++;
      switch (bucket) {
        case Bucket.Invalid:
          d.invalid++;
          if (reason) countReason(d, reason);
          break;
        case Bucket.Skipped:
          d.skipped++;
          s.skippedBy ??= {};
          s.skippedBy[skipRule ?? 'rule'] = (s.skippedBy[skipRule ?? 'rule'] ?? 0) + 1;
          break;
        case Bucket.Conflict:
          d.conflicts++;
          d.duplicates++;
          break;
        case Bucket.Duplicate:
          d.duplicates++;
          break;
        case Bucket.Valid:
          d.valid++;
          break;
      }
      if (reject) (s.rejects ??= []).push(reject);
    },
    hold(record, byteEnd) {
      const s = segment();
      s.end = record.index + 1;
      s.byteEnd = byteEnd;
      s.delta.read++;
      s.delta.valid++;
      s.pending++;
      const held = record as LedgerRecord;
      held.segment = s;
      held.state = 'q';
      (s.sent ??= []).push(held);
      return held;
    },
    settle(record, outcome, reject) {
      const s = record.segment;
      const d = s.delta;
      if (outcome.kind === 'imported') {
        d.imported++;
        record.state = 'i';
      } else if (outcome.kind === 'alreadyPresent') {
        d.alreadyPresent++;
        record.state = 'a';
      } else {
        d.rejected++;
        countReason(d, outcome.code);
        record.state = 'r';
        record.code = outcome.code;
        record.message = outcome.message;
        if (reject) (s.rejects ??= []).push(reject);
      }
      s.pending--;
      if (s.pending === 0 && s === open[0]) advance();
    },
    cut() {
      if (!current) return;
      current.closed = true;
      current = undefined;
      advance();
    },
    watermark() {
      return { records: settledRecords, byteEnd: settledByteEnd };
    },
    counts,
    skippedBy,
    window() {
      const out: WindowEntry[] = [];
      for (const s of open) {
        if (!s.sent) continue;
        for (const r of s.sent) {
          if (r.state === 'q') continue;
          out.push(r.state === 'r' ? ['r', r.key, r.code ?? '', r.message ?? ''] : [r.state, r.key]);
        }
      }
      return out;
    },
    releaseHeldRejects() {
      const held: RejectEntry[] = [];
      for (const s of open) if (s.rejects) held.push(...s.rejects.splice(0));
      for (const r of sortedByIndex(held)) options.onReject(r);
    },
  };
}

function sortedByIndex(entries: RejectEntry[]): RejectEntry[] {
  // Usually already in order (read-time rejects); delivery rejects arrive later and are merged in.
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.position.index < entries[i - 1]!.position.index) return entries.sort((a, b) => a.position.index - b.position.index);
  }
  return entries;
}

function addCounts(into: Counts, d: Counts): void {
  into.read += d.read;
  into.invalid += d.invalid;
  into.skipped += d.skipped;
  into.duplicates += d.duplicates;
  into.valid += d.valid;
  into.conflicts += d.conflicts;
  into.imported += d.imported;
  into.alreadyPresent += d.alreadyPresent;
  into.rejected += d.rejected;
  for (const [code, n] of Object.entries(d.reasons)) into.reasons[code] = (into.reasons[code] ?? 0) + n;
}

/** A held record's input position, for the rejects file. */
export function recordPosition(q: LedgerRecord) {
  return q.line > 0 ? { index: q.index, offset: q.offset, line: q.line } : { index: q.index, offset: q.offset };
}
