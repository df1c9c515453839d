// Turns a block of raw records (bytes back to back) into validated results: decode, JSON.parse,
// validate and normalize, fingerprint and digest. Pure and synchronous, so the same function runs
// on the main thread or in a worker; results are typed arrays and joined strings, cheap to move.

import { fingerprint128, contentDigest16 } from '../dedupe/fingerprint.js';
import { validateMember } from '../record/validate-member.js';
import type { ReasonCode } from '../record/reasons.js';
import { unwrapRejectEntry } from '../run/rejects-writer.js';
import { excerptAround, locateJsonError } from '../source/json-error-position.js';

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

export interface InvalidRecord {
  index: number;
  reason: ReasonCode;
  message: string;
}

export interface BlockResult {
  /** Records processed: all of them, or those before a malformed one. */
  count: number;
  /** VALID or INVALID per record. */
  status: Uint8Array;
  /** 128-bit memberId fingerprint per valid record (4 words each). */
  fingerprints: Int32Array;
  /** 16-bit digest of the normalized member per valid record (conflict detection). */
  digests: Uint16Array;
  /** memberIds of the valid records, joined; idEnds[i] is where record i's id ends. */
  ids: string;
  idEnds: Int32Array;
  /** Canonical JSON of the valid records, joined (only with wantJson). */
  jsons: string;
  jsonEnds: Int32Array;
  invalid: InvalidRecord[];
  /** The block's bytes, handed back when the block went to another thread. */
  input?: { bytes: Uint8Array; ends: Int32Array };
  /** The first record that is not JSON at all: the run stops there. */
  malformed?: { index: number; byteDelta: number; message: string };
}

const fp = new Uint32Array(4);

export function processBlock(input: BlockInput, options: ProcessOptions): BlockResult {
  const { ends, count, keys } = input;
  const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  const status = new Uint8Array(count);
  const fingerprints = new Int32Array(count * 4);
  const digests = new Uint16Array(count);
  const idEnds = new Int32Array(count);
  const jsonEnds = new Int32Array(options.wantJson ? count : 0);
  const ids: string[] = [];
  const jsons: string[] = [];
  const invalid: InvalidRecord[] = [];
  let idLength = 0;
  let jsonLength = 0;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i]!;
    const text = bytes.toString('utf8', start, end);
    start = end;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const at = locateJsonError(text);
      const detail = err instanceof Error ? err.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '') : 'invalid JSON';
      return finish(i, { index: i, byteDelta: Buffer.byteLength(text.slice(0, at)), message: `${detail} near ${JSON.stringify(excerptAround(text, at))}` });
    }
    let key = keys?.[i];
    const fedBack = unwrapRejectEntry(value);
    if (fedBack) {
      value = fedBack.record;
      key = fedBack.key;
    }
    const checked = validateMember(value, key === undefined ? { nowSeconds: options.nowSeconds } : { key, nowSeconds: options.nowSeconds });
    if (!checked.ok) {
      status[i] = INVALID;
      invalid.push({ index: i, reason: checked.reason, message: checked.message });
      idEnds[i] = idLength;
      if (options.wantJson) jsonEnds[i] = jsonLength;
      continue;
    }
    const memberId = checked.member.memberId;
    fingerprint128(memberId, fp);
    fingerprints[i * 4] = fp[0]!;
    fingerprints[i * 4 + 1] = fp[1]!;
    fingerprints[i * 4 + 2] = fp[2]!;
    fingerprints[i * 4 + 3] = fp[3]!;
    digests[i] = contentDigest16(checked.json);
    ids.push(memberId);
    idLength += memberId.length;
    idEnds[i] = idLength;
    if (options.wantJson) {
      jsons.push(checked.json);
      jsonLength += checked.json.length;
      jsonEnds[i] = jsonLength;
    }
  }
  return finish(count, undefined);

  function finish(processed: number, malformed: BlockResult['malformed']): BlockResult {
    const result: BlockResult = { count: processed, status, fingerprints, digests, ids: ids.join(''), idEnds, jsons: jsons.join(''), jsonEnds, invalid };
    if (malformed) result.malformed = malformed;
    return result;
  }
}

/** The typed arrays of a result, to transfer instead of copy when posting it between threads. */
export function transferablesOf(r: BlockResult): ArrayBuffer[] {
  return [r.status.buffer, r.fingerprints.buffer, r.digests.buffer, r.idEnds.buffer, r.jsonEnds.buffer] as ArrayBuffer[];
}
