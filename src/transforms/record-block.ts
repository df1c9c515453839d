// Turns a block of raw records (bytes back to back) into validated results: decode, JSON.parse,
// validate and normalize, fingerprint and digest. Pure and synchronous, so the same function runs
// on the main thread or in a worker; results are typed arrays and joined strings, cheap to move.

import { fingerprint128, contentDigest16 } from './dedupe/fingerprint.js';
import { validateMember } from '../entities/validate-member.js';
import { scanMember, scannedMemberId } from '../entities/scan-member.js';
import { nativeScanBlock } from '../entities/native-scan.js';
import type { ReasonCode } from '../entities/reasons.js';
import { unwrapRejectEntry } from '../accounting/rejects-writer.js';
import { excerptAround, locateJsonError } from '../sources/json-error-position.js';

export interface BlockInput {
  /** The records' bytes, back to back. */
  bytes: Uint8Array;
  /** End offset (exclusive) of each record in `bytes`. */
  ends: Int32Array;
  count: number;
  /** Map keys, for the map formats. */
  keys: Array<string | undefined> | undefined;
}

export interface ProcessOptions {
  nowSeconds: number;
  /** Import needs each valid member's JSON text; validate only its digest. */
  wantJson: boolean;
}

export const VALID = 0;
export const INVALID = 1;
/** Excluded by a source's rule (e.g. a Rocket.Chat direct-message room): counted as skipped. */
export const SKIPPED = 2;

/**
 * A source's step between JSON.parse and validation (Rocket.Chat: join a subscription with its
 * room and user). A function, so it runs on the main thread only (see source/rocketchat/index.ts).
 */
export type RecordMapper = (value: unknown) => MappedRecord;
export type MappedRecord =
  | { kind: 'member'; member: unknown }
  | { kind: 'skip'; rule: string }
  | { kind: 'invalid'; reason: ReasonCode; message: string };

export interface InvalidRecord {
  index: number;
  reason: ReasonCode;
  message: string;
}

/** Words per record in BlockResult.words. */
export const WORDS_PER_RECORD = 7;
/** Offsets inside a record's words: fingerprint (4 words), status and digest, where its id and JSON end. */
export const W_FINGERPRINT = 0;
export const W_STATUS_DIGEST = 4;
export const W_ID_END = 5;
export const W_JSON_END = 6;

export interface BlockResult {
  /** Records processed: all of them, or those before a malformed one. */
  count: number;
  /**
   * Everything numeric, WORDS_PER_RECORD words per record, in one typed array so a thread hop
   * moves one buffer: the memberId's 128-bit fingerprint, status << 16 | 16-bit content digest,
   * and the end of its id in `ids` and of its JSON in `jsons` (both cumulative).
   */
  words: Int32Array;
  /** memberIds of the valid records, joined. */
  ids: string;
  /** Canonical JSON of the valid records, joined (only with wantJson). */
  jsons: string;
  invalid: InvalidRecord[];
  /** Records a mapper skipped, with the rule's name (only with a mapper). */
  skipped?: Array<{ index: number; rule: string }>;
  /** The block's bytes, handed back when the block went to another thread. */
  input?: { bytes: Uint8Array; ends: Int32Array };
  /** The first record that is not JSON at all: the run stops there. */
  malformed?: { index: number; byteDelta: number; message: string };
}

const fp = new Uint32Array(4);

// The native fast path's scratch, reused block after block (grown when a block needs more).
let nativeFlags = new Uint8Array(0);
let nativeIds = Buffer.alloc(0);
let nativeJsons = Buffer.alloc(0);

function scanNatively(input: BlockInput, options: ProcessOptions, words: Int32Array): number {
  const { bytes, count } = input;
  if (nativeFlags.length < count) nativeFlags = new Uint8Array(count * 2);
  // A memberId is never longer than its record; canonical JSON adds at most a few dozen bytes
  // (quotes around numbers, longer scope names) to a record it could be made of.
  if (nativeIds.length < bytes.length) nativeIds = Buffer.alloc(bytes.length * 2);
  const jsonBytes = bytes.length * 2 + 64 * count;
  if (nativeJsons.length < jsonBytes) nativeJsons = Buffer.alloc(jsonBytes * 2);
  return nativeScanBlock!(bytes, input.ends, count, input.keys ?? null, options.nowSeconds, options.wantJson, words, nativeFlags, nativeIds, nativeJsons);
}

export function processBlock(input: BlockInput, options: ProcessOptions, map?: RecordMapper): BlockResult {
  const { ends, count, keys } = input;
  const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  const words = new Int32Array(count * WORDS_PER_RECORD);
  const ids: string[] = [];
  const jsons: string[] = [];
  const invalid: InvalidRecord[] = [];
  const skipped: Array<{ index: number; rule: string }> = [];
  let idLength = 0;
  let jsonLength = 0;
  let start = 0;
  // The native fast path first (when built): it marks the records it handled and leaves their
  // fingerprint, digest and the byte ends of their memberId and JSON in its buffers.
  const handled = map || nativeScanBlock === undefined || count === 0 ? 0 : scanNatively(input, options, words);
  const flags = nativeFlags;
  let nativeIdAt = 0; // where the next handled record's memberId and JSON start in the native buffers
  let nativeJsonAt = 0;
  let runIdStart = -1; // the run of handled records not yet joined (-1: none)
  let runJsonStart = 0;
  for (let i = 0; i < count; i++) {
    const w = i * WORDS_PER_RECORD;
    const end = ends[i]!;
    if (handled > 0 && flags[i] === 1) {
      if (runIdStart < 0) {
        runIdStart = nativeIdAt;
        runJsonStart = nativeJsonAt;
      }
      const idEnd = words[w + W_ID_END]!;
      const jsonEnd = words[w + W_JSON_END]!;
      idLength += idEnd - nativeIdAt;
      jsonLength += jsonEnd - nativeJsonAt;
      nativeIdAt = idEnd;
      nativeJsonAt = jsonEnd;
      words[w + W_ID_END] = idLength;
      words[w + W_JSON_END] = jsonLength;
      start = end;
      continue;
    }
    if (runIdStart >= 0) joinRun();
    const text = bytes.toString('utf8', start, end);
    start = end;
    let key = keys?.[i];
    // Records written the usual way are judged from their text; the rest are parsed.
    const scanned = map ? undefined : scanMember(text, key, options.nowSeconds);
    if (scanned !== undefined) {
      addValid(w, scannedMemberId(), scanned);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const at = locateJsonError(text);
      const detail = err instanceof Error ? err.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '') : 'invalid JSON';
      return finish(i, { index: i, byteDelta: Buffer.byteLength(text.slice(0, at)), message: `${detail} near ${JSON.stringify(excerptAround(text, at))}` });
    }
    const fedBack = unwrapRejectEntry(value);
    if (fedBack) {
      value = fedBack.record;
      key = fedBack.key;
    }
    if (map) {
      const mapped = map(value);
      if (mapped.kind !== 'member') {
        words[w + W_STATUS_DIGEST] = (mapped.kind === 'skip' ? SKIPPED : INVALID) << 16;
        words[w + W_ID_END] = idLength;
        words[w + W_JSON_END] = jsonLength;
        if (mapped.kind === 'skip') skipped.push({ index: i, rule: mapped.rule });
        else invalid.push({ index: i, reason: mapped.reason, message: mapped.message });
        continue;
      }
      value = mapped.member;
      key = undefined;
    }
    const checked = validateMember(value, key === undefined ? { nowSeconds: options.nowSeconds } : { key, nowSeconds: options.nowSeconds });
    if (!checked.ok) {
      words[w + W_STATUS_DIGEST] = INVALID << 16;
      words[w + W_ID_END] = idLength;
      words[w + W_JSON_END] = jsonLength;
      invalid.push({ index: i, reason: checked.reason, message: checked.message });
      continue;
    }
    addValid(w, checked.member.memberId, checked.json);
  }
  return finish(count, undefined);

  /** The memberIds and JSON of the handled records since the last one the JavaScript paths did (ASCII: bytes are characters). */
  function joinRun(): void {
    ids.push(nativeIds.toString('latin1', runIdStart, nativeIdAt));
    if (options.wantJson) jsons.push(nativeJsons.toString('latin1', runJsonStart, nativeJsonAt));
    runIdStart = -1;
  }

  function addValid(w: number, memberId: string, json: string): void {
    fingerprint128(memberId, fp);
    words[w] = fp[0]!;
    words[w + 1] = fp[1]!;
    words[w + 2] = fp[2]!;
    words[w + 3] = fp[3]!;
    words[w + W_STATUS_DIGEST] = contentDigest16(json); // status VALID is 0
    ids.push(memberId);
    idLength += memberId.length;
    words[w + W_ID_END] = idLength;
    if (options.wantJson) {
      jsons.push(json);
      jsonLength += json.length;
    }
    words[w + W_JSON_END] = jsonLength;
  }

  function finish(processed: number, malformed: BlockResult['malformed']): BlockResult {
    if (runIdStart >= 0) joinRun();
    const result: BlockResult = { count: processed, words, ids: ids.join(''), jsons: jsons.join(''), invalid };
    if (malformed) result.malformed = malformed;
    if (skipped.length > 0) result.skipped = skipped;
    return result;
  }
}
