// The members kind for library callers: validateMember is validateRecord for members, with the
// normalized member as an object beside its canonical JSON.

import type { Failure, ValidateContext } from '../kind.js';
import { validateRecord } from '../validate.js';
import { members } from './schema.js';

export { members, SCOPES } from './schema.js';

export type MemberResult = { ok: true; key: string; member: Record<string, unknown>; json: string } | Failure;

export function validateMember(raw: unknown, ctx: ValidateContext): MemberResult {
  const result = validateRecord(members, raw, ctx);
  if (result.ok === false) return result;
  // Members have no skip rule.
  const json = result.ok === true ? result.json : '';
  return { ok: true, key: result.key, member: JSON.parse(json) as Record<string, unknown>, json };
}
