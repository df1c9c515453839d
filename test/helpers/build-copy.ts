// Throwaway copies of this build for the A/B and bench:check tests: a copy of dist/ (with
// package.json and a symlink to node_modules) that can be slowed down or made to judge records
// differently, each through one patch point that the helper asserts is still there.

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A built checkout at `dir` that runs this build's code (dist/src, dist/bench). */
export function copyBuild(root: string, dir: string): string {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  for (const part of ['src', 'bench']) {
    if (existsSync(join(root, 'dist', part))) cpSync(join(root, 'dist', part), join(dir, 'dist', part), { recursive: true });
  }
  cpSync(join(root, 'package.json'), join(dir, 'package.json')); // "type": "module"
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

/**
 * The function every block of records passes through, on the main thread or in a worker, of any
 * kind (src/transforms/decode-block.ts). If this assertion fails, the block function was renamed
 * or moved: point BLOCK_HEAD at whatever now takes a block of records and knows how many it
 * holds, and SPIN_COUNT at that count.
 */
const BLOCK_HEAD = 'export function decodeBlock(input, options';
const SPIN_COUNT = 'input.count';

/**
 * Makes the copy at `dir` spin `msPerRecord` per record, in the block function: a slowdown where
 * every record passes, whatever the record rules look like.
 */
export function slowBlocks(dir: string, msPerRecord: number): void {
  const matches = jsFiles(join(dir, 'dist', 'src')).filter((f) => readFileSync(f, 'utf8').includes(BLOCK_HEAD));
  assert.equal(matches.length, 1, `patch point ${JSON.stringify(BLOCK_HEAD)} found in ${matches.length} files of ${dir}/dist/src (expected 1): update BLOCK_HEAD in test/helpers/build-copy.ts`);
  const file = matches[0]!;
  const source = readFileSync(file, 'utf8');
  const at = source.indexOf('{', source.indexOf(BLOCK_HEAD)) + 1;
  const spin = ` { const until = performance.now() + ${msPerRecord} * ${SPIN_COUNT}; while (performance.now() < until); }`;
  writeFileSync(file, source.slice(0, at) + spin + source.slice(at));
}

/**
 * Makes the copy's executable judge records as if `--now` were `days` earlier: joinedAt values in
 * between become "in the future", so its reports, rejects and accepted records differ from this
 * build's. Patched at the top of the executable, which reads its arguments from process.argv.
 */
export function shiftNow(dir: string, days: number): void {
  const cli = join(dir, 'dist', 'src', 'cli', 'main.js');
  const source = readFileSync(cli, 'utf8');
  assert.ok(source.startsWith('#!') && source.includes('process.argv.slice(2)'), `${cli} no longer starts with #! and reads process.argv.slice(2): update shiftNow in test/helpers/build-copy.ts`);
  const newline = source.indexOf('\n') + 1;
  const patch = `{ const i = process.argv.indexOf('--now'); if (i > 0) process.argv[i + 1] = String(Number(process.argv[i + 1]) - ${days * 86400}); }\n`;
  writeFileSync(cli, source.slice(0, newline) + patch + source.slice(newline));
}
