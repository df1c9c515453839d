// A kind's key rule applied to what a record says its key is: a key field that is not a schema
// field (members' memberId) or the map key it came under must spell the key the fields make.

import { fail, type Failure, type KeyRule, type Kind, type Values } from './kind.js';
import { describeValue } from './values.js';

/** The key when `given` spells it (exactly, or once lowercased where the rule allows), else undefined. */
export function keyFrom(rule: KeyRule, given: unknown, values: Values): string | undefined {
  if (typeof given !== 'string') return undefined;
  if (rule.spells !== undefined) {
    // The given string is reused as the key: it is flat, unlike a freshly joined one.
    if (rule.spells(given, values)) return given;
    if (rule.match !== 'lowercase') return undefined;
    const lower = given.toLowerCase();
    return rule.spells(lower, values) ? lower : undefined;
  }
  const key = rule.derive(values);
  return given === key || (rule.match === 'lowercase' && given.toLowerCase() === key) ? key : undefined;
}

export function keyMismatch(kind: Pick<Kind, 'key'>, what: string, given: unknown, key: string): Failure {
  return fail(kind.key.mismatch, `${what} ${describeValue(given)} does not match ${kind.key.describe} = "${key}"`);
}
