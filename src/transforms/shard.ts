// --shard K/N: a run processes only the records whose memberId hashes to its shard, so N machines
// (or N processes under separate quotas) can share one export without overlapping.

export interface ShardFilter {
  /** By the first word of the memberId's 128-bit fingerprint (see dedupe/fingerprint.ts). */
  byFingerprint(word0: number): boolean;
  /** For records without a usable id (invalid ones): spread them by input position. */
  byIndex(index: number): boolean;
}

export function createShardFilter(shard: { index: number; count: number } | undefined): ShardFilter {
  if (!shard || shard.count === 1) return { byFingerprint: () => true, byIndex: () => true };
  const want = shard.index - 1;
  const n = shard.count;
  return {
    byFingerprint: (word0) => (word0 >>> 0) % n === want,
    byIndex: (index) => index % n === want,
  };
}
