// Where a block's records were in the input (index, byte offset, line, end) and what they were,
// for the rejects file and the checkpoint watermark. Main thread only: reads the block's bytes.

import type { PendingBlock } from './block-builder.js';
import { decodeBsonDocument, isBsonDocument, rawBsonForm } from '../sources/bson-document.js';
import { unwrapRejectEntry } from '../sources/rejects-input.js';
import { mayNestTooDeep, tooDeepAt } from '../entities/nesting.js';

/** Input byte offset just after record i of the block (its bytes are copied verbatim). */
export function recordEnd(block: PendingBlock, i: number): number {
  const ends = block.input.ends;
  return block.offsets[i]! + ends[i]! - (i === 0 ? 0 : ends[i - 1]!);
}

export function position(block: PendingBlock, i: number) {
  const index = block.firstIndex + i;
  const offset = block.offsets[i]!;
  const line = block.lines[i]!;
  return line > 0 ? { index, offset, line } : { index, offset };
}

/** The record as it was in the input (and its map key), for the rejects file. Rare path. */
export function originalOf(block: PendingBlock, i: number): { record: unknown; key?: string } {
  const start = i === 0 ? 0 : block.input.ends[i - 1]!;
  const bytes = Buffer.from(block.input.bytes.buffer, block.input.bytes.byteOffset, block.input.bytes.byteLength);
  const end = block.input.ends[i]!;
  // A record nested too deep for JSON.stringify (NESTED_TOO_DEEP) is kept as it was read.
  const deep = (v: unknown): boolean => mayNestTooDeep(end - start) && tooDeepAt(v) !== undefined;
  if (isBsonDocument(bytes, start, end)) {
    // A mongodump document as extended JSON (its mongoexport form); one that does not decode, as its bytes.
    try {
      const record = decodeBsonDocument(bytes, start, end);
      return { record: deep(record) ? rawBsonForm(bytes, start, end) : record };
    } catch {
      return { record: rawBsonForm(bytes, start, end) };
    }
  }
  const text = bytes.toString('utf8', start, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { record: text }; // a line that is not JSON (--on-malformed skip): its raw text
  }
  const fedBack = unwrapRejectEntry(value);
  const key = fedBack ? fedBack.key : block.input.keys?.[i];
  const given = fedBack ? fedBack.record : value;
  const record = deep(given) ? text : given;
  return key === undefined ? { record } : { record, key };
}
