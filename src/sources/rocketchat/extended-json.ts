// Reading MongoDB extended JSON as mongoexport writes it (relaxed, canonical and legacy modes):
// ids as strings or {"$oid"}, dates as {"$date": ISO | ms | {"$numberLong"}} or bare values,
// numbers as {"$numberInt"} / {"$numberLong"}. Pure functions over parsed values.

import { parseUnixSeconds, MAX_UNIX_SECONDS, MIN_UNIX_SECONDS } from '../../entities/timestamps.js';

/** A document id as text: a string, {"$oid": hex}, or an integer (plain or canonical); else undefined. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['$oid'] === 'string') return v['$oid'] === '' ? undefined : v['$oid'];
  const n = numberValue(value);
  return n !== undefined && Number.isSafeInteger(n) ? String(n) : undefined;
}

/** A number, or canonical {"$numberInt"|"$numberLong"|"$numberDouble": "text"}; else undefined. */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const text = v['$numberInt'] ?? v['$numberLong'] ?? v['$numberDouble'];
  if (typeof text !== 'string' || !/^-?\d+(?:\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/**
 * UNIX seconds of a date in any mongoexport form, when it is in CometChat's 10-digit range;
 * else 0 (the tables' "absent"). A canonical number wrapper is taken as milliseconds, as the
 * only place it carries a date is inside $date, which the record core already reads.
 */
export function dateSeconds(value: unknown): number {
  let seconds: number | undefined;
  if (typeof value === 'object' && value !== null && !('$date' in value)) {
    const n = numberValue(value);
    seconds = n === undefined ? undefined : parseUnixSeconds(n);
  } else {
    seconds = parseUnixSeconds(value);
  }
  return seconds !== undefined && seconds >= MIN_UNIX_SECONDS && seconds <= MAX_UNIX_SECONDS ? seconds : 0;
}

/** Booleans as exports write them (true/false; canonical numbers 0/1 seen in hand-made dumps). */
export function isTrue(value: unknown): boolean {
  return value === true || numberValue(value) === 1;
}

/** A non-empty string, else undefined. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
