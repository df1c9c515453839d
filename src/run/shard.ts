// --shard K/N: a run processes only the records whose memberId hashes to its shard, so N machines
// (or N processes under separate quotas) can share one export without overlapping.

export interface ShardFilter {
  byKey(memberId: string): boolean;
  /** For records without a usable id (invalid ones): spread them by input position. */
  byIndex(index: number): boolean;
}

export function createShardFilter(shard: { index: number; count: number } | undefined): ShardFilter {
  if (!shard || shard.count === 1) return { byKey: () => true, byIndex: () => true };
  const want = shard.index - 1;
  const n = shard.count;
  return {
    byKey: (memberId) => shardOf(memberId, n) === want,
    byIndex: (index) => index % n === want,
  };
}

/** FNV-1a (32-bit) over UTF-16 units: stable across runs and machines, cheap for short ids. */
export function shardOf(key: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}
