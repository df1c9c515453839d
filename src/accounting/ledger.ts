// The only owner of a run's counts. Every record read is put in its bucket here, in input order,
// and delivery outcomes arrive here out of order. Two views: the totals so far (report, progress)
// and the settled prefix behind the watermark, moved over a segment (a block or a batch) once
// every record in it has its final outcome: the counts and rejects a checkpoint may save, and why
// its rejects file can be cut back to a known length on resume.
//
// A resumed run reads the settled prefix again: those records (index below the resume point) are
// only tallied, to be proved equal to the checkpoint's, while the totals start from its counts.

import type { PendingRecord, RecordOutcome } from '../sinks/sink.js';
import type { WindowEntry, WindowState } from './checkpoint-file.js';
import type { RejectEntry } from './rejects-writer.js';
import { addCounts, addSkips, countField, countReason, createCounts, type Counts } from './counts.js';

/** A valid record handed to the sink, with what the ledger and the rejects file need. */
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

interface Segment {
  /** Input index one past the segment's last record, and the byte offset after it. */
  end: number;
  byteEnd: number;
  /** Records still waiting for an outcome. */
  pending: number;
  closed: boolean;
  delta: Counts;
  skippedBy: Record<string, number> | undefined;
  rejects: RejectEntry[] | undefined;
  /** Its records handed to the sink, for the checkpoint's window. */
  sent: LedgerRecord[] | undefined;
}

export interface LedgerStart {
  records: number;
  byteEnd: number;
  counts: Counts;
  skippedBy: Record<string, number>;
}

export interface LedgerOptions {
  /** A resumed run: the checkpoint's watermark and counts. Records below `records` are re-read, not re-counted. */
  start?: LedgerStart;
  /** Rejects of settled records, in input order. */
  onReject(entry: RejectEntry): void;
  /** The watermark moved to `byteEnd`. */
  onAdvance?(byteEnd: number): void;
}

export interface Ledger {
  /** Records below this index were settled by an earlier run (0 for a fresh run). */
  readonly resumeAt: number;
  /** `field`: the field that broke a rule, when one did (counted per reason). */
  invalid(index: number, byteEnd: number, reason: string, reject?: () => RejectEntry, field?: string): void;
  skipped(index: number, byteEnd: number, rule: string): void;
  duplicate(index: number, byteEnd: number, conflict: boolean, reject?: () => RejectEntry): void;
  /**
   * A valid record that is not delivered (validate, or a re-read settled one). `outOfOrder`: its
   * order value is earlier than the previous new valid record's (kinds delivered in order).
   */
  valid(index: number, byteEnd: number, outOfOrder?: boolean): void;
  /** A valid record that goes to the sink: settled later by settle(). */
  hold(record: Omit<LedgerRecord, 'segment' | 'state'>, byteEnd: number, outOfOrder?: boolean): LedgerRecord;
  settle(record: LedgerRecord, outcome: RecordOutcome, reject?: RejectEntry): void;
  /** Ends the current segment (end of a block, or a full batch). */
  cut(): void;
  /** Everything read so far (cumulative over resumed runs): the report's and the progress's counts. */
  readonly totals: Counts;
  readonly skippedBy: Record<string, number>;
  /** Records [0, records) are settled; their bytes end at byteEnd. */
  watermark(): { records: number; byteEnd: number };
  /** Where the last record put in a bucket ends in the input (re-read ones included): how far reading has been judged. */
  readonly judgedBytes: number;
  /** Counts of the settled records (what a checkpoint saves). */
  settled(): { counts: Counts; skippedBy: Record<string, number> };
  /** The re-read prefix of a resumed run: its read-time counts and where its last record ends. */
  replayed(): { counts: Counts; byteEnd: number };
  /** Sent records beyond the watermark and what became of them. */
  window(): WindowEntry[];
  /** At a stop: hands out the rejects held beyond the watermark (input order), for a run that will not resume them. */
  releaseHeldRejects(): void;
}

export function createLedger(options: LedgerOptions): Ledger {
  const start = options.start;
  const resumeAt = start?.records ?? 0;
  const totals = start ? structuredClone(start.counts) : createCounts();
  const skippedBy: Record<string, number> = start ? { ...start.skippedBy } : {};
  const settledCounts = start ? structuredClone(start.counts) : createCounts();
  const settledSkips: Record<string, number> = start ? { ...start.skippedBy } : {};
  const replay = createCounts();
  let replayByteEnd = 0;
  let judgedBytes = 0;
  let settledRecords = resumeAt;
  let settledByteEnd = start?.byteEnd ?? 0;
  const open: Segment[] = [];
  let current: Segment | undefined;

  function segment(index: number, byteEnd: number): Segment {
    if (!current) {
      const last = open[open.length - 1];
      current = { end: last?.end ?? settledRecords, byteEnd: last?.byteEnd ?? settledByteEnd, pending: 0, closed: false, delta: createCounts(), skippedBy: undefined, rejects: undefined, sent: undefined };
      open.push(current);
    }
    current.end = index + 1;
    current.byteEnd = byteEnd;
    return current;
  }

  function advance(): void {
    let moved = false;
    while (open.length > 0 && open[0]!.closed && open[0]!.pending === 0) {
      const s = open.shift()!;
      addCounts(settledCounts, s.delta);
      if (s.skippedBy) addSkips(settledSkips, s.skippedBy);
      if (s.rejects) for (const r of sortedByIndex(s.rejects)) options.onReject(r);
      settledRecords = s.end;
      settledByteEnd = s.byteEnd;
      moved = true;
    }
    if (moved) options.onAdvance?.(settledByteEnd);
  }

  /**
   * Where a read-time outcome goes: nowhere but the replay tally for a re-read settled record
   * (undefined), else the open segment, which the caller counts in (as in the totals).
   */
  function segmentFor(index: number, byteEnd: number): Segment | undefined {
    judgedBytes = byteEnd;
    if (index < resumeAt) {
      replay.read++;
      replayByteEnd = byteEnd;
      return undefined;
    }
    totals.read++;
    const s = segment(index, byteEnd);
    s.delta.read++;
    return s;
  }

  return {
    resumeAt,
    invalid(index, byteEnd, reason, reject, field) {
      const s = segmentFor(index, byteEnd);
      const c = s === undefined ? replay : s.delta;
      c.invalid++;
      countReason(c, reason);
      if (field !== undefined) countField(c, reason, field);
      if (s === undefined) return;
      totals.invalid++;
      countReason(totals, reason);
      if (field !== undefined) countField(totals, reason, field);
      if (reject) (s.rejects ??= []).push(reject());
    },
    skipped(index, byteEnd, rule) {
      const s = segmentFor(index, byteEnd);
      if (s === undefined) {
        replay.skipped++;
        return;
      }
      totals.skipped++;
      s.delta.skipped++;
      skippedBy[rule] = (skippedBy[rule] ?? 0) + 1;
      s.skippedBy ??= {};
      s.skippedBy[rule] = (s.skippedBy[rule] ?? 0) + 1;
    },
    duplicate(index, byteEnd, conflict, reject) {
      const s = segmentFor(index, byteEnd);
      const c = s === undefined ? replay : s.delta;
      c.duplicates++;
      if (conflict) c.conflicts++;
      if (s === undefined) return;
      totals.duplicates++;
      if (conflict) totals.conflicts++;
      if (reject) (s.rejects ??= []).push(reject());
    },
    valid(index, byteEnd, outOfOrder = false) {
      const s = segmentFor(index, byteEnd);
      const c = s === undefined ? replay : s.delta;
      c.valid++;
      if (outOfOrder) c.outOfOrder++;
      if (s === undefined) return;
      totals.valid++;
      if (outOfOrder) totals.outOfOrder++;
    },
    hold(record, byteEnd, outOfOrder = false) {
      const s = segmentFor(record.index, byteEnd)!;
      totals.valid++;
      s.delta.valid++;
      if (outOfOrder) {
        totals.outOfOrder++;
        s.delta.outOfOrder++;
      }
      s.pending++;
      const held = record as LedgerRecord;
      held.segment = s;
      held.state = 'q';
      (s.sent ??= []).push(held);
      return held;
    },
    settle(record, outcome, reject) {
      const s = record.segment;
      if (outcome.kind === 'imported') {
        s.delta.imported++;
        totals.imported++;
        record.state = 'i';
      } else if (outcome.kind === 'alreadyPresent') {
        s.delta.alreadyPresent++;
        totals.alreadyPresent++;
        record.state = 'a';
      } else {
        s.delta.rejected++;
        totals.rejected++;
        countReason(s.delta, outcome.code);
        countReason(totals, outcome.code);
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
    totals,
    skippedBy,
    watermark: () => ({ records: settledRecords, byteEnd: settledByteEnd }),
    get judgedBytes() {
      return judgedBytes;
    },
    settled: () => ({ counts: structuredClone(settledCounts), skippedBy: { ...settledSkips } }),
    replayed: () => ({ counts: replay, byteEnd: replayByteEnd }),
    window() {
      const out: WindowEntry[] = [];
      for (const s of open) {
        for (const r of s.sent ?? []) {
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

/** A held record's input position, for the rejects file. */
export function recordPosition(q: LedgerRecord) {
  return q.line > 0 ? { index: q.index, offset: q.offset, line: q.line } : { index: q.index, offset: q.offset };
}
