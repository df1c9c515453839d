// Builds the native fast path (native/scan_block.cc) into dist/native/scan_block.node with the
// machine's C++ compiler and Node's own headers. Optional by design: without a compiler or
// headers it says so and exits 0, and chatmigrate runs its JavaScript paths (same results,
// slower). Rebuilds only when the source is newer than the binary.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'scan_block.cc');
const target = join(root, 'dist', 'native', 'scan_block.node');

if (process.env.CHATMIGRATE_NATIVE === '0') process.exit(0);
if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) process.exit(0);

// node_api.h: next to this Node, or the system's Node headers (N-API is ABI-stable, so headers of
// another Node version build a binary every supported Node loads).
const includeDirs = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
const include = includeDirs.find((dir) => existsSync(join(dir, 'node_api.h')));
const compilers = [process.env.CXX, 'g++', 'c++', 'clang++'].filter(Boolean);

function skip(reason) {
  console.error(`chatmigrate: native fast path not built (${reason}); the JavaScript paths will be used (same results, slower).`);
  process.exit(0);
}

if (include === undefined) skip(`node_api.h not found in ${includeDirs.join(', ')}`);
mkdirSync(dirname(target), { recursive: true });
let lastError = 'no C++ compiler found (set CXX)';
for (const cxx of compilers) {
  try {
    execFileSync(cxx, ['-O2', '-std=c++17', '-shared', '-fPIC', '-fvisibility=hidden', '-DNAPI_VERSION=8', `-I${include}`, '-o', target, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    process.exit(0);
  } catch (err) {
    lastError = `${cxx}: ${err.code === 'ENOENT' ? 'not found' : String(err.stderr ?? err.message).trim().split('\n').slice(0, 3).join(' ')}`;
  }
}
skip(lastError);
