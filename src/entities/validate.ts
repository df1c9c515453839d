// One raw record in, its key and canonical JSON or a reason code out, for any kind. Never throws:
// bad data is an outcome. The kind's compiled fast path judges the usual record; anything it does
// not accept goes to the kind's zod schema, which names the broken rule. Both paths end in the
// same values, and the same generated `finish` (key, cross-field, skip and text rules, writer).

import { explainIssue } from './explain.js';
import type { IssueLike } from './fields.js';
import { fail, type Failure, type Kind, type ValidateContext, type Validated, type Values } from './kind.js';
import { describeValue, isPlainRecord, valueAt } from './values.js';
import { FieldFailure } from './compile.js';

export function validateRecord(kind: Kind, raw: unknown, ctx: ValidateContext): Validated {
  try {
    if (!isPlainRecord(raw)) return fail('NOT_AN_OBJECT', `the record is ${describeValue(raw)}, not a JSON object`);
    const c = kind.compiled;
    const fast = c.normalize(raw);
    if (fast instanceof FieldFailure) {
      const failure = explainField(kind, fast, raw);
      if (failure !== undefined) return failure;
    } else if (fast !== undefined) return c.finish(raw, fast, ctx);
    const checked = referenceValues(kind, raw);
    return checked.ok ? c.finish(raw, checked.values, ctx) : checked;
  } catch (err) {
    // Only records built in code can get here (throwing getters, proxies): JSON data cannot.
    const detail = err instanceof Error ? err.message : typeof err;
    return fail('NOT_AN_OBJECT', `the record could not be read as a JSON object (${detail.slice(0, 200)})`);
  }
}

/**
 * The fast path stopped at a field: zod judges that field's value alone and names the problem
 * (the whole record's first issue is there). Undefined if zod accepts it: the whole schema decides.
 */
function explainField(kind: Kind, at: FieldFailure, raw: Record<string, unknown>): Failure | undefined {
  const result = at.schema.safeParse(valueAt(raw, at.path));
  if (result.success) return undefined;
  const issue = result.error.issues[0] as unknown as IssueLike;
  return explainIssue(kind, { path: [...at.path, ...issue.path], ...(issue.params ? { params: issue.params } : {}) }, raw);
}

/** The reference path alone: the values zod makes of the record, or the first broken rule. */
export function referenceValues(kind: Kind, raw: Record<string, unknown>): { ok: true; values: Values } | Failure {
  const result = kind.schema.safeParse(raw);
  if (result.success) return { ok: true, values: result.data as Values };
  return explainIssue(kind, result.error.issues[0] as unknown as IssueLike, raw);
}

/** validateRecord without the fast path: what the tests hold the fast path against. */
export function validateReference(kind: Kind, raw: unknown, ctx: ValidateContext): Validated {
  if (!isPlainRecord(raw)) return fail('NOT_AN_OBJECT', `the record is ${describeValue(raw)}, not a JSON object`);
  const checked = referenceValues(kind, raw);
  return checked.ok ? kind.compiled.finish(raw, checked.values, ctx) : checked;
}
