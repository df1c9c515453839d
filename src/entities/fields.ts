// The vocabulary entity kinds are declared in. Each builder states one rule once (its pattern,
// limit and normalization) and gives it two forms made of the same pieces: a zod schema (the
// reference: it names the broken rule and where) and a `fast` function (normalize and judge in
// one call, FAIL when the rule is broken), which compile.ts strings together into a kind's fast
// path. A kind's declaration (entities/<kind>/schema.ts) is a zod object built only from these.
//
// Values are normalized to their wire form: ids lowercased, timestamps as 10-digit seconds text,
// enum synonyms mapped, JSON-valued fields (metadata, tags) as their JSON text. `null` counts as
// absent (exports write null for "no value").
//
// One file, longer than most: it is the vocabulary every declaration reads from, and each rule's
// zod form and fast form are meant to be read side by side.

import { z } from 'zod';
import type { ReasonCode } from './reasons.js';
import { isTenDigitText, MAX_UNIX_SECONDS, MIN_UNIX_SECONDS, parseUnixSeconds, toTimestampText } from './timestamps.js';
import { charCount, describeValue, fitsBytes, fitsChars, HAS_TEXT, hasText, isPlainRecord, jsonTextOf } from './values.js';
import { compileObject, FieldFailure, type CompiledObject } from './compile.js';

/** What a fast check returns for a value that breaks its rule. */
export const FAIL: unique symbol = Symbol('FAIL');
export type Fail = typeof FAIL;

/**
 * How a normalized value is written into canonical JSON: `plain` strings need no escaping (ids,
 * timestamps, enum words), `string` is any text, `json` is JSON text already, `object` a nested
 * declaration.
 */
export type Write = 'plain' | 'string' | 'json' | 'boolean' | 'object';

/** A zod issue as explain.ts reads it. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly params?: IssueParams;
}

export interface IssueParams {
  readonly reason?: 'LIMIT_EXCEEDED';
  readonly limit?: number;
  readonly unit?: string;
  readonly unserializable?: boolean;
  /** A map item's own key field differs from the map key it came under (mapOf): that key. */
  readonly mapKey?: string;
}

export interface FieldRule {
  /** What the rule is, for compile-time checks and messages ("id", "timestamp", ...). */
  readonly kind: string;
  readonly write: Write;
  /** A present (not null) raw value → its wire value, or FAIL. */
  readonly fast: (value: unknown) => unknown;
  /** The conversion alone (no judgement): what a nested object inherits from its parent. */
  readonly convert: (value: unknown) => unknown;
  /** The message for a broken rule at `field`, given the value as the record wrote it. */
  readonly explain: (field: string, value: unknown, issue: IssueLike) => string;
  /** A reason every failure of this rule carries, whatever field it is in (timestamps). */
  readonly reason?: ReasonCode;
  /** Nested declarations: the fields in check order, and what they take from the parent. */
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  /** Child field → its own field → the parent field whose value it takes when absent. */
  readonly inherit?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Fields in canonical JSON order (default: shape order). */
  readonly output?: readonly string[];
  /** Lists and maps: the object() schema of one item. */
  readonly item?: z.ZodType;
  /** Objects: the most bytes their canonical JSON may take (message data). */
  readonly maxBytes?: number;
}

export interface FieldOptions {
  optional?: boolean;
  /** The value when absent (it must be valid: it is not judged again). */
  default?: string | boolean;
  /** Reason when this top-level field is absent, and when it is present but broken. */
  missing?: ReasonCode;
  invalid?: ReasonCode;
}

export interface FieldSpec {
  readonly rule: FieldRule;
  readonly optional: boolean;
  readonly default: string | boolean | undefined;
  readonly missing: ReasonCode | undefined;
  readonly invalid: ReasonCode | undefined;
}

const SPECS = new WeakMap<z.ZodType, FieldSpec>();

/** The rule behind a schema made by this module; throws for anything else (declarations use only these builders). */
export function specOf(schema: z.ZodType, where: string): FieldSpec {
  const spec = SPECS.get(schema);
  if (spec === undefined) throw new Error(`${where} is not built from src/entities/fields.ts: declare it with those builders`);
  return spec;
}

function finish(base: z.ZodType, rule: FieldRule, o: FieldOptions = {}): z.ZodType {
  const schema = o.default !== undefined ? base.default(o.default as never) : o.optional ? base.optional() : base;
  SPECS.set(schema, { rule, optional: o.optional === true || o.default !== undefined, default: o.default, missing: o.missing, invalid: o.invalid });
  return schema;
}

const limitParams = (limit: number, unit: string): IssueParams => ({ reason: 'LIMIT_EXCEEDED', limit, unit });
const withLimit = (params: IssueParams) => ({ params });
const UNSERIALIZABLE: IssueParams = { unserializable: true };

const fallbackMessage = (field: string, value: unknown): string => `${field} must be a string, got ${describeValue(value)}`;

// ---------------------------------------------------------------------------------------------
// Ids.

/** CometChat's id alphabet and length (uid, guid, owner, sender, receiver). */
export const ID_PATTERN = /^[a-z0-9_-]{1,100}$/;

/** CometChat lowercases ids; integer ids become their decimal text (beyond 2^53 they were already rounded, so they stay numbers and fail). */
export function toIdText(value: unknown): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return value;
}

/** The id a value makes once normalized, or undefined when it is not a valid id. */
export function asId(value: unknown): string | undefined {
  const text = toIdText(value);
  return typeof text === 'string' && ID_PATTERN.test(text) ? text : undefined;
}

function explainId(field: string, value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return `${field} ${describeValue(value)} is not a safe integer (JSON numbers above 2^53 lose digits): write the id as a string`;
  }
  if (typeof value !== 'string') return `${field} must be a string or an integer, got ${describeValue(value)}`;
  return `${field} ${describeValue(value)} must be 1-100 characters of a-z 0-9 _ - (ids are lowercased)`;
}

/** A CometChat id: 1-100 characters of a-z 0-9 _ -, lowercased. */
export function id(o?: FieldOptions): z.ZodType {
  return finish(z.preprocess(toIdText, z.string().regex(ID_PATTERN)), {
    kind: 'id',
    write: 'plain',
    convert: toIdText,
    fast: (v) => asId(v) ?? FAIL,
    explain: explainId,
  }, o);
}

// ---------------------------------------------------------------------------------------------
// Text.

/** A display name: some visible text, at most `limit` characters. */
export function name(limit: number, o?: FieldOptions): z.ZodType {
  return finish(z.string().regex(HAS_TEXT).refine((s) => fitsChars(s, limit), withLimit(limitParams(limit, 'characters'))), {
    kind: 'name',
    write: 'string',
    convert: (v) => v,
    fast: (v) => (typeof v === 'string' && hasText(v) && fitsChars(v, limit) ? v : FAIL),
    explain: (field, value) => `${field} must be a non-empty string, got ${describeValue(value)}`,
  }, o);
}

/** Any string, at most `limit` characters when a limit is documented (URLs, roles). */
export function text(limit: number | undefined, o?: FieldOptions): z.ZodType {
  const base = limit === undefined ? z.string() : z.string().refine((s) => fitsChars(s, limit), withLimit(limitParams(limit, 'characters')));
  return finish(base, {
    kind: 'text',
    write: 'string',
    convert: (v) => v,
    fast: limit === undefined ? (v) => (typeof v === 'string' ? v : FAIL) : (v) => (typeof v === 'string' && fitsChars(v, limit) ? v : FAIL),
    explain: fallbackMessage,
  }, o);
}

/** A secret (a group password): like text, but a message never shows its value. */
export function secret(limit: number, o?: FieldOptions): z.ZodType {
  return finish(z.string().refine((s) => fitsChars(s, limit), withLimit(limitParams(limit, 'characters'))), {
    kind: 'secret',
    write: 'string',
    convert: (v) => v,
    fast: (v) => (typeof v === 'string' && fitsChars(v, limit) ? v : FAIL),
    explain: (field) => `${field} must be a string`,
  }, o);
}

/** An identifier kept exactly as given (message muids): 1 to `limit` characters, none of them a control character. */
export function printable(limit: number, o?: FieldOptions): z.ZodType {
  const ok = (s: string): boolean => s.length > 0 && fitsChars(s, limit) && !CONTROL.test(s);
  return finish(z.string().refine(ok), {
    kind: 'printable',
    write: 'string',
    convert: (v) => v,
    fast: (v) => (typeof v === 'string' && ok(v) ? v : FAIL),
    explain: (field, value) =>
      typeof value === 'string' ? `${field} ${describeValue(value)} must be 1-${limit} characters without control characters` : fallbackMessage(field, value),
  }, o);
}

const CONTROL = /[\u0000-\u001f\u007f]/;

// ---------------------------------------------------------------------------------------------
// Enums and flags.

export interface OneOfOptions<T extends string> extends FieldOptions {
  /** Other spellings, lowercased, mapped to the value they mean (owner → admin). */
  synonyms?: Readonly<Record<string, T>>;
  /** The message for a value that is none of them (default: "X is not a, b or c"). */
  message?: (field: string, shown: string) => string;
}

/** One of a few words, case-insensitive, with synonyms. */
export function oneOf<T extends string>(values: readonly [T, ...T[]], o: OneOfOptions<T> = {}): z.ZodType {
  for (const v of values) if (JSON.stringify(v) !== `"${v}"`) throw new Error(`oneOf value ${v} would need escaping`);
  const synonyms = o.synonyms ?? {};
  const lookup = (text: string): T | undefined => (values.includes(text as T) ? (text as T) : Object.hasOwn(synonyms, text) ? synonyms[text] : undefined);
  const convert = (v: unknown): unknown => (typeof v === 'string' ? (lookup(v) ?? lookup(v.toLowerCase()) ?? v) : v);
  const list = values.length === 1 ? values[0] : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
  const message = o.message ?? ((field: string, shown: string) => `${field} ${shown} is not ${list}`);
  return finish(z.preprocess(convert, z.enum(values as unknown as [string, ...string[]])), {
    kind: 'oneOf',
    write: 'plain',
    convert,
    fast: (v) => {
      if (typeof v !== 'string') return FAIL;
      return lookup(v) ?? lookup(v.toLowerCase()) ?? FAIL;
    },
    explain: (field, value) => message(field, describeValue(value)),
  }, o);
}

/** Booleans, "true"/"false" in any case, and the numbers 1/0. */
export function toFlag(value: unknown): unknown {
  if (typeof value === 'boolean') return value;
  if (value === 1) return true;
  if (value === 0) return false;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return value;
}

export function flag(o?: FieldOptions): z.ZodType {
  return finish(z.preprocess(toFlag, z.boolean()), {
    kind: 'flag',
    write: 'boolean',
    convert: toFlag,
    fast: (v) => {
      const b = toFlag(v);
      return typeof b === 'boolean' ? b : FAIL;
    },
    explain: (field, value) => `${field} ${describeValue(value)} is not a boolean (true/false, "true"/"false" or 0/1)`,
  }, o);
}

// ---------------------------------------------------------------------------------------------
// Timestamps (see timestamps.ts for the forms accepted).

export function timestamp(o?: FieldOptions): z.ZodType {
  const convert = (v: unknown): unknown => toTimestampText(v) ?? v;
  return finish(z.preprocess(convert, z.string().refine(isTenDigitText)), {
    kind: 'timestamp',
    write: 'plain',
    reason: 'INVALID_TIMESTAMP',
    convert,
    fast: (v) => toTimestampText(v) ?? FAIL,
    explain: explainTimestamp,
  }, o);
}

function explainTimestamp(field: string, value: unknown): string {
  const shown = describeValue(value);
  const seconds = parseUnixSeconds(value);
  if (seconds === undefined) return `${field} ${shown} is not a timestamp (seconds, milliseconds, ISO-8601 or {"$date": ...})`;
  const asSeconds = shown === String(seconds) ? '' : ` (${seconds} s)`;
  return `${field} ${shown}${asSeconds} is outside the 10-digit seconds range ${MIN_UNIX_SECONDS}..${MAX_UNIX_SECONDS} (2001-09-09..2286-11-20)`;
}

// ---------------------------------------------------------------------------------------------
// JSON-valued fields, kept as their JSON text.

/** A JSON object of at most `limitBytes` as UTF-8 JSON (metadata, customData). */
export function jsonObject(limitBytes: number, o?: FieldOptions): z.ZodType {
  const params = limitParams(limitBytes, 'bytes of JSON');
  const base = z.custom<Record<string, unknown>>(isPlainRecord).transform((m, ctx) => {
    const json = jsonTextOf(m);
    if (json === undefined) ctx.addIssue({ code: 'custom', params: UNSERIALIZABLE, input: m });
    else if (!fitsBytes(json, limitBytes)) ctx.addIssue({ code: 'custom', params, input: m });
    else return json;
    return z.NEVER;
  });
  return finish(base, {
    kind: 'jsonObject',
    write: 'json',
    convert: (v) => v,
    fast: (v) => {
      if (!isPlainRecord(v)) return FAIL;
      const json = jsonTextOf(v);
      return json !== undefined && fitsBytes(json, limitBytes) ? json : FAIL;
    },
    explain: (field, value, issue) => (issue.params?.unserializable ? `${field} cannot be serialized as JSON` : `${field} must be a JSON object, got ${describeValue(value)}`),
  }, o);
}

/** At most `count` tags of at most `chars` characters each. */
export function tags(count: number, chars: number, o?: FieldOptions): z.ZodType {
  // The count is checked before the items (a pipe stops at the first failure): otherwise zod
  // would visit and report every item of a huge array.
  const base = z
    .array(z.unknown())
    .refine((a) => a.length <= count, withLimit(limitParams(count, 'tags')))
    .pipe(z.array(z.string().refine((s) => fitsChars(s, chars), withLimit(limitParams(chars, 'characters')))))
    .transform((a) => JSON.stringify(a));
  return finish(base, {
    kind: 'tags',
    write: 'json',
    convert: (v) => v,
    fast: (v) => {
      if (!Array.isArray(v) || v.length > count) return FAIL;
      for (const tag of v) if (typeof tag !== 'string' || !fitsChars(tag, chars)) return FAIL;
      return JSON.stringify(v);
    },
    explain: (field, value, issue) =>
      issue.path.length > 0 && typeof issue.path[issue.path.length - 1] === 'number'
        ? fallbackMessage(field, value) // one item
        : `${field} must be an array of strings, got ${describeValue(value)}`,
  }, o);
}

// ---------------------------------------------------------------------------------------------
// Objects: a kind's record, or details nested in it.

export interface ObjectOptions extends FieldOptions {
  /** Child field → { its field: the field of this object whose value it takes when absent }. */
  inherit?: Record<string, Record<string, string>>;
  /** Canonical JSON order (default: the shape's order, which is also the order problems are reported in). */
  output?: readonly string[];
  /** The most bytes of UTF-8 the object's canonical JSON may take. */
  maxBytes?: number;
}

/** Drops null-valued keys (null = absent) and fills the inherited ids of nested objects. */
function prepare(shape: Readonly<Record<string, z.ZodType>>, inherit: ObjectOptions['inherit']): (value: unknown) => unknown {
  return (value) => {
    if (!isPlainRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) if (value[key] !== null) out[key] = value[key];
    for (const [child, fields] of Object.entries(inherit ?? {})) {
      const nested = out[child];
      if (!isPlainRecord(nested)) continue;
      let copy: Record<string, unknown> | undefined;
      for (const [own, parent] of Object.entries(fields)) {
        if (nested[own] != null || out[parent] === undefined) continue;
        copy ??= { ...nested };
        copy[own] = specOf(shape[parent]!, parent).rule.convert(out[parent]);
      }
      if (copy) out[child] = copy;
    }
    return out;
  };
}

export function object(shape: Record<string, z.ZodType>, o: ObjectOptions = {}): z.ZodType {
  for (const [key, schema] of Object.entries(shape)) specOf(schema, `field ${key}`);
  const output = o.output ?? Object.keys(shape);
  const rule: FieldRule = {
    kind: 'object',
    write: 'object',
    convert: (v) => v,
    // Objects are compiled field by field (compile.ts); `fast` is their size check, when they have one.
    fast: o.maxBytes === undefined ? () => FAIL : (values) => (fitsBytes(compiled().write(values as Record<string, unknown>), o.maxBytes!) ? values : FAIL),
    explain: (field, value) => `${field} must be an object, got ${describeValue(value)}`,
    shape,
    ...(o.inherit ? { inherit: o.inherit } : {}),
    output,
    ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
  };
  const compiled = lazyCompiled(rule);
  let base: z.ZodType = z.preprocess(prepare(shape, o.inherit), z.object(shape));
  if (o.maxBytes !== undefined) {
    const max = o.maxBytes;
    base = base.refine((v) => fitsBytes(compiled().write(v as Record<string, unknown>), max), withLimit(limitParams(max, 'bytes of JSON')));
  }
  return finish(base, rule, o);
}

/**
 * A list of at least `min` and at most `max` objects of one declaration (message attachments),
 * kept as the JSON text of the normalized items. Its fast form is the item's compiled one.
 */
export function list(item: z.ZodType, bounds: { min: number; max: number }, o?: FieldOptions): z.ZodType {
  const itemRule = specOf(item, 'a list item').rule;
  const compiled = lazyCompiled(itemRule);
  const params = limitParams(bounds.max, 'items');
  const base = z
    .array(z.unknown())
    .min(bounds.min)
    .refine((a) => a.length <= bounds.max, withLimit(params))
    .pipe(z.array(item))
    .transform((items) => '[' + items.map((it) => compiled().write(it as Record<string, unknown>)).join(',') + ']');
  return finish(base, {
    kind: 'list',
    write: 'json',
    convert: (v) => v,
    fast: (v) => {
      if (!Array.isArray(v) || v.length < bounds.min || v.length > bounds.max) return FAIL;
      const c = compiled();
      let json = '[';
      for (let i = 0; i < v.length; i++) {
        const it: unknown = v[i];
        const values = isPlainRecord(it) ? c.normalize(it) : undefined;
        if (values === undefined || values instanceof FieldFailure) return FAIL;
        json += (i === 0 ? '' : ',') + c.write(values);
      }
      return json + ']';
    },
    explain: (field, value) => `${field} must be a list of ${bounds.min} to ${bounds.max} objects, got ${describeValue(value)}`,
    item,
  }, o);
}

/**
 * A map of objects keyed by one of their id fields (mentioned users by uid): an item without that
 * field takes its key; the key must spell the item's (normalized) id. Kept as JSON text.
 */
export function mapOf(item: z.ZodType, keyField: string, o?: FieldOptions): z.ZodType {
  const itemRule = specOf(item, 'a map item').rule;
  const compiled = lazyCompiled(itemRule);
  const withKey = (key: string, it: unknown): unknown => (isPlainRecord(it) && it[keyField] == null ? { ...it, [keyField]: key } : it);
  const base = z
    .record(z.string(), z.unknown())
    .transform((m) => Object.fromEntries(Object.entries(m).map(([k, it]) => [k, withKey(k, it)])))
    .pipe(z.record(z.string(), item))
    .transform((m, ctx) => {
      let json = '{';
      for (const [k, it] of Object.entries(m)) {
        const values = it as Record<string, unknown>;
        if (values[keyField] !== k.toLowerCase()) {
          ctx.addIssue({ code: 'custom', path: [k, keyField], input: it, params: { mapKey: k } });
          return z.NEVER;
        }
        json += (json.length === 1 ? '' : ',') + JSON.stringify(values[keyField]) + ':' + compiled().write(values);
      }
      return json + '}';
    });
  return finish(base, {
    kind: 'map',
    write: 'json',
    convert: (v) => v,
    fast: (v) => {
      if (!isPlainRecord(v)) return FAIL;
      const c = compiled();
      let json = '{';
      for (const k of Object.keys(v)) {
        const it = withKey(k, v[k]);
        const values = isPlainRecord(it) ? c.normalize(it) : undefined;
        if (values === undefined || values instanceof FieldFailure || values[keyField] !== k.toLowerCase()) return FAIL;
        json += (json.length === 1 ? '' : ',') + JSON.stringify(values[keyField]) + ':' + c.write(values);
      }
      return json + '}';
    },
    explain: (field, value) => `${field} must be an object of ${keyField} → details, got ${describeValue(value)}`,
    item,
  }, o);
}

/** The compiled form of an item declaration, built on first use (compile.ts builds on this module). */
function lazyCompiled(rule: FieldRule): () => CompiledObject {
  let compiled: CompiledObject | undefined;
  return () => (compiled ??= compileObject(rule));
}

/** How big a limit failure was, in the limit's unit, for its message. */
export function measure(value: unknown, unit: string | undefined): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'string') return charCount(value);
  const json = jsonTextOf(value);
  return unit === 'bytes of JSON' && json !== undefined ? Buffer.byteLength(json, 'utf8') : 0;
}
