// The generated inputs the throughput suites share (same seed and defect rates, so the parse,
// validate and RSS suites measure the same files and generate each only once).

import type { ExportFormat, ExportKind } from '../generate.js';
import { benchInput, type BenchInput } from './bench-data.js';

/** 1% invalid, 1% exact duplicates, 0.1% conflicting repeats: a realistic export. */
export function throughputInput(format: ExportFormat, bytes: number, rich = false): Promise<BenchInput> {
  return benchInput({ format, bytes, seed: 42, dupRate: 0.01, conflictRate: 0.001, invalidRate: 0.01, rich });
}

/** The same mix for users or messages (bench/suites/kinds-throughput.ts, messages-1g.ts). */
export function kindInput(kind: ExportKind, format: ExportFormat, bytes: number): Promise<BenchInput> {
  return benchInput({ kind, format, bytes, seed: 42, dupRate: 0.01, conflictRate: 0.001, invalidRate: 0.01 });
}

/** 100000000 → "100MB", 2e9 → "2GB", 4.5e6 → "4.5MB" (decimal units, as --size takes them). */
export function sizeLabel(bytes: number): string {
  const units: Array<[number, string]> = [[1e9, 'GB'], [1e6, 'MB'], [1e3, 'KB']];
  for (const [scale, unit] of units) if (bytes >= scale) return `${Number((bytes / scale).toPrecision(3))}${unit}`;
  return `${bytes}B`;
}

/** "ndjson 100MB (290,000 records)" — the data line of a suite's setup. */
export function describeInput(format: string, input: BenchInput): string {
  return `${format} ${sizeLabel(input.bytes)} (${input.expected.read.toLocaleString('en-US')} records, ${input.expected.invalid} invalid, ${input.expected.duplicates} duplicates)`;
}
