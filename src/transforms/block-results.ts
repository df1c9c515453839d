// The one module that knows how a processed block travels from a worker thread back to the main
// thread: a writer that decode-block.ts fills record by record, and a reader that walks the
// result record by record (a reused cursor, so reading allocates nothing per record).
//
// Everything numeric sits in one Int32Array (a thread hop then moves one buffer): per record its
// key's 128-bit fingerprint, its status and content digest, and where its key and JSON end in
// two joined strings. Problems (invalid, skipped, malformed) are rare and travel as small objects.

import { fingerprint128 } from './dedupe/fingerprint.js';
import type { ReasonCode } from '../entities/reasons.js';

export const VALID = 0;
export const INVALID = 1;
/** Excluded by a rule (a source's, e.g. a Rocket.Chat direct-message room, or a kind's, e.g. retention). */
export const SKIPPED = 2;
export type RecordStatus = typeof VALID | typeof INVALID | typeof SKIPPED;

const WORDS = 7; // fingerprint (4), status << 16 | digest, end of key, end of JSON
const W_STATUS_DIGEST = 4;
const W_KEY_END = 5;
const W_JSON_END = 6;

export interface BlockResult {
  /** Records processed: all of the block's, or those before a malformed one. */
  count: number;
  words: Int32Array;
  /** Keys of the valid records, joined. */
  keys: string;
  /** Canonical JSON of the valid records, joined (only when JSON was asked for). */
  jsons: string;
  /** The kind's order value (seconds) per record, for a kind delivered in order (messages). */
  orders?: Float64Array;
  /** `looksLike`: another kind (or source) the invalid record plainly belongs to (entities/look-alike.ts). */
  invalid: Array<{ index: number; reason: ReasonCode; message: string; field?: string; looksLike?: string }>;
  skipped: Array<{ index: number; rule: string }>;
  /** The first record that is not JSON at all: the run stops there. */
  malformed?: { index: number; byteDelta: number; message: string };
  /** The block's bytes, handed back when the block went to another thread. */
  input?: { bytes: Uint8Array; ends: Int32Array };
}

export interface ResultWriter {
  /** `digest`: the 16-bit digest of its content; `order`: its order value, for a kind that has one. */
  valid(i: number, key: string, json: string, digest: number, order?: number): void;
  /** `field`: the field that broke a rule, when one did; `looksLike`: see BlockResult. */
  invalid(i: number, reason: ReasonCode, message: string, field?: string, looksLike?: string): void;
  skipped(i: number, rule: string): void;
  finish(processed: number, malformed?: BlockResult['malformed']): BlockResult;
}

const fingerprint = new Uint32Array(4);

/** `wantJson`: import needs each valid record's JSON; validate only its digest. `ordered`: the kind has an order value. */
export function createResultWriter(count: number, wantJson: boolean, ordered = false): ResultWriter {
  const words = new Int32Array(count * WORDS);
  const orders = ordered ? new Float64Array(count) : undefined;
  const keys: string[] = [];
  const jsons: string[] = [];
  const invalid: BlockResult['invalid'] = [];
  const skipped: BlockResult['skipped'] = [];
  let keyLength = 0;
  let jsonLength = 0;
  const ends = (w: number): void => {
    words[w + W_KEY_END] = keyLength;
    words[w + W_JSON_END] = jsonLength;
  };
  return {
    valid(i, key, json, digest, order) {
      const w = i * WORDS;
      if (orders !== undefined && order !== undefined) orders[i] = order;
      fingerprint128(key, fingerprint);
      words[w] = fingerprint[0]!;
      words[w + 1] = fingerprint[1]!;
      words[w + 2] = fingerprint[2]!;
      words[w + 3] = fingerprint[3]!;
      words[w + W_STATUS_DIGEST] = (VALID << 16) | digest;
      keys.push(key);
      keyLength += key.length;
      if (wantJson) {
        jsons.push(json);
        jsonLength += json.length;
      }
      ends(w);
    },
    invalid(i, reason, message, field, looksLike) {
      words[i * WORDS + W_STATUS_DIGEST] = INVALID << 16;
      ends(i * WORDS);
      const entry: BlockResult['invalid'][number] = { index: i, reason, message };
      if (field !== undefined) entry.field = field;
      if (looksLike !== undefined) entry.looksLike = looksLike;
      invalid.push(entry);
    },
    skipped(i, rule) {
      words[i * WORDS + W_STATUS_DIGEST] = SKIPPED << 16;
      ends(i * WORDS);
      skipped.push({ index: i, rule });
    },
    finish(processed, malformed) {
      const result: BlockResult = { count: processed, words, keys: keys.join(''), jsons: jsons.join(''), invalid, skipped };
      if (orders !== undefined) result.orders = orders;
      if (malformed) result.malformed = malformed;
      return result;
    },
  };
}

/**
 * A cursor over one block's results, record by record, in input order: next() moves it and sets
 * the current record's fields (plain fields, read on the main thread's hot loop).
 */
export class ResultCursor {
  /** Position of the current record in the block. */
  at = -1;
  status: RecordStatus = VALID;
  /** For a valid record: its content digest and its order value (0 for a kind without one). */
  digest = 0;
  order = 0;
  /** For an invalid record. */
  reason: ReasonCode = 'NOT_AN_OBJECT';
  message = '';
  field: string | undefined = undefined;
  /** What it looks like instead, when plainly another kind's or source's. */
  looksLike: string | undefined = undefined;
  /** For a skipped record. */
  rule = '';
  /** Where the current record's words start in `words` (its fingerprint comes first). */
  wordOffset = -WORDS;
  readonly words: Int32Array;
  /** Words per record, and records: for prefetching every fingerprint of the block. */
  readonly stride = WORDS;
  readonly count: number;
  private nextInvalid = 0;
  private nextSkipped = 0;

  constructor(private readonly result: BlockResult) {
    this.words = result.words;
    this.count = result.count;
  }

  next(): boolean {
    if (++this.at >= this.count) return false;
    const w = (this.wordOffset += WORDS);
    const word = this.words[w + W_STATUS_DIGEST]!;
    this.status = (word >>> 16) as RecordStatus;
    if (this.status === VALID) {
      this.digest = word & 0xffff;
      const orders = this.result.orders;
      if (orders !== undefined) this.order = orders[this.at]!;
    } else if (this.status === INVALID) {
      const bad = this.result.invalid[this.nextInvalid++]!;
      this.reason = bad.reason;
      this.message = bad.message;
      this.field = bad.field;
      this.looksLike = bad.looksLike;
    } else {
      this.rule = this.result.skipped[this.nextSkipped++]!.rule;
    }
    return true;
  }

  key(): string {
    return this.result.keys.slice(this.start(W_KEY_END), this.words[this.wordOffset + W_KEY_END]!);
  }

  json(): string {
    return this.result.jsons.slice(this.start(W_JSON_END), this.words[this.wordOffset + W_JSON_END]!);
  }

  private start(field: number): number {
    return this.at === 0 ? 0 : this.words[this.wordOffset - WORDS + field]!;
  }
}

export function readResult(result: BlockResult): ResultCursor {
  return new ResultCursor(result);
}
