// A rejects file written by chatmigrate, read back as input: each line's record (and its map
// key) is taken out, so a fixed rejects file can be fed straight back in.

export function unwrapRejectEntry(value: unknown): { record: unknown; key: string | undefined; malformedText?: string } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['reason'] !== 'string' || !('record' in v) || typeof v['position'] !== 'object') return undefined;
  const key = typeof v['key'] === 'string' ? v['key'] : undefined;
  // A line that was not JSON, or a record nested too deep to be written as JSON, is kept as its
  // raw text: read back, that text is parsed again.
  if ((v['reason'] === 'MALFORMED_JSON' || v['reason'] === 'NESTED_TOO_DEEP') && typeof v['record'] === 'string') return { record: v['record'], key, malformedText: v['record'] };
  return { record: v['record'], key };
}
