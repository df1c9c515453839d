// The layering rule as a test: a file imports only from its own layer or the ones below, and a
// layer's subfolders (sinks/cometchat, sinks/rocketchat) do not import each other.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Lowest first. A path ending in / is a folder; files name themselves. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'version.ts', 'credentials.ts', 'runtime-flags.ts', 'log.ts', 'base-url.ts', 'byte-size.ts', 'did-you-mean.ts', 'typed-arrays.ts'],
  ['entities/'],
  ['sources/'],
  ['transforms/'],
  ['sinks/'],
  ['accounting/'],
  ['observability/'],
  ['config.ts', 'rocketchat-options.ts', 'kind-options.ts', 'pipeline/', 'pipeline.ts', 'rocketchat-import/', 'migrate/', 'mongodump/'],
  ['sandbox/'],
  ['cli/', 'index.ts'],
];

function layerOf(file: string): { rank: number; home: string } {
  for (let rank = 0; rank < LAYERS.length; rank++) {
    for (const home of LAYERS[rank]!) if (home.endsWith('/') ? file.startsWith(home) : file === home) return { rank, home };
  }
  throw new Error(`${file} belongs to no layer: add it to LAYERS in test/layers.test.ts`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

test('no import runs back up the layers, or sideways between a layer\'s subfolders', () => {
  const problems: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    for (const m of readFileSync(join(SRC, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(SRC, resolve(SRC, dirname(file), m[1]!)).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (to.rank > from.rank) problems.push(`${file} → ${target} (up)`);
      const sub = (f: string, home: string) => (home.endsWith('/') && f.slice(home.length).includes('/') ? f.slice(home.length).split('/')[0] : undefined);
      const a = sub(file, from.home);
      const b = sub(target, to.home);
      if (from.home === to.home && a !== undefined && b !== undefined && a !== b && from.home !== 'entities/') problems.push(`${file} → ${target} (sideways)`);
    }
  }
  assert.deepEqual(problems, []);
});
