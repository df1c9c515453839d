// Turns the first issue zod reports for a record into a reason code and a message that names the
// field, shows the value as the record wrote it, and says what the rule wants. The rule that
// broke (found by walking the declaration along the issue's path) writes the message; the reason
// is the limit's, or the rule's own (timestamps), or the one the innermost declaring field names.

import { measure, specOf, type FieldSpec, type IssueLike } from './fields.js';
import { fail, type Failure, type Kind } from './kind.js';
import type { ReasonCode } from './reasons.js';
import { describeValue, valueAt } from './values.js';

/** `groupDetails.tags[3]` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : '.' + String(p))).join('');
}

/** The declared field specs along `path` (top-level first), as deep as the declaration goes. */
function specsAlong(kind: Kind, path: readonly PropertyKey[]): FieldSpec[] {
  const specs: FieldSpec[] = [];
  let shape = kind.rule.shape;
  let item: FieldSpec | undefined; // inside a list or map: the next segment is an index or a key
  for (const segment of path) {
    if (item !== undefined) {
      shape = item.rule.shape;
      item = undefined;
      continue;
    }
    if (shape === undefined || typeof segment !== 'string' || !Object.hasOwn(shape, segment)) break;
    const spec = specOf(shape[segment]!, segment);
    specs.push(spec);
    shape = spec.rule.shape;
    if (spec.rule.item !== undefined) item = specOf(spec.rule.item, segment);
  }
  return specs;
}

export function explainIssue(kind: Kind, issue: IssueLike, raw: unknown): Failure {
  const field = formatPath(issue.path);
  const value = valueAt(raw, issue.path);
  const specs = specsAlong(kind, issue.path);
  const leaf = specs[specs.length - 1];
  // The deepest field along the path that declares a reason names the problem (an attachment's
  // url is INVALID_ATTACHMENT; a member's groupDetails.name is INVALID_GROUP_DETAILS).
  const declared = (pick: (s: FieldSpec) => ReasonCode | undefined): ReasonCode | undefined => {
    for (let i = specs.length - 1; i >= 0; i--) {
      const reason = pick(specs[i]!);
      if (reason !== undefined) return reason;
    }
    return undefined;
  };
  const params = issue.params;
  const missing = value === undefined || value === null;
  let reason: ReasonCode;
  if (params?.reason === 'LIMIT_EXCEEDED') reason = 'LIMIT_EXCEEDED';
  // A required field's own "missing" reason wins over its rule's (a message without sentAt is MISSING_SENT_AT).
  else if (missing && leaf?.missing !== undefined) reason = leaf.missing;
  else if (leaf?.rule.reason !== undefined) reason = leaf.rule.reason;
  else reason = (missing ? declared((s) => s.missing) : undefined) ?? declared((s) => s.invalid) ?? 'NOT_AN_OBJECT';
  if (params?.reason === 'LIMIT_EXCEEDED') {
    return fail(reason, `${field} has ${measure(value, params.unit)} ${params.unit ?? ''}, over CometChat's limit of ${params.limit ?? '?'}`, field);
  }
  if (missing) return fail(reason, `${field} is missing${value === null ? ' (null)' : ''}`, field);
  // A valid id under another map key: what breaks is the pairing, not the id's form.
  if (params?.mapKey !== undefined) return fail(reason, `${field} ${describeValue(value)} differs from its map key ${JSON.stringify(params.mapKey)}`, field);
  if (leaf === undefined) return fail(reason, `${field} is not valid`, field);
  return fail(reason, leaf.rule.explain(field, value, issue), field);
}
