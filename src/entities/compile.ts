// The fast path of a kind, generated from its declaration (as zod itself does for object
// schemas): straight-line code that reads each field once and calls the field's own `fast`
// rule (fields.ts), then the key rule, the cross-field, skip and text rules in declaration order
// with direct calls, and writes canonical JSON in the declared output order. A loop over field
// descriptors instead pays a megamorphic call and a keyed load per field on every record.
//
// `normalize` only ever accepts: at the first broken field rule it returns undefined and the
// reference path (the zod schema, validate.ts) names the problem. `finish` is shared by both
// paths. test/entities-kinds.test.ts holds the two paths to the same results on mutated records.

import { FAIL, specOf, type FieldRule, type FieldSpec } from './fields.js';
import type { Kind, ValidateContext, Validated, Values } from './kind.js';
import { keyFrom, keyMismatch } from './key.js';
import type { z } from 'zod';
import { isObjectLike, isPlainRecord, quoteJson } from './values.js';

/**
 * Where the fast path stopped: the first field (in check order) whose rule the record breaks, and
 * that field's schema. Zod then judges that one value (not the whole record) to name the problem:
 * the first issue of the whole record is always there, as zod reports issues in shape order.
 */
export class FieldFailure {
  constructor(
    readonly path: readonly PropertyKey[],
    readonly schema: z.ZodType,
  ) {}
}

export interface CompiledKind {
  /**
   * The values of a record that breaks no field rule; the first field that breaks one; or
   * undefined when only the whole record's schema can tell (an object that is not a plain one).
   */
  normalize(raw: Record<string, unknown>): Values | FieldFailure | undefined;
  /** From valid values: the key rule, cross-field, skip and text rules, and canonical JSON. */
  finish(raw: Record<string, unknown>, values: Values, ctx: ValidateContext): Validated;
  /**
   * A 16-bit digest of valid values: equal for equal canonical JSON, different (but for a 2^-16
   * chance) otherwise, computed from the values without writing the JSON (the dedupe index tells
   * a repeated key with the same content from one with other content by it).
   */
  digest(values: Values): number;
  /** The generated source, for tests and for reading. */
  readonly source: string;
}

/** Names for the functions the generated code calls; each is handed in as a parameter. */
class Emitter {
  readonly names: string[] = [];
  readonly values: unknown[] = [];
  private next = 0;
  local(prefix: string): string {
    return `${prefix}${this.next++}`;
  }
  constant(prefix: string, value: unknown): string {
    const name = `${prefix}${this.names.length}`;
    this.names.push(name);
    this.values.push(value);
    return name;
  }
}

const prop = (name: string): string => `[${JSON.stringify(name)}]`;

/**
 * Normalizes the object in `rawVar` field by field; returns the variable holding its values.
 * `path` is where the object is in the record (for the failure a broken field returns).
 */
function emitObject(e: Emitter, rule: FieldRule, rawVar: string, inherited: Record<string, string>, lines: string[], indent: string, path: readonly PropertyKey[] = []): string {
  const vars: Array<[string, string]> = [];
  const varOf: Record<string, string> = {};
  for (const [field, schema] of Object.entries(rule.shape!)) {
    const spec = specOf(schema, field);
    const v = e.local('f');
    const r = e.local('r');
    varOf[field] = v;
    vars.push([field, v]);
    const failed = `return ${e.constant('at', new FieldFailure([...path, field], schema))};`;
    lines.push(`${indent}let ${v}${spec.default === undefined ? '' : ` = ${JSON.stringify(spec.default)}`};`);
    lines.push(`${indent}const ${r} = ${rawVar}${prop(field)};`);
    lines.push(`${indent}if (${r} !== undefined && ${r} !== null) {`);
    if (spec.rule.write === 'object') {
      // A nested object takes some of its fields from this one's values (already judged).
      const fromParent: Record<string, string> = {};
      for (const [own, parentField] of Object.entries(rule.inherit?.[field] ?? {})) fromParent[own] = varOf[parentField]!;
      // An object that is not a plain one (records built in code) is left to the whole schema.
      lines.push(`${indent}  if (!isPlainRecord(${r})) { if (isObjectLike(${r})) return undefined; ${failed} }`);
      lines.push(`${indent}  ${v} = ${emitObject(e, spec.rule, r, fromParent, lines, indent + '  ', [...path, field])};`);
      if (spec.rule.maxBytes !== undefined) lines.push(`${indent}  if (${e.constant('size', spec.rule.fast)}(${v}) === FAIL) ${failed}`);
    } else {
      lines.push(`${indent}  ${v} = ${e.constant('rule', spec.rule.fast)}(${r});`);
      lines.push(`${indent}  if (${v} === FAIL) ${failed}`);
    }
    lines.push(`${indent}}${absent(spec, inherited[field], v, failed)}`);
  }
  const out = e.local('o');
  lines.push(`${indent}const ${out} = { ${vars.map(([f, v]) => `${JSON.stringify(f)}: ${v}`).join(', ')} };`);
  return out;
}

function absent(spec: FieldSpec, inheritedVar: string | undefined, v: string, failed: string): string {
  if (spec.optional) return inheritedVar === undefined ? '' : ` else if (${inheritedVar} !== undefined) ${v} = ${inheritedVar};`;
  // A required field that is absent: its failure, unless the parent's value stands in (when the
  // parent has none, only the whole schema can tell how the two relate).
  return inheritedVar === undefined ? ` else ${failed}` : ` else if (${inheritedVar} !== undefined) ${v} = ${inheritedVar}; else return undefined;`;
}

/**
 * The canonical JSON writer as a list of pieces: string literals (merged when adjacent, so a run
 * of required fields is one expression with few joins) and expressions, grouped under the
 * condition that a field is present.
 */
type Piece = { literal: string } | { code: string } | { stmt: string } | { when: string; pieces: Piece[] };

let separators = 0;

function writerPieces(rule: FieldRule, x: string, key: { field: string; plain: boolean } | undefined): Piece[] {
  const shape = rule.shape!;
  const fields = rule.output ?? Object.keys(shape);
  const always = (f: string): boolean => f === key?.field || !specOf(shape[f]!, f).optional || specOf(shape[f]!, f).default !== undefined;
  // A comma goes before every field but the first written. When the first field is always there
  // that is known in advance; otherwise a separator variable turns from '' to ',' as fields go.
  const sep = always(fields[0]!) ? undefined : `c${separators++}`;
  const pieces: Piece[] = [{ literal: '{' }];
  if (sep) pieces.push({ stmt: `let ${sep} = '';` });
  fields.forEach((f, i) => {
    const name = JSON.stringify(f) + ':';
    const lead: Piece[] = sep ? [{ code: sep }, { literal: name }] : [{ literal: (i === 0 ? '' : ',') + name }];
    const after: Piece[] = sep ? [{ stmt: `${sep} = ',';` }] : [];
    if (f === key?.field) {
      pieces.push(...lead, ...(key.plain ? [{ literal: '"' }, { code: 'key' }, { literal: '"' }] : [{ code: 'quoteJson(key)' }]), ...after);
      return;
    }
    const spec = specOf(shape[f]!, f);
    const value = `${x}${prop(f)}`;
    let own: Piece[];
    switch (spec.rule.write) {
      case 'plain':
        own = [{ literal: '"' }, { code: value }, { literal: '"' }];
        break;
      case 'string':
        own = [{ code: `quoteJson(${value})` }];
        break;
      case 'json':
        own = [{ code: value }];
        break;
      case 'boolean':
        own = [{ code: `(${value} ? 'true' : 'false')` }];
        break;
      case 'object':
        own = writerPieces(spec.rule, value, undefined);
        break;
    }
    const all = [...lead, ...own, ...after];
    if (spec.optional && spec.default === undefined) pieces.push({ when: `${value} !== undefined`, pieces: all });
    else pieces.push(...all);
  });
  pieces.push({ literal: '}' });
  return pieces;
}

/** Statements that mix every output field of the object in `x` into `h`, in output order. */
function emitDigest(rule: FieldRule, x: string, lines: string[], indent: string, depth: number): void {
  const shape = rule.shape!;
  for (const [i, f] of (rule.output ?? Object.keys(shape)).entries()) {
    if (!Object.hasOwn(shape, f)) continue; // the key: equal for every record a digest is compared with
    const spec = specOf(shape[f]!, f);
    const value = `${x}${prop(f)}`;
    // The field's position goes in first, so a value cannot pass for its neighbour's.
    lines.push(`${indent}h = Math.imul(h ^ ${i + 1}, 0x01000193);`);
    const inner = indent + '  ';
    lines.push(`${indent}if (${value} !== undefined) {`);
    switch (spec.rule.write) {
      case 'boolean':
        lines.push(`${inner}h = Math.imul(h ^ (${value} ? 0x5bd1e995 : 0x2545f491), 0x01000193);`);
        break;
      case 'object': {
        const y = `o${depth}`;
        lines.push(`${inner}const ${y} = ${value};`);
        emitDigest(spec.rule, y, lines, inner, depth + 1);
        break;
      }
      default:
        lines.push(`${inner}h = mix(h, ${value});`);
    }
    lines.push(`${indent}} else h = Math.imul(h ^ 0x7f4a7c15, 0x01000193);`);
  }
}

/** FNV-1a over a string's UTF-16 units, then its length: one step of the digest. */
function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ s.length, 0x01000193);
}

/** A 32-bit state folded to 16 bits after a full avalanche (murmur3's finalizer). */
function fold16(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h ^ (h >>> 16)) & 0xffff;
}

/** Pieces → statements appending to `s`: unconditional runs become one `+` expression. */
function emitPieces(pieces: Piece[], lines: string[], indent: string): void {
  let run: string[] = [];
  let literal = '';
  const flushLiteral = () => {
    if (literal !== '') run.push(JSON.stringify(literal));
    literal = '';
  };
  const flushRun = () => {
    flushLiteral();
    if (run.length > 0) lines.push(`${indent}s += ${run.join(' + ')};`);
    run = [];
  };
  for (const p of pieces) {
    if ('literal' in p) literal += p.literal;
    else if ('code' in p) {
      flushLiteral();
      run.push(p.code);
    } else if ('stmt' in p) {
      flushRun();
      lines.push(`${indent}${p.stmt}`);
    } else {
      flushRun();
      lines.push(`${indent}if (${p.when}) {`);
      emitPieces(p.pieces, lines, indent + '  ');
      lines.push(`${indent}}`);
    }
  }
  flushRun();
}

/** An item declaration of a list or map (fields.ts), compiled: its values, and their JSON. */
export interface CompiledObject {
  /** The item's values, or a FieldFailure / undefined when it breaks a rule. */
  normalize(raw: Record<string, unknown>): Values | FieldFailure | undefined;
  write(values: Record<string, unknown>): string;
}

export function compileObject(rule: FieldRule): CompiledObject {
  const e = new Emitter();
  const body: string[] = [];
  const values = emitObject(e, rule, 'raw', {}, body, '  ');
  const writer: string[] = ["  let s = '';"];
  emitPieces(writerPieces(rule, 'x', undefined), writer, '  ');
  const make = new Function(...e.names, 'FAIL', 'isPlainRecord', 'isObjectLike', 'quoteJson',
    `return [function normalize(raw) {\n${body.join('\n')}\n  return ${values};\n}, function write(x) {\n${writer.join('\n')}\n  return s;\n}];`);
  const [normalize, write] = make(...e.values, FAIL, isPlainRecord, isObjectLike, quoteJson) as [CompiledObject['normalize'], CompiledObject['write']];
  return { normalize, write };
}

export function compileKind(kind: Omit<Kind, 'compiled'>): CompiledKind {
  const e = new Emitter();
  const body: string[] = [];
  const values = emitObject(e, kind.rule, 'raw', {}, body, '  ');
  const normalizeSource = `function normalize_${kind.name}(raw) {\n${body.join('\n')}\n  return ${values};\n}`;

  const fin: string[] = [];
  const keyRule = e.constant('keyRule', kind.key);
  const mismatch = (what: string, given: string) => `return keyMismatch(KIND, ${JSON.stringify(what)}, ${given}, ${keyRule}.derive(x));`;
  fin.push('  let key;');
  if (!kind.keyIsField) {
    // A key the record states in a field that is not itself a schema field (memberId) must agree.
    fin.push(`  const given = raw${prop(kind.key.field)};`);
    fin.push(`  if (given !== undefined && given !== null) { key = keyFrom(${keyRule}, given, x); if (key === undefined) ${mismatch(kind.key.field, 'given')} }`);
  }
  fin.push(`  if (ctx.key !== undefined) { const k = keyFrom(${keyRule}, ctx.key, x); if (k === undefined) ${mismatch('map key', 'ctx.key')} if (key === undefined) key = k; }`);
  fin.push(`  if (key === undefined) key = ${keyRule}.derive(x);`);
  fin.push('  let failure;');
  for (const cross of kind.cross ?? []) fin.push(`  failure = ${e.constant('cross', cross)}(x, ctx); if (failure !== undefined) return failure;`);
  for (const skip of kind.skip ?? []) fin.push(`  { const rule = ${e.constant('skip', skip)}(x, ctx); if (rule !== undefined) return { ok: 'skip', rule, key }; }`);
  fin.push("  let s = '';");
  // Validation without import needs no JSON text (the digest is taken from the values), unless a
  // rule judges the text itself.
  const write: string[] = [];
  emitPieces(writerPieces(kind.rule, 'x', { field: kind.key.field, plain: kind.key.plain }), write, '    ');
  fin.push(kind.text?.length ? write.join('\n').replace(/^  /gm, '') : `  if (ctx.withoutJson !== true) {\n${write.join('\n')}\n  }`);
  for (const text of kind.text ?? []) fin.push(`  failure = ${e.constant('text', text)}(s, x); if (failure !== undefined) return failure;`);
  fin.push('  return { ok: true, key, json: s, values: x };');
  const finishSource = `function finish_${kind.name}(raw, x, ctx) {\n${fin.join('\n')}\n}`;
  const dig: string[] = ['  let h = 0x811c9dc5 | 0;'];
  emitDigest(kind.rule, 'x', dig, '  ', 0);
  const digestSource = `function digest_${kind.name}(x) {\n${dig.join('\n')}\n  return fold16(h);\n}`;

  // The generated code sees only its parameters: the rules, FAIL and the helpers named here.
  const make = new Function(...e.names, 'FAIL', 'isPlainRecord', 'isObjectLike', 'quoteJson', 'keyFrom', 'keyMismatch', 'KIND', 'mix', 'fold16', `return [${normalizeSource}, ${finishSource}, ${digestSource}];`);
  const [normalize, finish, digest] = make(...e.values, FAIL, isPlainRecord, isObjectLike, quoteJson, keyFrom, keyMismatch, kind, mix, fold16) as [CompiledKind['normalize'], CompiledKind['finish'], CompiledKind['digest']];
  return { normalize, finish, digest, source: `${normalizeSource}\n\n${finishSource}\n\n${digestSource}` };
}
