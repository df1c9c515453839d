// The time-order key of one message record, (`ts` in milliseconds, `_id` as text), from a
// mongodump document (two top-level elements found in place, nothing decoded) or a mongoexport
// line (parsed). A message without a readable `ts` sorts first (the mapping rejects it anyway);
// ties on `ts` are broken by `_id`, compared as UTF-8 bytes.

import { BSON, idTextAt, nameIs, walkElements } from '../sources/bson-elements.js';
import { isBsonDocument } from '../sources/bson-document.js';
import { idText, numberValue } from '../sources/rocketchat/extended-json.js';

export interface SortKey {
  ms: number;
  id: string;
}

const TS = Buffer.from('ts');
const ID = Buffer.from('_id');
const NO_TIME = -Infinity;

/** The key of the record `buf[start..end)`; a record that cannot be read gets (no time, no id). */
export function sortKeyOf(buf: Buffer, start: number, end: number): SortKey {
  return isBsonDocument(buf, start, end) ? bsonKey(buf, start, end) : jsonKey(buf.toString('utf8', start, end));
}

function bsonKey(buf: Buffer, start: number, end: number): SortKey {
  const key: SortKey = { ms: NO_TIME, id: '' };
  let found = 0;
  try {
    walkElements(buf, start, end, (type, nameStart, nameEnd, valueStart, valueEnd) => {
      if (nameIs(buf, nameStart, nameEnd, TS)) {
        key.ms = bsonMillis(type, buf, valueStart, valueEnd);
        found++;
      } else if (nameIs(buf, nameStart, nameEnd, ID)) {
        key.id = idTextAt(type, buf, valueStart, valueEnd) ?? '';
        found++;
      }
      return found < 2;
    });
  } catch {
    // A corrupt document keeps what was found before the damage; the messages phase reports it.
  }
  return key;
}

function bsonMillis(type: number, buf: Buffer, at: number, end: number): number {
  switch (type) {
    case BSON.date:
      return int64At(buf, at);
    case BSON.int64:
      return fromNumber(int64At(buf, at));
    case BSON.double:
      return fromNumber(buf.readDoubleLE(at));
    case BSON.int32:
      return fromNumber(buf.readInt32LE(at));
    case BSON.string:
      return fromText(buf.toString('utf8', at + 4, end - 1));
    default:
      return NO_TIME;
  }
}

/** An int64 as a number (exact within 2^53, which every date in milliseconds is); cheaper than a BigInt. */
function int64At(buf: Buffer, at: number): number {
  return buf.readInt32LE(at + 4) * 4294967296 + buf.readUInt32LE(at);
}

function jsonKey(text: string): SortKey {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ms: NO_TIME, id: '' };
  }
  if (typeof doc !== 'object' || doc === null) return { ms: NO_TIME, id: '' };
  const d = doc as Record<string, unknown>;
  return { ms: jsonMillis(d['ts']), id: idText(d['_id']) ?? '' };
}

/** Milliseconds of a date in any mongoexport form ({"$date": ISO | ms | {"$numberLong"}}, a number, a string). */
export function jsonMillis(value: unknown): number {
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value === 'string') return fromText(value);
  if (typeof value !== 'object' || value === null) return NO_TIME;
  const v = value as Record<string, unknown>;
  if (!('$date' in v)) {
    const n = numberValue(value);
    return n === undefined ? NO_TIME : fromNumber(n);
  }
  const date = v['$date'];
  if (typeof date === 'number') return Number.isFinite(date) ? date : NO_TIME; // always milliseconds inside $date
  if (typeof date === 'string') return fromText(date);
  const n = numberValue(date);
  return n === undefined ? NO_TIME : n;
}

/** A bare number: milliseconds from 1e11 on (as the record core reads timestamps), else seconds. */
function fromNumber(n: number): number {
  if (!Number.isFinite(n)) return NO_TIME;
  return Math.abs(n) >= 1e11 ? n : n * 1000;
}

function fromText(s: string): number {
  if (/^-?\d+(\.\d+)?$/.test(s)) return fromNumber(Number(s));
  // An ISO date without a zone is UTC, as the record core reads it.
  const t = Date.parse(/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s) ? `${s}Z` : s);
  return Number.isNaN(t) ? NO_TIME : t;
}
