// Walks the top-level elements of one BSON document in place, without decoding it: what the sort
// key, the GridFS chunk index and the cutting of a users document's `services` need (a few fields
// of each document, at the speed of reading bytes). Layout from the BSON specification
// (bsonspec.org): int32 total length, elements (type byte, cstring name, value), a 0x00 byte.

export const BSON = {
  double: 0x01,
  string: 0x02,
  document: 0x03,
  array: 0x04,
  binary: 0x05,
  undefined: 0x06,
  objectId: 0x07,
  boolean: 0x08,
  date: 0x09,
  null: 0x0a,
  regex: 0x0b,
  dbPointer: 0x0c,
  code: 0x0d,
  symbol: 0x0e,
  codeWithScope: 0x0f,
  int32: 0x10,
  timestamp: 0x11,
  int64: 0x12,
  decimal128: 0x13,
  maxKey: 0x7f,
  minKey: 0xff,
} as const;

/** A document whose structure does not add up; `at` is the byte offset within the document. */
export class BsonStructureError extends Error {
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.name = 'BsonStructureError';
    this.at = at;
  }
}

/** Called per element with its type and where its name and value lie; return false to stop. */
export type ElementVisitor = (type: number, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number) => boolean | void;

/** Visits the elements of the document `buf[start..end)`; throws BsonStructureError when they do not add up. */
export function walkElements(buf: Buffer, start: number, end: number, visit: ElementVisitor): void {
  if (end - start < 5 || buf.readInt32LE(start) !== end - start) throw new BsonStructureError('the length prefix does not match the document', 0);
  const last = end - 1;
  let i = start + 4;
  while (i < last) {
    const type = buf[i]!;
    // Names are short: a loop beats a native indexOf call here.
    let nul = i + 1;
    while (nul < last && buf[nul] !== 0) nul++;
    if (nul >= last) throw new BsonStructureError('an element name runs past the end of the document', i - start);
    const size = valueSize(type, buf, nul + 1, last);
    if (size < 0) throw new BsonStructureError(size === UNKNOWN_TYPE ? `unknown element type 0x${type.toString(16).padStart(2, '0')}` : 'an element runs past the end of the document', i - start);
    if (visit(type, i + 1, nul, nul + 1, nul + 1 + size) === false) return;
    i = nul + 1 + size;
  }
  if (i !== last || buf[last] !== 0) throw new BsonStructureError('the document does not end with its 0x00 byte', last - start);
}

const UNKNOWN_TYPE = -2;

/** Bytes of a value of `type` starting at `at`; -1 when it runs past `limit`, UNKNOWN_TYPE for a type BSON does not define. */
export function valueSize(type: number, buf: Buffer, at: number, limit: number): number {
  const fixed = FIXED_SIZES[type];
  let size: number;
  if (fixed !== undefined) size = fixed;
  else {
    if (type === BSON.regex) {
      const a = buf.indexOf(0, at);
      const b = a === -1 ? -1 : buf.indexOf(0, a + 1);
      return b === -1 || b >= limit ? -1 : b + 1 - at;
    }
    if (at + 4 > limit) return -1;
    const n = buf.readInt32LE(at);
    switch (type) {
      case BSON.string:
      case BSON.code:
      case BSON.symbol:
        if (n < 1) return -1;
        size = 4 + n;
        break;
      case BSON.dbPointer:
        if (n < 1) return -1;
        size = 4 + n + 12;
        break;
      case BSON.document:
      case BSON.array:
      case BSON.codeWithScope:
        if (n < 5) return -1;
        size = n;
        break;
      case BSON.binary:
        if (n < 0) return -1;
        size = 5 + n;
        break;
      default:
        return UNKNOWN_TYPE;
    }
  }
  return at + size > limit ? -1 : size;
}

const FIXED_SIZES: Array<number | undefined> = [];
FIXED_SIZES[BSON.double] = 8;
FIXED_SIZES[BSON.undefined] = 0;
FIXED_SIZES[BSON.objectId] = 12;
FIXED_SIZES[BSON.boolean] = 1;
FIXED_SIZES[BSON.date] = 8;
FIXED_SIZES[BSON.null] = 0;
FIXED_SIZES[BSON.int32] = 4;
FIXED_SIZES[BSON.timestamp] = 8;
FIXED_SIZES[BSON.int64] = 8;
FIXED_SIZES[BSON.decimal128] = 16;
FIXED_SIZES[BSON.maxKey] = 0;
FIXED_SIZES[BSON.minKey] = 0;

/** True when the element name `buf[nameStart..nameEnd)` is `name` (ASCII). */
export function nameIs(buf: Buffer, nameStart: number, nameEnd: number, name: Buffer): boolean {
  if (nameEnd - nameStart !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (buf[nameStart + k] !== name[k]) return false;
  return true;
}

/**
 * A scalar element as the text an id has in mongoexport's form: a string's text, an ObjectId's
 * 24 hex digits, an integer's digits; undefined for other types.
 */
export function idTextAt(type: number, buf: Buffer, valueStart: number, valueEnd: number): string | undefined {
  switch (type) {
    case BSON.string:
      return buf.toString('utf8', valueStart + 4, valueEnd - 1);
    case BSON.objectId:
      return buf.toString('hex', valueStart, valueEnd);
    case BSON.int32:
      return String(buf.readInt32LE(valueStart));
    case BSON.int64: {
      const n = buf.readBigInt64LE(valueStart);
      return String(n);
    }
    default:
      return undefined;
  }
}

/** An integer element (int32, int64 within 2^53, or a whole double) as a number; else undefined. */
export function integerAt(type: number, buf: Buffer, valueStart: number): number | undefined {
  if (type === BSON.int32) return buf.readInt32LE(valueStart);
  if (type === BSON.int64) {
    const n = Number(buf.readBigInt64LE(valueStart));
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (type === BSON.double) {
    const n = buf.readDoubleLE(valueStart);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}
