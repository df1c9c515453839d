// Sizes as operators type them: 1e9, 100MB (decimal), 64MiB / 64KiB (binary), 512 (bytes).

/** Bytes for a size such as `64MiB`, `100MB`, `1e9` or `512`; undefined when it is not one. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*(?:([kmgt])(i)?)?b?\s*$/i.exec(text);
  if (m === null || m[1] === undefined) return undefined;
  const power = m[2] === undefined ? 0 : 'kmgt'.indexOf(m[2].toLowerCase()) + 1;
  const value = Number(m[1]) * (m[3] === undefined ? 1000 : 1024) ** power;
  return Number.isFinite(value) ? Math.round(value) : undefined;
}
