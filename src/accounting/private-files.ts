// Files and folders that hold export data or run state are created owner-only (0600 / 0700)
// whatever the umask: the mode is set when the file is created, before any byte is written.
// An existing file or folder that others can read is kept as it is, with a one-line warning.

import { chmodSync, close, closeSync, fchmod, fchmodSync, mkdirSync, open, openSync, promises as fs, statSync, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, resolve } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import { canonicalPath } from './path-identity.js';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** What the warning needs of a logger (the logger itself lives in a higher layer). */
export interface WarnLogger {
  warn(fields: object, message: string): void;
}

/**
 * Creates `path`, which must not exist yet, for writing: owner-only from its first byte. The
 * umask can only take bits away at creation, so the mode is set again on the open file.
 * Exclusive creation never follows a symlink and never truncates an existing file.
 */
export function createPrivateFileSync(path: string): number {
  const fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** The same as createPrivateFileSync, without blocking the event loop. */
export async function createPrivateFile(path: string): Promise<fs.FileHandle> {
  const handle = await fs.open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/**
 * Opens `path` to be written from its start: created owner-only when it does not exist; an
 * existing file (or a pipe, a device) is truncated where that means anything and keeps its mode
 * (the up-front check warned when others can read it). Returns the file descriptor.
 */
export async function openForWriting(path: string): Promise<number> {
  try {
    return await createPrivateFd(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A symlink to nothing yet: exclusive creation does not follow it, so create where it points.
  const dangling = await fs.stat(path).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  return dangling ? createPrivateFd(canonicalPath(path)) : openFd(path, 'w');
}

async function createPrivateFd(path: string): Promise<number> {
  const fd = await openFd(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await fchmodFd(fd, PRIVATE_FILE_MODE);
  } catch (err) {
    await closeFd(fd);
    throw err;
  }
  return fd;
}

const openFd = promisify(open);
const fchmodFd = promisify(fchmod);
const closeFd = promisify(close);

/**
 * Creates the folder (and any missing parents) owner-only; an existing folder is kept, with a
 * warning when others may enter or list it. For folders of export data and state
 * (`--state-dir`, `--attachments-dir`, the demo's folder).
 */
export function createPrivateDir(path: string, logger?: WarnLogger, flag?: string): void {
  const target = resolve(path);
  const what = `${flag ?? 'the folder'} ${JSON.stringify(path)}`;
  let first: string | undefined;
  try {
    first = makeDirs(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      const file = (err as NodeJS.ErrnoException).path;
      const which = file === undefined || file === target ? 'is a file, not a folder' : `cannot be created: ${file} is a file, not a folder`;
      throw new ChatmigrateError('CM_OUTPUT', `${what} ${which}`, { hint: 'choose a folder (it is created owner-only when absent)' });
    }
    throw new ChatmigrateError('CM_OUTPUT', `${what} cannot be created: ${code}`, { hint: 'choose a folder you can write to' });
  }
  if (first !== undefined) {
    // Every folder made here, from the first one created down to the target, loses the umask's say.
    for (let dir = target; ; dir = dirname(dir)) {
      chmodSync(dir, PRIVATE_DIR_MODE);
      if (dir === first || dirname(dir) === dir) break;
    }
    return;
  }
  const st = statSync(target);
  if (!st.isDirectory()) throw new ChatmigrateError('CM_OUTPUT', `${what} is not a folder`, { hint: 'choose another path' });
  warnIfShared(logger, flag ?? 'folder', path, st);
}

/**
 * mkdir -p, one level at a time; returns the first folder it created (undefined: none). Not
 * mkdirSync's `recursive`: where mkdir answers ENOENT under a parent that exists (/proc, some
 * FUSE and network mounts) that loops forever in native code, deaf to SIGINT and SIGTERM.
 * A part of the path that is a file throws ENOTDIR (or EEXIST for the target) naming it.
 */
function makeDirs(target: string): string | undefined {
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    let st: Stats | undefined;
    try {
      st = statSync(dir);
    } catch (err) {
      // ENOTDIR: a part above is a file; going up finds which.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: dir === target ? 'EEXIST' : 'ENOTDIR', path: dir });
      break;
    }
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  let first: string | undefined;
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
      first ??= dir;
    } catch (err) {
      // Made by another process in between: a folder is as good as one made here.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw err;
    }
  }
  return first;
}

/** The permission bits of a file that others (group or anyone) can read, or undefined. */
export function sharedMode(st: Stats): number | undefined {
  return (st.mode & 0o044) !== 0 ? st.mode & 0o777 : undefined;
}

/** One warning line for an existing file or folder that others can read. */
export function warnIfShared(logger: WarnLogger | undefined, flag: string, path: string, st: Stats): void {
  const mode = sharedMode(st);
  if (mode === undefined || logger === undefined) return;
  const octal = mode.toString(8).padStart(4, '0');
  const fix = st.isDirectory() ? `chmod 700 ${shellQuote(path)}` : `chmod 600 ${shellQuote(path)}`;
  logger.warn({ flag, path, mode: octal }, `${flag} ${path} can be read by others (mode ${octal}) and will hold export data: ${fix}`);
}

function shellQuote(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
