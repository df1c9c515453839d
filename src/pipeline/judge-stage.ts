// The transform stage's last step, on the main thread: each processed record, in input order,
// through the shard filter and the dedupe index into its bucket of the ledger; new valid records
// go on to delivery. A record below a resumed run's resume point only rebuilds the dedupe index.
// For a kind delivered in order (messages), a new valid record earlier than the one before it is
// counted as out of order.

import type { Ledger } from '../accounting/ledger.js';
import type { RejectEntry } from '../accounting/rejects-writer.js';
import { MalformedInputError } from '../sources/formats.js';
import type { PendingBlock } from '../transforms/block-builder.js';
import { originalOf, position, recordEnd } from '../transforms/block-positions.js';
import { INVALID, readResult, SKIPPED, type BlockResult, type ResultCursor } from '../transforms/block-results.js';
import { CONFLICT, NEW, type DedupeIndex } from '../transforms/dedupe/dedupe-index.js';
import type { ShardFilter } from '../transforms/shard.js';

/** A new valid record for delivery: what the ledger holds and the sink sends. */
export interface AcceptedRecord {
  index: number;
  byteEnd: number;
  key: string;
  json: string;
  offset: number;
  line: number;
  /** Its order value is earlier than the previous new valid record's (counted by the ledger). */
  late: boolean;
}

export interface JudgeOptions {
  ledger: Ledger;
  dedupe: DedupeIndex;
  shard: ShardFilter;
  /** Rejects are written: invalid and conflicting records are quoted from the input. */
  wantRejects: boolean;
  /** The kind's key field (memberId, uid, guid, muid), named in the messages. */
  keyField: string;
  /** An invalid record that plainly looks like another kind's or source's (a run-level hint). */
  onLookAlike?: (look: string) => void;
  /** Import: new valid records beyond the resume point go here (validate counts them valid). */
  deliver?: (record: AcceptedRecord) => void;
  /** A resumed run: called once, before the first record beyond the resume point is judged. */
  onResumePoint?: () => void;
}

/** Judges every record of a processed block; throws MalformedInputError when the block ended at one. */
export function createJudge(o: JudgeOptions): (block: PendingBlock, result: BlockResult) => void {
  const { ledger, dedupe, shard } = o;
  let beforeResumePoint = o.onResumePoint !== undefined;
  /** The order value of the last new valid record (0 for kinds without one: never out of order). */
  let previousOrder = -Infinity;
  const conflictMessage = `same ${o.keyField} as an earlier record but different content; the first one wins`;

  function reject(block: PendingBlock, i: number, reason: string, message: string): () => RejectEntry {
    // The original record is parsed again only for a rejects file (a rare path).
    return () => ({ reason, message, position: position(block, i), ...originalOf(block, i) });
  }

  function judgeValid(block: PendingBlock, i: number, index: number, end: number, r: ResultCursor): void {
    if (!shard.byFingerprint(r.words[r.wordOffset]!)) return ledger.skipped(index, end, 'other-shard');
    const verdict = dedupe.addHashed(r.words, r.wordOffset, r.digest);
    if (verdict !== NEW) {
      const conflict = verdict === CONFLICT;
      return ledger.duplicate(index, end, conflict, conflict && o.wantRejects ? reject(block, i, 'DUPLICATE_CONFLICT', `${o.keyField} ${r.key()}: ${conflictMessage}`) : undefined);
    }
    const order = r.order;
    const late = order < previousOrder;
    previousOrder = order;
    if (o.deliver === undefined || index < ledger.resumeAt) return ledger.valid(index, end, late);
    o.deliver({ index, byteEnd: end, key: r.key(), json: r.json(), offset: block.offsets[i]!, line: block.lines[i]!, late });
  }

  return (block, result) => {
    const r = readResult(result);
    // Start the block's table reads together: independent cache misses overlap.
    dedupe.prefetchHashed(r.words, 0, r.count, r.stride);
    while (r.next()) {
      const i = r.at;
      const index = block.firstIndex + i;
      if (beforeResumePoint && index >= ledger.resumeAt) {
        beforeResumePoint = false;
        o.onResumePoint?.();
      }
      const end = recordEnd(block, i);
      if (r.status === SKIPPED) ledger.skipped(index, end, shard.byIndex(index) ? r.rule : 'other-shard');
      // A sharded run reports an invalid record in one shard only (by position: it may have no key).
      else if (r.status === INVALID) {
        if (!shard.byIndex(index)) ledger.skipped(index, end, 'other-shard');
        else {
          ledger.invalid(index, end, r.reason, o.wantRejects ? reject(block, i, r.reason, r.message) : undefined, r.field);
          const look = r.looksLike;
          if (look !== undefined) o.onLookAlike?.(look);
        }
      } else judgeValid(block, i, index, end, r);
    }
    ledger.cut();
    const bad = result.malformed;
    if (bad) throw new MalformedInputError(bad.message, block.offsets[bad.index]! + bad.byteDelta, block.lines[bad.index]!);
  };
}
