// Pure selection core for startImport: which users and channels are imported (rules, first-wins
// dedupe by user_id / channel_id in the compact 128-bit index), their counts, and each entry's
// normalized array-form JSON (every field the endpoint requires, do_import set by the verdict).

import { createDedupeIndex, NEW, type DedupeIndex } from '../transforms/dedupe/dedupe-index.js';
import type { SelectionKind } from './selection-walker.js';

export interface SelectionRules {
  skipBots: boolean;
  skipDeleted: boolean;
  skipArchived: boolean;
  skipDirect: boolean;
  /** Entries whose id or name matches are not imported. */
  exclude: RegExp | undefined;
}

/** Why an entry was skipped: a selection flag, or do_import false in the input itself. */
export type SkipRule = 'bot' | 'deleted' | 'archived' | 'direct' | 'exclude' | 'notSelected';

export interface KindCounts {
  /** Every element of the list. */
  read: number;
  /** Not an object, or without a usable id. */
  invalid: number;
  /** Same id as an earlier entry (the first one wins). */
  duplicates: number;
  skipped: number;
  skippedBy: Partial<Record<SkipRule, number>>;
  /** Sent with do_import true. read = invalid + duplicates + skipped + selected. */
  selected: number;
}

export type Verdict =
  | { kind: 'invalid' }
  | { kind: 'duplicate'; id: string }
  | { kind: 'skipped'; id: string; rule: SkipRule; json: string }
  | { kind: 'selected'; id: string; json: string };

export interface Selector {
  judge(kind: SelectionKind, value: unknown): Verdict;
  counts(kind: SelectionKind): KindCounts;
  /** Bytes held by the two dedupe indexes (the only memory that grows with the selection). */
  indexBytes(): number;
}

function emptyCounts(): KindCounts {
  return { read: 0, invalid: 0, duplicates: 0, skipped: 0, skippedBy: {}, selected: 0 };
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
const bool = (v: unknown): boolean => v === true;

/** The array-form user entry (SPEC §3.2 field list), with the verdict's do_import. */
export function encodeUser(e: Record<string, unknown>, id: string, doImport: boolean): string {
  return JSON.stringify({
    user_id: id,
    username: str(e['username'], id),
    email: str(e['email'], ''),
    is_deleted: bool(e['is_deleted']),
    is_bot: bool(e['is_bot']),
    do_import: doImport,
    is_email_taken: bool(e['is_email_taken']),
  });
}

/** The array-form channel entry; `creator` only when given (it is optional). */
export function encodeChannel(e: Record<string, unknown>, id: string, doImport: boolean): string {
  const out: Record<string, unknown> = { channel_id: id, name: str(e['name'], id) };
  if (typeof e['creator'] === 'string') out['creator'] = e['creator'];
  out['is_archived'] = bool(e['is_archived']);
  out['do_import'] = doImport;
  out['is_private'] = bool(e['is_private']);
  out['is_direct'] = bool(e['is_direct']);
  return JSON.stringify(out);
}

function ruleFor(kind: SelectionKind, e: Record<string, unknown>, id: string, rules: SelectionRules): SkipRule | undefined {
  if (kind === 'users') {
    if (rules.skipBots && e['is_bot'] === true) return 'bot';
    if (rules.skipDeleted && e['is_deleted'] === true) return 'deleted';
  } else {
    if (rules.skipArchived && e['is_archived'] === true) return 'archived';
    if (rules.skipDirect && e['is_direct'] === true) return 'direct';
  }
  if (rules.exclude !== undefined) {
    const name = kind === 'users' ? e['username'] : e['name'];
    rules.exclude.lastIndex = 0;
    if (rules.exclude.test(id)) return 'exclude';
    rules.exclude.lastIndex = 0;
    if (typeof name === 'string' && rules.exclude.test(name)) return 'exclude';
  }
  // The input's own choice is kept: an entry it does not import is skipped, not overridden.
  if (e['do_import'] === false) return 'notSelected';
  return undefined;
}

export function createSelector(rules: SelectionRules, makeIndex: () => DedupeIndex = createDedupeIndex): Selector {
  const counts: Record<SelectionKind, KindCounts> = { users: emptyCounts(), channels: emptyCounts() };
  const seen: Record<SelectionKind, DedupeIndex> = { users: makeIndex(), channels: makeIndex() };
  return {
    judge(kind, value) {
      const c = counts[kind];
      c.read++;
      const e = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      const rawId = e?.[kind === 'users' ? 'user_id' : 'channel_id'];
      if (e === undefined || typeof rawId !== 'string' || rawId === '') {
        c.invalid++;
        return { kind: 'invalid' };
      }
      // Only the id identifies an entry: the content digest is irrelevant ('' for all).
      if (seen[kind].add(rawId, '') !== NEW) {
        c.duplicates++;
        return { kind: 'duplicate', id: rawId };
      }
      const encode = kind === 'users' ? encodeUser : encodeChannel;
      const rule = ruleFor(kind, e, rawId, rules);
      if (rule !== undefined) {
        c.skipped++;
        c.skippedBy[rule] = (c.skippedBy[rule] ?? 0) + 1;
        return { kind: 'skipped', id: rawId, rule, json: encode(e, rawId, false) };
      }
      c.selected++;
      return { kind: 'selected', id: rawId, json: encode(e, rawId, true) };
    },
    counts: (kind) => counts[kind],
    indexBytes: () => seen.users.bytes() + seen.channels.bytes(),
  };
}
