// The buckets every record ends in (SPEC §4): read = invalid + skipped + duplicates + valid, and
// for an import valid = imported + alreadyPresent + rejected + unsent. Only the ledger changes them.

export interface Counts {
  read: number;
  invalid: number;
  skipped: number;
  duplicates: number;
  valid: number;
  /** Subset of duplicates whose content differs from the first record with the same key. */
  conflicts: number;
  /**
   * Kinds delivered in order (messages): new valid records whose order value (sentAt) is earlier
   * than the one of the new valid record before them. 0 for other kinds.
   */
  outOfOrder: number;
  /** Import only: how the valid records ended. */
  imported: number;
  alreadyPresent: number;
  rejected: number;
  /** Reason code (local or the server's) → number of records. */
  reasons: Record<string, number>;
  /** Reason code → the field that broke a rule → records (what the reason's count is made of). */
  reasonFields: Record<string, Record<string, number>>;
}

export function createCounts(): Counts {
  return { read: 0, invalid: 0, skipped: 0, duplicates: 0, valid: 0, conflicts: 0, outOfOrder: 0, imported: 0, alreadyPresent: 0, rejected: 0, reasons: {}, reasonFields: {} };
}

export function countField(counts: Counts, code: string, field: string): void {
  const fields = (counts.reasonFields[code] ??= {});
  fields[field] = (fields[field] ?? 0) + 1;
}

export function countReason(counts: Counts, code: string): void {
  counts.reasons[code] = (counts.reasons[code] ?? 0) + 1;
}

export function addCounts(into: Counts, d: Counts): void {
  into.read += d.read;
  into.invalid += d.invalid;
  into.skipped += d.skipped;
  into.duplicates += d.duplicates;
  into.valid += d.valid;
  into.conflicts += d.conflicts;
  into.outOfOrder += d.outOfOrder;
  into.imported += d.imported;
  into.alreadyPresent += d.alreadyPresent;
  into.rejected += d.rejected;
  for (const [code, n] of Object.entries(d.reasons)) into.reasons[code] = (into.reasons[code] ?? 0) + n;
  for (const [code, fields] of Object.entries(d.reasonFields)) {
    const target = (into.reasonFields[code] ??= {});
    for (const [field, n] of Object.entries(fields)) target[field] = (target[field] ?? 0) + n;
  }
}

export function addSkips(into: Record<string, number>, rules: Record<string, number>): void {
  for (const [rule, n] of Object.entries(rules)) into[rule] = (into[rule] ?? 0) + n;
}

/** The read-time buckets of two tallies, compared (a resumed run's re-read prefix against its checkpoint). */
export const READ_BUCKETS = ['read', 'invalid', 'skipped', 'duplicates', 'valid', 'conflicts', 'outOfOrder'] as const;
