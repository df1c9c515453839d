// The one module that knows how a processed block travels from a worker thread back to the main
// thread: a writer that decode-block.ts fills record by record, and a reader that walks the
// result record by record (a reused cursor, so reading allocates nothing per record).
//
// Everything numeric sits in one Int32Array (a thread hop then moves one buffer): per record its
// key's 128-bit fingerprint, its status and content digest, and where its key and JSON end in
// two joined strings. Problems (invalid, skipped, malformed) are rare and travel as small objects.

import { contentDigest16, fingerprint128 } from './dedupe/fingerprint.js';
import type { FingerprintWords } from './dedupe/dedupe-index.js';
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
  invalid: Array<{ index: number; reason: ReasonCode; message: string; looksLike?: string }>;
  skipped: Array<{ index: number; rule: string }>;
  /** The first record that is not JSON at all: the run stops there. */
  malformed?: { index: number; byteDelta: number; message: string };
  /** The block's bytes, handed back when the block went to another thread. */
  input?: { bytes: Uint8Array; ends: Int32Array };
}

export interface ResultWriter {
  /** `order`: the record's order value, for a kind that has one. */
  valid(i: number, key: string, json: string, order?: number): void;
  invalid(i: number, reason: ReasonCode, message: string, looksLike?: string): void;
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
    valid(i, key, json, order) {
      const w = i * WORDS;
      if (orders !== undefined && order !== undefined) orders[i] = order;
      fingerprint128(key, fingerprint);
      words[w] = fingerprint[0]!;
      words[w + 1] = fingerprint[1]!;
      words[w + 2] = fingerprint[2]!;
      words[w + 3] = fingerprint[3]!;
      words[w + W_STATUS_DIGEST] = (VALID << 16) | contentDigest16(json);
      keys.push(key);
      keyLength += key.length;
      if (wantJson) {
        jsons.push(json);
        jsonLength += json.length;
      }
      ends(w);
    },
    invalid(i, reason, message, looksLike) {
      words[i * WORDS + W_STATUS_DIGEST] = INVALID << 16;
      ends(i * WORDS);
      invalid.push(looksLike === undefined ? { index: i, reason, message } : { index: i, reason, message, looksLike });
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

/** A cursor over one block's results, record by record, in input order. */
export interface ResultCursor {
  /** Moves to the next record; false past the last one. */
  next(): boolean;
  /** Position of the current record in the block. */
  readonly at: number;
  readonly status: RecordStatus;
  /** For a valid record. */
  readonly digest: number;
  /** Its order value (0 for a kind without one). */
  readonly order: number;
  key(): string;
  json(): string;
  /** For an invalid record. */
  readonly reason: ReasonCode;
  readonly message: string;
  /** For an invalid record: what it looks like instead, when plainly another kind's or source's. */
  readonly looksLike: string | undefined;
  /** For a skipped record. */
  readonly rule: string;
  /** The fingerprints' words and where the current record's start, for the dedupe index. */
  readonly words: FingerprintWords;
  readonly wordOffset: number;
  /** Fingerprint words of all records, for prefetching: stride and count. */
  readonly stride: number;
  readonly count: number;
}

export function readResult(result: BlockResult): ResultCursor {
  const { words } = result;
  let i = -1;
  let nextInvalid = 0;
  let nextSkipped = 0;
  let reason: ReasonCode = 'NOT_AN_OBJECT';
  let message = '';
  let looksLike: string | undefined;
  let rule = '';
  const start = (field: number): number => (i === 0 ? 0 : words[(i - 1) * WORDS + field]!);
  return {
    next() {
      if (++i >= result.count) return false;
      const status = words[i * WORDS + W_STATUS_DIGEST]! >>> 16;
      if (status === INVALID) {
        const bad = result.invalid[nextInvalid++]!;
        reason = bad.reason;
        message = bad.message;
        looksLike = bad.looksLike;
      } else if (status === SKIPPED) {
        rule = result.skipped[nextSkipped++]!.rule;
      }
      return true;
    },
    get at() {
      return i;
    },
    get status() {
      return (words[i * WORDS + W_STATUS_DIGEST]! >>> 16) as RecordStatus;
    },
    get digest() {
      return words[i * WORDS + W_STATUS_DIGEST]! & 0xffff;
    },
    get order() {
      return result.orders?.[i] ?? 0;
    },
    key: () => result.keys.slice(start(W_KEY_END), words[i * WORDS + W_KEY_END]!),
    json: () => result.jsons.slice(start(W_JSON_END), words[i * WORDS + W_JSON_END]!),
    get reason() {
      return reason;
    },
    get message() {
      return message;
    },
    get looksLike() {
      return looksLike;
    },
    get rule() {
      return rule;
    },
    words,
    get wordOffset() {
      return i * WORDS;
    },
    stride: WORDS,
    count: result.count,
  };
}
