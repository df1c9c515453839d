// The fields of a CometChat group, as the groups endpoint takes them and as a member's nested
// group details carry them (SPEC §1 and §1b).

import type { z } from 'zod';
import { id, jsonObject, name, oneOf, secret, tags, text, timestamp, type FieldOptions } from '../fields.js';
import { LIMITS } from '../limits.js';

export const GROUP_TYPES = ['public', 'private', 'password'] as const;

/** Reasons a kind gives its own fields (nested details leave them out: they take their parent's). */
export interface GroupReasons {
  guid?: FieldOptions;
  name?: FieldOptions;
  type?: FieldOptions;
  /** Every other field. */
  other?: FieldOptions['invalid'];
}

export function groupShape(reasons: GroupReasons = {}): Record<string, z.ZodType> {
  const optional = reasons.other === undefined ? { optional: true } : { optional: true, invalid: reasons.other };
  return {
    guid: id(reasons.guid),
    name: name(LIMITS.nameChars, reasons.name),
    type: oneOf(GROUP_TYPES, reasons.type),
    owner: id(optional),
    createdAt: timestamp(optional),
    icon: text(LIMITS.urlChars, optional),
    password: secret(LIMITS.passwordChars, optional),
    metadata: jsonObject(LIMITS.metadataBytes, optional),
    tags: tags(LIMITS.tags, LIMITS.tagChars, optional),
  };
}
