// Timestamp conversion: seconds, milliseconds, numeric strings, ISO-8601 and Mongo {"$date"} to UNIX seconds.

/** 2001-09-09T01:46:40Z: the first second that has 10 digits. */
export const MIN_UNIX_SECONDS = 1_000_000_000;
/** 2286-11-20T17:46:39Z: the last second that has 10 digits. */
export const MAX_UNIX_SECONDS = 9_999_999_999;
/**
 * Numbers at or above this are milliseconds. 1e11 seconds is the year 5138 and 1e11 ms is 1973,
 * so no value that is a valid 10-digit timestamp in either unit is ambiguous.
 */
const MS_THRESHOLD = 1e11;

const NUMERIC = /^\d+(?:\.\d+)?$/;
const LONG_INTEGER = /^-?\d+$/;
// Extended ISO-8601 / RFC 3339: a date, or a date-time with optional seconds, fraction and zone.
// A space instead of "T" is accepted because RFC 3339 and many database dumps use it.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The value as whole UNIX seconds if it is a timestamp in one of the accepted forms *and* has
 * 10 digits (what CometChat accepts), else undefined. Fractions are floored.
 */
export function toUnixSeconds(value: unknown): number | undefined {
  const seconds = parseUnixSeconds(value);
  return seconds !== undefined && seconds >= MIN_UNIX_SECONDS && seconds <= MAX_UNIX_SECONDS
    ? seconds
    : undefined;
}

/**
 * The 10-digit text CometChat expects ("1673421419"), or undefined. Hot path: a value that is
 * already a 10-digit string is returned as is, without parsing.
 */
export function toTimestampText(value: unknown): string | undefined {
  let seconds: number | undefined;
  if (typeof value === 'string') {
    if (isTenDigitText(value)) return value;
    seconds = fromString(value);
  } else {
    seconds = typeof value === 'number' ? fromNumber(value) : parseUnixSeconds(value);
  }
  return seconds !== undefined && seconds >= MIN_UNIX_SECONDS && seconds <= MAX_UNIX_SECONDS ? tenDigitText(seconds) : undefined;
}

/**
 * String(seconds) for a whole number of 10 digits, built from its digits: String() goes through
 * V8's number-to-string cache, which cost ~2x as much per call inside the pipeline (measured
 * ~0.15 vs ~0.07 µs: the cache is old-space memory that every call reads and writes).
 */
function tenDigitText(seconds: number): string {
  // Two 5-digit halves, so the digit arithmetic stays in int32 (`| 0` divisions).
  const hi = Math.floor(seconds / 100000);
  const lo = seconds - hi * 100000;
  return String.fromCharCode(
    48 + ((hi / 10000) | 0), 48 + (((hi / 1000) | 0) % 10), 48 + (((hi / 100) | 0) % 10), 48 + (((hi / 10) | 0) % 10), 48 + (hi % 10),
    48 + ((lo / 10000) | 0), 48 + (((lo / 1000) | 0) % 10), 48 + (((lo / 100) | 0) % 10), 48 + (((lo / 10) | 0) % 10), 48 + (lo % 10),
  );
}

/**
 * Whole UNIX seconds for any recognised form, without the 10-digit range check (so callers can
 * tell "out of range" from "not a timestamp"). Accepted forms:
 * - numbers: seconds, or milliseconds when >= 1e11; fractions floored;
 * - numeric strings ("1673421419", "1673421419000", "1673421419.5"), same rule;
 * - ISO-8601 date ("2023-01-11" = midnight UTC) or date-time with optional seconds, fraction and
 *   zone (Z, ±hh:mm, ±hhmm, ±hh); no zone means UTC (unlike Date.parse, which uses local time);
 * - Mongo extended JSON {"$date": ISO | ms number | {"$numberLong": "ms"}}: numbers there are
 *   always milliseconds, as mongoexport writes them;
 * - Date objects (for sources that build records in code).
 */
export function parseUnixSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value === 'string') return fromString(value);
  if (typeof value !== 'object' || value === null) return undefined;
  if (value instanceof Date) return fromMilliseconds(value.getTime());
  if (!Object.prototype.hasOwnProperty.call(value, '$date')) return undefined;
  const date = (value as { $date: unknown }).$date;
  if (typeof date === 'string') return fromIso(date.trim());
  if (typeof date === 'number') return fromMilliseconds(date);
  if (typeof date === 'object' && date !== null) {
    const long = (date as { $numberLong?: unknown }).$numberLong;
    if (typeof long === 'string' && LONG_INTEGER.test(long)) return fromMilliseconds(Number(long));
  }
  return undefined;
}

/** True for exactly ten ASCII digits not starting with 0 (the canonical output form). */
export function isTenDigitText(text: string): boolean {
  if (text.length !== 10) return false;
  const first = text.charCodeAt(0);
  if (first < 49 || first > 57) return false;
  for (let i = 1; i < 10; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The number a ten-digit text (see isTenDigitText) spells; cheaper than Number() for fresh strings. */
export function tenDigitValue(text: string): number {
  let n = 0;
  for (let i = 0; i < 10; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

function fromNumber(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  return n >= MS_THRESHOLD ? Math.floor(n / 1000) : Math.floor(n);
}

function fromMilliseconds(ms: number): number | undefined {
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

function fromString(raw: string): number | undefined {
  const text = raw.trim();
  // A "-" at index 4 is a date, never a number: skip the numeric regex for ISO text.
  if (text.charCodeAt(4) !== 45 && NUMERIC.test(text)) return fromNumber(Number(text));
  return fromIso(text);
}

function fromIso(text: string): number | undefined {
  // Bound the work on huge garbage strings before running the regex.
  if (text.length > 64) return undefined;
  const fast = fromCommonIso(text);
  if (fast >= 0) return fast;
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // 24:00 and leap second 60 are legal ISO but rare in exports; Date.parse rejects them too.
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetMinutes = zoneOffsetMinutes(m[7]);
  if (offsetMinutes === undefined) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999; those are out of the 10-digit range either way.
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // The fraction never changes the floored second: offsets are whole minutes.
  return utcMs / 1000 - offsetMinutes * 60;
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
  const digits = zone.length > 3 && zone.charCodeAt(3) === 58 ? zone.slice(1, 3) + zone.slice(4) : zone.slice(1);
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

// `YYYY-MM-DDTHH:MM:SS` and `±HH:MM`: DIGIT where a digit goes, else the separator (T stands
// for T, t or a space). The parser walks these in loops, so each has one charCodeAt: every
// charCodeAt call site costs TurboFan a string-representation dispatch of its own (measured:
// 25 sites made this function one of the slowest to compile, ~6 ms).
const DIGIT = 0;
const DATE_TIME_SHAPE = [DIGIT, DIGIT, DIGIT, DIGIT, 45, DIGIT, DIGIT, 45, DIGIT, DIGIT, 84, DIGIT, DIGIT, 58, DIGIT, DIGIT, 58, DIGIT, DIGIT];
const OFFSET_SHAPE = [DIGIT, DIGIT, 58, DIGIT, DIGIT];
const digits = new Int32Array(DATE_TIME_SHAPE.length);

/** Reads `shape` at text[from...] into `digits` (digit values; separators 0); false on a mismatch. */
function readShape(text: string, from: number, shape: readonly number[]): boolean {
  for (let k = 0; k < shape.length; k++) {
    const c = text.charCodeAt(from + k);
    const want = shape[k] as number;
    if (want === DIGIT) {
      if (!(c >= 48 && c <= 57)) return false;
      digits[k] = c - 48;
    } else if (c !== want && !(want === 84 && (c === 116 || c === 32))) {
      return false;
    } else {
      digits[k] = 0;
    }
  }
  return true;
}

/**
 * The hot path of fromIso for the forms exports actually write, `YYYY-MM-DDTHH:MM:SS`, then an
 * optional fraction, then `Z`, `±HH:MM` or nothing (UTC): the same value as the regex path,
 * computed from the digits without a match array or Date.UTC (days from the civil date).
 * -1 when `text` has any other shape (or year < 1000): the regex path then decides.
 */
function fromCommonIso(text: string): number {
  const n = text.length;
  if (n < 19 || !readShape(text, 0, DATE_TIME_SHAPE)) return -1;
  const d = digits;
  const year = (d[0] as number) * 1000 + (d[1] as number) * 100 + (d[2] as number) * 10 + (d[3] as number);
  const month = (d[5] as number) * 10 + (d[6] as number);
  const day = (d[8] as number) * 10 + (d[9] as number);
  const hour = (d[11] as number) * 10 + (d[12] as number);
  const minute = (d[14] as number) * 10 + (d[15] as number);
  const second = (d[17] as number) * 10 + (d[18] as number);
  if (year < 1000 || hour > 23 || minute > 59 || second > 59) return -1;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  let i = 19;
  let c = text.charCodeAt(i);
  if (c === 46 || c === 44) {
    // A fraction never changes the floored second; it needs at least one digit.
    i++;
    const digitsFrom = i;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
    if (i === digitsFrom) return -1;
  }
  let offsetMinutes = 0;
  if (i < n) {
    if ((c === 90 || c === 122) && i + 1 === n) {
      offsetMinutes = 0;
    } else if ((c === 43 || c === 45) && i + 6 === n && readShape(text, i + 1, OFFSET_SHAPE)) {
      const hours = (d[0] as number) * 10 + (d[1] as number);
      const minutes = (d[3] as number) * 10 + (d[4] as number);
      if (hours > 23 || minutes > 59) return -1;
      offsetMinutes = (c === 45 ? -1 : 1) * (hours * 60 + minutes);
    } else {
      return -1;
    }
  }
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
