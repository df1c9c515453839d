// Small facts about JSON values that the field rules are built from: plain objects, characters
// counted as people count them, UTF-8 sizes, JSON text, and how a value is shown in a message.

/** A JSON object: `{}` literal or null-prototype, never an array, Date, Map or class instance. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** What zod's object schemas accept as an object: anything non-null of type object except arrays. */
export function isObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Code points in `text` (a surrogate pair counts once: an emoji is one character). */
export function charCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** At most `limit` characters (code points); the length alone decides most strings. */
export function fitsChars(text: string, limit: number): boolean {
  if (text.length <= limit) return true;
  if (text.length > 2 * limit) return false;
  return charCount(text) <= limit;
}

/** At most `limit` bytes as UTF-8, measured only when the length alone cannot decide. */
export function fitsBytes(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return true;
  if (text.length > limit) return false;
  return Buffer.byteLength(text, 'utf8') <= limit;
}

const NON_SPACE = /\S/;

/** Has a character that is not white space (a visible ASCII first character decides at once). */
export function hasText(value: string): boolean {
  const first = value.charCodeAt(0);
  return (first > 32 && first < 127) || NON_SPACE.test(value);
}

/** The same test as a regular expression, for schemas. */
export const HAS_TEXT = NON_SPACE;

// Quote, backslash, control characters and surrogates (lone ones must be escaped; pairs are left
// to JSON.stringify too, as they are rare).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The JSON string literal of `text`: identical to JSON.stringify(text), cheaper for plain text. */
export function quoteJson(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** JSON text of a value, or undefined when it cannot be serialized (cycles, BigInt, a throwing toJSON). */
export function jsonTextOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // only possible for records built in code: JSON data always serializes
  }
}

/** The value at `path` inside `root`, or undefined where the path leaves the objects. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A short, safe rendering of any value for messages (long strings and objects are cut). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 60 ? `${JSON.stringify(value.slice(0, 60) + '…')} (${value.length} characters)` : JSON.stringify(value);
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value !== 'object') return typeof value;
  if (!isPlainRecord(value)) return `a ${String((value as { constructor?: { name?: unknown } }).constructor?.name ?? 'non-plain')} object`;
  const text = jsonTextOf(value);
  if (text === undefined) return 'an object';
  return text.length > 60 ? `an object ${text.slice(0, 60)}…` : `an object ${text}`;
}
