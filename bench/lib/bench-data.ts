// Generated benchmark inputs, cached in .bench-data/ by their parameters (never committed).

import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateExport, type ExpectedCounts, type GenerateOptions } from '../generate.js';

export const DATA_DIR = join(process.cwd(), '.bench-data');

export interface BenchInput {
  path: string;
  expected: ExpectedCounts;
  bytes: number;
}

/** Returns the cached file for these options, generating it first if needed. */
export async function benchInput(options: GenerateOptions): Promise<BenchInput> {
  mkdirSync(DATA_DIR, { recursive: true });
  const name = [
    // Members keep their historical names (no kind prefix), so existing caches stay valid.
    ...(options.kind !== undefined && options.kind !== 'members' ? [options.kind] : []),
    options.format,
    options.count !== undefined ? `n${options.count}` : `b${options.bytes}`,
    `s${options.seed ?? 1}`,
    `d${options.dupRate ?? 0}`,
    `c${options.conflictRate ?? 0}`,
    `i${options.invalidRate ?? 0}`,
    ...(options.rich === true ? ['rich'] : []),
  ].join('-');
  const path = join(DATA_DIR, `${name}.${options.format === 'ndjson' ? 'ndjson' : 'json'}`);
  const meta = `${path}.expect.json`;
  if (!existsSync(path) || !existsSync(meta)) {
    const tmp = `${path}.partial`;
    const out = createWriteStream(tmp);
    const expected = await generateExport(options, out);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    renameSync(tmp, path);
    writeFileSync(meta, JSON.stringify(expected));
  }
  const expected = JSON.parse(readFileSync(meta, 'utf8')) as ExpectedCounts;
  const { statSync } = await import('node:fs');
  return { path, expected, bytes: statSync(path).size };
}
