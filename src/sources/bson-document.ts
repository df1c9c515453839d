// One BSON document (a mongodump record) as the value its mongoexport line would parse to, so the
// Rocket.Chat mappers and the record core read both inputs the same way: ObjectId → {"$oid": hex},
// Date → {"$date": ms}, Int64 → a number (or {"$numberLong": "…"} beyond 2^53), Decimal128 →
// {"$numberDecimal"}, Binary → {"$binary": {base64, subType}}, the rarer types in their canonical
// extended-JSON form. Decoding is MongoDB's own `bson` package, loaded on the first BSON document
// only, so JSON runs (and each worker thread) do not pay for loading it.

import { createRequire } from 'node:module';
import type * as BsonLibrary from 'bson';
import { walkElements, nameIs } from './bson-elements.js';

let library: typeof BsonLibrary | undefined;
function bson(): typeof BsonLibrary {
  library ??= createRequire(import.meta.url)('bson') as typeof BsonLibrary;
  return library;
}

/**
 * True when the first four bytes of `buf[start..end)` are its own length as int32 LE, as every
 * BSON document begins. No JSON record can look like that: a length below 64 MiB puts a byte
 * under 0x04 among the first four, and JSON text has no byte below 0x09 (not even in strings).
 */
export function isBsonDocument(buf: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  return length >= 5 && (buf[start]! | (buf[start + 1]! << 8) | (buf[start + 2]! << 16) | (buf[start + 3]! << 24)) === length;
}

const OPTIONS: BsonLibrary.DeserializeOptions = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: true };

/** The document in mongoexport's form; throws (a BSONError naming what is wrong) on a corrupt document. */
export function decodeBsonDocument(buf: Buffer, start: number, end: number): Record<string, unknown> {
  const doc = bson().deserialize(buf.subarray(start, end), OPTIONS);
  return exportForm(doc) as Record<string, unknown>;
}

/** Why a document does not decode, in one line. */
export function bsonErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `corrupt BSON document (${message.replace(/\s+/g, ' ').slice(0, 200)})`;
}

/** Replaces, in place, every BSON value that has no JSON equivalent by its mongoexport form. */
export function exportForm(value: unknown): unknown {
  if (typeof value === 'object') return value === null ? null : objectForm(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : nonFinite(value);
  return value === undefined ? { $undefined: true } : value;
}

/** Strings, booleans and finite numbers (most values) stay as they are: only the others are visited. */
function needsForm(v: unknown): boolean {
  return typeof v === 'object' ? v !== null : typeof v === 'number' ? !Number.isFinite(v) : v === undefined;
}

function objectForm(value: object): unknown {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype) {
    const obj = value as Record<string, unknown>;
    for (const key in obj) if (needsForm(obj[key])) obj[key] = exportForm(obj[key]);
    return obj;
  }
  if (proto === Array.prototype) {
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) if (needsForm(list[i])) list[i] = exportForm(list[i]);
    return list;
  }
  if (value instanceof Date) return { $date: value.getTime() };
  const type = (value as { _bsontype?: unknown })._bsontype;
  return typeof type === 'string' ? typedForm(type, value) : value;
}

function nonFinite(n: number): { $numberDouble: string } {
  return { $numberDouble: Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity' };
}

function typedForm(type: string, value: object): unknown {
  const v = value as Record<string, unknown> & { toString(format?: string): string };
  switch (type) {
    case 'ObjectId':
      return { $oid: (value as BsonLibrary.ObjectId).toHexString() };
    case 'Long':
      return { $numberLong: v.toString() }; // promoteLongs made every long within 2^53 a number
    case 'Decimal128':
      return { $numberDecimal: v.toString() };
    case 'Binary': {
      const b = value as BsonLibrary.Binary;
      return { $binary: { base64: b.toString('base64'), subType: b.sub_type.toString(16).padStart(2, '0') } };
    }
    case 'Timestamp': {
      const t = value as BsonLibrary.Timestamp;
      return { $timestamp: { t: t.t, i: t.i } };
    }
    case 'BSONRegExp': {
      const r = value as BsonLibrary.BSONRegExp;
      return { $regularExpression: { pattern: r.pattern, options: r.options } };
    }
    case 'Code': {
      const c = value as BsonLibrary.Code;
      return c.scope ? { $code: c.code, $scope: exportForm(c.scope) } : { $code: c.code };
    }
    case 'BSONSymbol':
      return { $symbol: v.toString() };
    case 'MinKey':
      return { $minKey: 1 };
    case 'MaxKey':
      return { $maxKey: 1 };
    case 'DBRef': {
      const r = value as BsonLibrary.DBRef;
      const out: Record<string, unknown> = { $ref: r.collection, $id: exportForm(r.oid) };
      if (r.db) out['$db'] = r.db;
      for (const [k, x] of Object.entries(r.fields ?? {})) out[k] = exportForm(x);
      return out;
    }
    case 'Int32':
    case 'Double':
      return exportForm(v['value']);
    default:
      return { [`$${type}`]: v.toString() };
  }
}

/** The raw bytes of a document that does not decode, for the rejects file (extended JSON binary). */
export function rawBsonForm(buf: Uint8Array, start: number, end: number): { $binary: { base64: string; subType: string } } {
  return { $binary: { base64: Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64'), subType: '00' } };
}

/**
 * A copy of the document without its top-level element `name` (a users document's `services`:
 * password hashes and login tokens), cut out of the bytes before anything is decoded.
 */
export function bsonWithout(buf: Buffer, start: number, end: number, name: Buffer): Buffer {
  const cuts: number[] = [];
  walkElements(buf, start, end, (_type, nameStart, nameEnd, _valueStart, valueEnd) => {
    if (nameIs(buf, nameStart, nameEnd, name)) cuts.push(nameStart - 1, valueEnd);
  });
  if (cuts.length === 0) return buf.subarray(start, end);
  const parts: Buffer[] = [];
  let from = start;
  for (let k = 0; k < cuts.length; k += 2) {
    parts.push(buf.subarray(from, cuts[k]!));
    from = cuts[k + 1]!;
  }
  parts.push(buf.subarray(from, end));
  const out = Buffer.concat(parts);
  out.writeInt32LE(out.length, 0);
  return out;
}
