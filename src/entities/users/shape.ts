// The fields of a CometChat user, as the users endpoint takes them and as a member's or a
// group's nested user details carry them (SPEC §1 and §1b).

import type { z } from 'zod';
import { id, jsonObject, name, tags, text, timestamp, type FieldOptions } from '../fields.js';
import { LIMITS } from '../limits.js';

/** Reasons a kind gives its own fields (nested details leave them out: they take their parent's). */
export interface UserReasons {
  uid?: FieldOptions;
  name?: FieldOptions;
  /** Every other field. */
  other?: FieldOptions['invalid'];
}

export function userShape(reasons: UserReasons = {}): Record<string, z.ZodType> {
  const optional = reasons.other === undefined ? { optional: true } : { optional: true, invalid: reasons.other };
  return {
    uid: id(reasons.uid),
    name: name(LIMITS.nameChars, reasons.name),
    avatar: text(LIMITS.urlChars, optional),
    link: text(LIMITS.urlChars, optional),
    // The role must exist in the app (the server answers ERR_ROLE_NOT_FOUND otherwise); no length is documented.
    role: text(undefined, optional),
    createdAt: timestamp(optional),
    lastActiveAt: timestamp(optional),
    metadata: jsonObject(LIMITS.metadataBytes, optional),
    tags: tags(LIMITS.tags, LIMITS.tagChars, optional),
    deactivatedAt: timestamp(optional),
  };
}
