// The JSON readers of the text fast path (scan-member.ts): each takes the text and a position
// and returns the position after what it read, or -1 to give up (the record then takes the usual
// path). Positions and text stay in arguments and locals: module-level state read in a loop cost
// ~2.5x in V8 (every access is a context load with a hole check), so only results that are more
// than a position are handed over that way (timestampOut).

import { toTimestampText } from './timestamps.js';

/** Set in an id's returned end when it has capitals (ends are far below 2^29). */
export const UPPER = 1 << 29;

/** The 10-digit text of the timestamp timestampEnd read last. */
export let timestampOut: string | undefined;

export function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** The key starting at `start` (whose length the caller checked) is `name`. */
export function keyIs(s: string, start: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) if (s.charCodeAt(start + k) !== name.charCodeAt(k)) return false;
  return true;
}

/** The closing quote of a key without escapes whose opening quote is at i, or -1. */
export function keyEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  for (i++; ; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i;
    // A backslash, a control character, or the end of the text (NaN fails `c >= 32`).
    if (c === 92 || !(c >= 32)) return -1;
  }
}

/** An object at i: the position of its first key's opening quote, or -1 (also for `{}`: no member, group or user is valid without fields). */
export function firstKey(s: string, i: number): number {
  if (s.charCodeAt(i) !== 123) return -1;
  i++;
  if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  return s.charCodeAt(i) === 34 ? i : -1;
}

/**
 * After a value inside an object: the position of the next key's opening quote after a `,`;
 * ~(the position after `}`) when the object ends there (always below -1); -1 for anything else.
 */
export function nextKey(s: string, i: number): number {
  if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  const c = s.charCodeAt(i);
  if (c === 125) return ~(i + 1);
  if (c !== 44) return -1;
  i++;
  if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  return s.charCodeAt(i) === 34 ? i : -1;
}

/** After a key's closing quote: the position of its value (past `:` and white space), or -1. */
export function afterColon(s: string, i: number): number {
  if (s.charCodeAt(i) <= 32) i = skipSpace(s, i);
  if (s.charCodeAt(i) !== 58) return -1;
  return s.charCodeAt(i + 1) <= 32 ? skipSpace(s, i + 1) : i + 1;
}

/**
 * The closing quote of a string value at i whose JSON text is its content as it is (no escape,
 * control character or surrogate: JSON.stringify writes it back unchanged), or -1.
 */
export function plainStringEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  for (i++; ; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92 || !(c >= 32) || (c >= 0xd800 && c <= 0xdfff)) return -1;
  }
}

/**
 * An id at i: a string of 1-100 ASCII letters, digits, `_` or `-` (canonicalId's rule; numbers
 * are left to the usual path). Its closing quote, with UPPER set when it has capitals, or -1.
 */
export function idEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  const start = i + 1;
  let upper = 0;
  for (i = start; ; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45) continue;
    if (c >= 65 && c <= 90) {
      upper = UPPER;
      continue;
    }
    return c !== 34 || i === start || i - start > 100 ? -1 : i | upper;
  }
}

/** The canonical id for idEnd's result: lowercased when it had capitals. */
export function idText(s: string, i: number, end: number): string {
  const id = s.slice(i + 1, end & ~UPPER);
  return (end & UPPER) === 0 ? id : id.toLowerCase();
}

/** `true` or `false` at i: the position after it, or -1. */
export function booleanEnd(s: string, i: number): number {
  if (s.charCodeAt(i) === 116 && s.charCodeAt(i + 1) === 114 && s.charCodeAt(i + 2) === 117 && s.charCodeAt(i + 3) === 101) return i + 4;
  if (s.charCodeAt(i) === 102 && s.charCodeAt(i + 1) === 97 && s.charCodeAt(i + 2) === 108 && s.charCodeAt(i + 3) === 115 &&
    s.charCodeAt(i + 4) === 101) return i + 5;
  return -1;
}

/**
 * A timestamp at i (number, string or {"$date": string | number}): the position after it, or -1
 * (also when toTimestampText refuses it); timestampOut: its 10-digit text. The conversion is
 * toTimestampText's, on the same value JSON.parse would have produced.
 */
export function timestampEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  let value: string | number | { $date: string | number };
  let end: number;
  if (c === 34) {
    const e = plainStringEnd(s, i);
    if (e < 0) return -1;
    value = s.slice(i + 1, e);
    end = e + 1;
  } else if (c === 123) {
    let j = skipSpace(s, i + 1);
    // "$date"
    if (!(s.charCodeAt(j) === 34 && s.charCodeAt(j + 1) === 36 && keyIs(s, j + 2, 'date"'))) return -1;
    j = afterColon(s, j + 7);
    if (j < 0) return -1;
    let date: string | number;
    if (s.charCodeAt(j) === 34) {
      const e = plainStringEnd(s, j);
      if (e < 0) return -1;
      date = s.slice(j + 1, e);
      j = e + 1;
    } else {
      const e = integerEnd(s, j);
      if (e < 0) return -1;
      date = integerValue(s, j, e);
      j = e;
    }
    if (s.charCodeAt(j) <= 32) j = skipSpace(s, j);
    if (s.charCodeAt(j) !== 125) return -1;
    value = { $date: date };
    end = j + 1;
  } else {
    end = integerEnd(s, i);
    if (end < 0) return -1;
    value = integerValue(s, i, end);
  }
  timestampOut = toTimestampText(value);
  return timestampOut === undefined ? -1 : end;
}

/**
 * The end of a JSON number at i that is an integer of at most 15 digits (exact as a double), or
 * -1 for anything else: fractions, exponents, leading zeros, longer numbers.
 */
function integerEnd(s: string, i: number): number {
  if (s.charCodeAt(i) === 45) i++;
  const first = i;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) i++;
    else break;
  }
  const digits = i - first;
  if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(first) === 48)) return -1;
  const next = s.charCodeAt(i);
  return next === 46 || next === 101 || next === 69 ? -1 : i;
}

function integerValue(s: string, i: number, end: number): number {
  const negative = s.charCodeAt(i) === 45;
  let value = 0;
  for (let k = negative ? i + 1 : i; k < end; k++) value = value * 10 + (s.charCodeAt(k) - 48);
  return negative ? -value : value;
}
