// CometChat's own form of a record: what a valid record looks like once normalized (ids
// lowercased, timestamps as 10-digit seconds, enum words spelled as declared, the key given and
// exact). The sandbox holds what a client sends to it, because a real server is stricter than
// chatmigrate's reading of exports (it does not turn ISO dates or "owner" into what it expects).

import { specOf } from './fields.js';
import type { Kind, Values } from './kind.js';
import { isPlainRecord } from './values.js';

export interface WireDifference {
  /** The field, as a path ("groupDetails.type"). */
  field: string;
  /** Its value in CometChat's form, as JSON text. */
  expected: string;
}

/** The first field of a valid record that is not in CometChat's form, or undefined. */
export function wireDifference(kind: Kind, raw: Record<string, unknown>, mapKey: string | undefined, key: string, values: Values): WireDifference | undefined {
  const field = objectDifference(kind.rule.shape!, raw, values, '');
  if (field) return field;
  if (!kind.keyIsField && raw[kind.key.field] !== key) return { field: kind.key.field, expected: JSON.stringify(key) };
  if (mapKey !== undefined && mapKey !== key) return { field: 'the map key', expected: JSON.stringify(key) };
  return undefined;
}

function objectDifference(shape: Readonly<Record<string, import('zod').ZodType>>, raw: Record<string, unknown>, values: Values, prefix: string): WireDifference | undefined {
  for (const [field, schema] of Object.entries(shape)) {
    const given = raw[field];
    if (given === undefined || given === null) continue; // absent: a default or the parent's value stands in
    const rule = specOf(schema, field).rule;
    const value = values[field];
    const path = prefix + field;
    if (rule.write === 'object') {
      if (!isPlainRecord(given)) return { field: path, expected: 'an object' };
      const inner = objectDifference(rule.shape!, given, value as Values, `${path}.`);
      if (inner) return inner;
    } else if (rule.write !== 'json' && given !== value && !(rule.kind === 'timestamp' && typeof given === 'number' && String(given) === value)) {
      return { field: path, expected: JSON.stringify(value) };
    }
  }
  return undefined;
}
