// The fields of a CometChat group, as the groups endpoint takes them and as a member's nested
// group details carry them (SPEC §1 and §1b).

import type { z } from 'zod';
import { id, jsonObject, name, oneOf, secret, tags, text, timestamp, type FieldOptions } from '../fields.js';
import { LIMITS } from '../limits.js';

export const GROUP_TYPES = ['public', 'private', 'password'] as const;

/** `guidOptions`: reasons for the groups kind's own guid (nested details take their parent's reason). */
export function groupShape(guidOptions: FieldOptions = {}): Record<string, z.ZodType> {
  const optional = { optional: true };
  return {
    guid: id(guidOptions),
    name: name(LIMITS.nameChars),
    type: oneOf(GROUP_TYPES),
    owner: id(optional),
    createdAt: timestamp(optional),
    icon: text(LIMITS.urlChars, optional),
    password: secret(LIMITS.passwordChars, optional),
    metadata: jsonObject(LIMITS.metadataBytes, optional),
    tags: tags(LIMITS.tags, LIMITS.tagChars, optional),
  };
}
