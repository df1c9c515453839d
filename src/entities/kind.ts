// What declaring an entity kind means: its schema (fields.ts builders), its key rule, its
// cross-field rules and skip rules, and what a validation ends in. defineKind checks the
// declaration once, at load, and compiles its fast path (compile.ts).

import type { z } from 'zod';
import type { ReasonCode } from './reasons.js';
import { specOf, type FieldRule } from './fields.js';
import { compileKind, type CompiledKind } from './compile.js';

/** A record's fields after normalization, in their wire form (see fields.ts). */
export type Values = Record<string, unknown>;

export interface ValidateContext {
  /** The map key the record came under ({"<key>": {...}} inputs), raw. */
  key?: string;
  /** "Now" in UNIX seconds (no timestamp rule may be judged against the clock of another run). */
  nowSeconds: number;
  /** Kind-specific settings (messages: retentionDays). */
  retentionDays?: number;
  /**
   * The caller needs no JSON text (validate): an accepted record's `json` is then '' unless a
   * rule of the kind judges the text. Its digest (compiled.digest) stands in for it.
   */
  withoutJson?: boolean;
}

export interface Failure {
  ok: false;
  reason: ReasonCode;
  message: string;
  /** The field whose value broke a rule (a path: "groupDetails.type"), when one field did. */
  field?: string;
}

export type Validated =
  | { ok: true; key: string; json: string; values: Values }
  | Failure
  /** Excluded by one of the kind's skip rules (e.g. messages outside retention): counted, not sent. */
  | { ok: 'skip'; rule: string; key: string };

export function fail(reason: ReasonCode, message: string, field?: string): Failure {
  return field === undefined ? { ok: false, reason, message } : { ok: false, reason, message, field };
}

export interface KeyRule {
  /** The field the key is written as in canonical JSON (memberId, uid, guid, muid). */
  field: string;
  /** The key from the normalized values. */
  derive(values: Values): string;
  /**
   * True when `text` is exactly the key of `values`, compared in place: a key taken from the
   * record (or its map key) is then reused as it is, instead of a newly built string that every
   * later step (comparison, fingerprint, JSON) would have to flatten first.
   */
  spells?(text: string, values: Values): boolean;
  /** The key needs no JSON escaping (ids): written as is. */
  plain: boolean;
  /** How a key given in the record (its `field`, when not a schema field) or as map key must match: exactly, or once lowercased. */
  match: 'exact' | 'lowercase';
  /** What the key must equal, for messages ("<guid>_member_<uid>"). */
  describe: string;
  /** Reason for a given key that does not match. */
  mismatch: ReasonCode;
}

/** A rule across fields, run on valid values in declaration order; the first failure wins. */
export type CrossRule = (values: Values, ctx: ValidateContext) => Failure | undefined;
/** A rule that excludes a valid record from delivery (counted under its name). */
export type SkipRule = (values: Values, ctx: ValidateContext) => string | undefined;
/** A rule on the canonical JSON text (sizes of the whole record or of a part). */
export type TextRule = (json: string, values: Values) => Failure | undefined;

export interface KindDeclaration {
  /** The endpoint and wrapper name: `/data_import/<name>`, `{"<name>": {...}}`. */
  name: string;
  /** One entity, for messages ("member"). */
  entity: string;
  /** An object() of fields.ts: check order = the order problems are reported in. */
  schema: z.ZodType;
  key: KeyRule;
  cross?: readonly CrossRule[];
  skip?: readonly SkipRule[];
  text?: readonly TextRule[];
  /** Fields whose presence says a record is of this kind (to hint at --kind when another kind reads it). */
  signature?: readonly string[];
  /** A timestamp field the kind is delivered in order of (messages: sentAt); input out of that order is counted. */
  order?: string;
}

export interface Kind extends Readonly<KindDeclaration> {
  readonly rule: FieldRule;
  /** The key is a schema field (users' uid), not only derived from fields (members' memberId). */
  readonly keyIsField: boolean;
  readonly compiled: CompiledKind;
}

/** Checks a declaration (every field built from fields.ts) and returns the kind. */
export function defineKind(declaration: KindDeclaration): Kind {
  const rule = specOf(declaration.schema, `the ${declaration.name} schema`).rule;
  if (rule.kind !== 'object' || rule.shape === undefined) throw new Error(`the ${declaration.name} schema must be an object() of fields.ts`);
  const output = rule.output ?? [];
  const known = new Set([...Object.keys(rule.shape), declaration.key.field]);
  for (const field of output) if (!known.has(field)) throw new Error(`${declaration.name}: output field ${field} is not declared`);
  const kind = { ...declaration, rule, keyIsField: Object.hasOwn(rule.shape, declaration.key.field) } as Omit<Kind, 'compiled'>;
  return Object.freeze({ ...kind, compiled: compileKind(kind) });
}
