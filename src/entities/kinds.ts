// Every entity kind chatmigrate moves, by the name CometChat's endpoint and wrapper use. A new
// kind is a folder under entities/ and one line here.

import type { Kind } from './kind.js';
import { groups } from './groups/schema.js';
import { members } from './members/schema.js';
import { messages } from './messages/schema.js';
import { users } from './users/schema.js';

/** In the order a migration imports them. */
export const KINDS = { users, groups, members, messages } as const satisfies Record<string, Kind>;

export type KindName = keyof typeof KINDS;

export const KIND_NAMES = Object.keys(KINDS) as KindName[];

export function kindNamed(name: KindName): Kind {
  return KINDS[name];
}
