// Test helpers: cut inputs into chunks of a given size (to catch chunk-boundary bugs), and
// collect what a splitter emits.

import { createRecordReader } from '../../src/sources/record-reader.js';
import type { FormatChoice } from '../../src/sources/formats.js';

export const CHUNK_SIZES = [1, 7, 64 * 1024] as const;

export function* chunksOf(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(i + size, buf.length));
}

export interface Emitted {
  text: string;
  key: string | undefined;
  offset: number;
  line: number;
}

/** Runs the record reader over `buf` cut into `size`-byte chunks. */
export function readAll(buf: Buffer, size: number, from: FormatChoice = 'auto'): { records: Emitted[]; format: string | undefined } {
  const records: Emitted[] = [];
  const reader = createRecordReader(from, (buf, start, end, key, offset, line) => records.push({ text: buf.toString('utf8', start, end), key, offset, line }));
  for (const c of chunksOf(buf, size)) reader.push(c);
  reader.end();
  return { records, format: reader.format };
}
