// The options that belong to one entity kind (--retention-days and --ids: messages) checked
// against the run's kind: when the config is resolved if --kind was given, else once the input's
// wrapper key has named the kind. A misplaced flag is refused instead of silently doing nothing.

import { ChatmigrateError } from './errors.js';
import type { KindName } from './entities/kinds.js';

/** CometChat keeps six months of messages by default and refuses older ones (SPEC §1b). */
export const DEFAULT_RETENTION_DAYS = 180;

export interface KindOptions {
  command: 'validate' | 'import';
  from: string;
  /** --kind, when given. */
  kind: KindName | undefined;
  /** --retention-days, when given. */
  retentionDays: number | undefined;
  /** --ids, when given. */
  ids: string | undefined;
  /** --shard K/N with N > 1. */
  sharded: boolean;
}

/** What the run's kind makes of the kind options. */
export interface KindSettings {
  kind: KindName;
  /** Messages: the retention rule's window in days (0 = no limit); undefined for other kinds. */
  retentionDays: number | undefined;
}

/** Checks that need no input: --kind with --from rocketchat, and --ids outside an import. */
export function checkKindOptions(o: KindOptions): void {
  if (o.from === 'rocketchat' && o.kind !== undefined && o.kind !== 'members') {
    throw new ChatmigrateError('CM_USAGE', `--from rocketchat reads rocketchat_subscription exports, which are members; got --kind ${o.kind}`, {
      hint: 'leave --kind out with --from rocketchat: it maps subscriptions to members (with --rooms and --users)',
    });
  }
  if (o.ids !== undefined && o.command !== 'import') throw new ChatmigrateError('CM_USAGE', '--ids is written by an import (it holds the ids CometChat gives imported messages); validate sends nothing');
  if (o.ids === '') throw new ChatmigrateError('CM_USAGE', '--ids expects a file, got ""');
  if (o.kind !== undefined) settingsFor(o, o.kind);
}

/** The settings of a run of `kind`; CM_USAGE when a messages option was given for another kind. */
export function settingsFor(o: KindOptions, kind: KindName): KindSettings {
  if (kind !== 'messages') {
    const found = o.kind === undefined ? ` (the input is ${kind}: ${kind === 'members' ? 'no CometChat wrapper names another kind' : `its wrapper is "${kind}"`})` : '';
    for (const [flag, given] of [['--retention-days', o.retentionDays], ['--ids', o.ids]] as const) {
      if (given !== undefined) {
        throw new ChatmigrateError('CM_USAGE', `${flag} is for messages, and this run reads ${kind}${found}`, {
          hint: `drop ${flag}, or pass --kind messages if the input holds messages`,
        });
      }
    }
    return { kind, retentionDays: undefined };
  }
  if (o.sharded) {
    // Shards run side by side: each would send its share of the history in order, but together out of it.
    throw new ChatmigrateError('CM_USAGE', '--shard splits the records between runs that go side by side, and messages must reach CometChat oldest first: messages cannot be sharded', {
      hint: 'import messages in one run without --shard (--checkpoint and --resume carry it over restarts)',
    });
  }
  return { kind, retentionDays: o.retentionDays ?? DEFAULT_RETENTION_DAYS };
}
