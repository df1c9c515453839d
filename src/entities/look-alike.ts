// What an invalid record looks like when it is plainly not of the run's kind: another kind's (it
// has that kind's signature fields and lacks the run's), or a Rocket.Chat export's (Mongo `_id`
// with `rid`, `u`, `username` or `t`). A record's message then names the flag that fits, and a run
// where most records fail that way says so once (observability/summary.ts).

import type { Kind } from './kind.js';
import { KINDS, KIND_NAMES, type KindName } from './kinds.js';

/** A Rocket.Chat export (mongoexport of subscriptions, rooms, users or messages). */
export const ROCKETCHAT_LOOK = 'rocketchat';

export type LookAlike = KindName | typeof ROCKETCHAT_LOOK;

const hasAll = (raw: Record<string, unknown>, fields: readonly string[] | undefined): boolean =>
  fields !== undefined && fields.length > 0 && fields.every((f) => raw[f] !== undefined && raw[f] !== null);

/** The kind or source `raw` looks like instead of `kind`, or undefined. */
export function lookAlike(kind: Kind, raw: unknown): LookAlike | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (r['_id'] !== undefined && (r['rid'] !== undefined || r['u'] !== undefined || r['username'] !== undefined || r['t'] !== undefined)) return ROCKETCHAT_LOOK;
  if (hasAll(r, kind.signature)) return undefined;
  for (const name of KIND_NAMES) if (name !== kind.name && hasAll(r, KINDS[name].signature)) return name;
  return undefined;
}

/** The flag that fits records that look like `look`. */
export function flagFor(look: LookAlike): string {
  return look === ROCKETCHAT_LOOK ? '--from rocketchat --rooms FILE --users FILE' : `--kind ${look}`;
}

/** What a record's message adds when it looks like another kind (Rocket.Chat is said once per run). */
export function lookAlikeNote(look: LookAlike | undefined): string {
  if (look === undefined || look === ROCKETCHAT_LOOK) return '';
  const fields = KINDS[look].signature!.join(', ');
  return ` (the record looks like a ${KINDS[look].entity}: it has ${fields}; try ${flagFor(look)})`;
}

/** What import and validate advise for a Rocket.Chat export (a command of its own may say otherwise). */
export const ROCKETCHAT_ADVICE = `read a rocketchat_subscription export with ${flagFor(ROCKETCHAT_LOOK)}, or a whole workspace (users, rooms, subscriptions, messages) with chatmigrate migrate --from rocketchat`;

/**
 * The run-level hint: when most records judged failed (`invalid` of `judged`) and most of those
 * look like one other kind or source (`looks`: how many of each), the sentence naming its flag.
 * `rocketchatAdvice` ends the sentence for a Rocket.Chat export (migrate's flags are not import's).
 */
export function lookAlikeSuggestion(looks: ReadonlyMap<string, number>, invalid: number, judged: number, rocketchatAdvice = ROCKETCHAT_ADVICE): string | undefined {
  if (invalid * 2 <= judged) return undefined;
  let top: string | undefined;
  let most = 0;
  for (const [look, n] of looks) {
    if (n > most) {
      top = look;
      most = n;
    }
  }
  if (top === undefined || most * 2 <= invalid) return undefined;
  if (top === ROCKETCHAT_LOOK) {
    return `most records look like a Rocket.Chat export (_id with rid, u, username or t): ${rocketchatAdvice}`;
  }
  if (!(KIND_NAMES as readonly string[]).includes(top)) return undefined;
  const look = top as KindName;
  return `most records look like ${look} (they have ${KINDS[look].signature!.join(', ')}): run with ${flagFor(look)}`;
}
