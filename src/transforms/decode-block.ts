// Turns a block of raw records (bytes back to back) into judged records of one kind: decode,
// JSON.parse (or, for a mongodump record, BSON decoding into the same values a mongoexport line
// gives), a source's mapping step when it has one, validation and normalization, key
// fingerprint and content digest. Pure and synchronous, so the same function runs on the main
// thread or in a worker; the result's format belongs to block-results.ts.

import { kindNamed, type KindName } from '../entities/kinds.js';
import { validateRecord } from '../entities/validate.js';
import type { ValidateContext } from '../entities/kind.js';
import { lookAlike, lookAlikeNote } from '../entities/look-alike.js';
import { MAX_NESTING, isStackOverflow, mayNestTooDeep, tooDeepAt } from '../entities/nesting.js';
import { bsonErrorText, decodeBsonDocument, isBsonDocument } from '../sources/bson-document.js';
import { excerptAround, locateJsonError } from '../sources/json-error-position.js';
import type { RecordMapper } from '../sources/mapped-record.js';
import { unwrapRejectEntry } from '../sources/rejects-input.js';
import { createResultWriter, type BlockResult } from './block-results.js';

export interface BlockInput {
  /** The records' bytes, back to back. */
  bytes: Uint8Array;
  /** End offset (exclusive) of each record in `bytes`. */
  ends: Int32Array;
  count: number;
  /** Map keys, for the map formats. */
  keys: Array<string | undefined> | undefined;
}

export interface DecodeOptions {
  kind: KindName;
  nowSeconds: number;
  retentionDays?: number;
  /** Import needs each valid record's JSON text; validate only its digest. */
  wantJson: boolean;
  /** A record that is not JSON is rejected (MALFORMED_JSON) instead of ending the block (line-delimited input, --on-malformed skip). */
  skipMalformed?: boolean;
}

/** What JSON.parse made of a text that is not JSON: where and why. */
class NotJson {
  constructor(
    readonly message: string,
    readonly byteDelta: number,
  ) {}
}

/** A record nested so deep that decoding it ran out of stack (the bson library recurses). */
const TOO_DEEP = Symbol('too deep');

/** A mongodump record (see isBsonDocument): the document in mongoexport's form, or why it does not decode. */
function decodeBson(bytes: Buffer, start: number, end: number): unknown {
  try {
    return decodeBsonDocument(bytes, start, end);
  } catch (err) {
    return isStackOverflow(err) ? TOO_DEEP : new NotJson(bsonErrorText(err), 0);
  }
}

const tooDeepMessage = (field: string | undefined): string =>
  `${field ? field : 'the record'} nests arrays or objects more than ${MAX_NESTING} levels deep`;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = locateJsonError(text);
    const detail = err instanceof Error ? err.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '') : 'invalid JSON';
    return new NotJson(`${detail} near ${JSON.stringify(excerptAround(text, at))}`, Buffer.byteLength(text.slice(0, at)));
  }
}

export function decodeBlock(input: BlockInput, options: DecodeOptions, map?: RecordMapper): BlockResult {
  const { ends, count, keys } = input;
  const kind = kindNamed(options.kind);
  const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  const out = createResultWriter(count, options.wantJson, kind.order !== undefined);
  const order = kind.order;
  const ctx: ValidateContext = { nowSeconds: options.nowSeconds, withoutJson: !options.wantJson };
  if (options.retentionDays !== undefined) ctx.retentionDays = options.retentionDays;
  const digest = kind.compiled.digest;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = ends[i]!;
    const bson = isBsonDocument(bytes, start, end);
    let value = bson ? decodeBson(bytes, start, end) : parse(bytes.toString('utf8', start, end));
    const size = end - start;
    start = end;
    let key = keys?.[i];
    // A line of a rejects file fed back in: its record (and key) are judged again; a line that
    // was rejected for not being JSON is read from its (fixed) raw text.
    const fedBack = value instanceof NotJson || bson ? undefined : unwrapRejectEntry(value);
    if (fedBack) {
      value = fedBack.malformedText === undefined ? fedBack.record : parse(fedBack.malformedText);
      key = fedBack.key;
    }
    if (value instanceof NotJson) {
      if (!options.skipMalformed) return out.finish(i, { index: i, byteDelta: fedBack ? 0 : value.byteDelta, message: value.message });
      if (bson) out.invalid(i, 'MALFORMED_BSON', value.message);
      else out.invalid(i, 'MALFORMED_JSON', `not JSON: ${value.message}`);
      continue;
    }
    // Before anything walks it: the rules, the mapping step and the JSON writers all recurse.
    const deep = value === TOO_DEEP ? '' : mayNestTooDeep(size) ? tooDeepAt(value) : undefined;
    if (deep !== undefined) {
      out.invalid(i, 'NESTED_TOO_DEEP', tooDeepMessage(deep), deep === '' ? undefined : deep);
      continue;
    }
    if (map) {
      const mapped = map(value);
      if (mapped.kind === 'skip') {
        out.skipped(i, mapped.rule);
        continue;
      }
      if (mapped.kind === 'invalid') {
        out.invalid(i, mapped.reason, mapped.message);
        continue;
      }
      value = mapped.record;
      key = undefined;
    }
    ctx.key = key; // assigned even when undefined: the context keeps one shape for every record
    const checked = validateRecord(kind, value, ctx);
    if (checked.ok === true) out.valid(i, checked.key, checked.json, digest(checked.values), order === undefined ? undefined : Number(checked.values[order]));
    else if (checked.ok === false) {
      // Rare path: a record of another kind (or a Rocket.Chat export) says which flag fits.
      const look = lookAlike(kind, value);
      out.invalid(i, checked.reason, checked.message + lookAlikeNote(look), checked.field, look);
    }
    else out.skipped(i, checked.rule);
  }
  return out.finish(count);
}
