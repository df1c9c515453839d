// Writes a JSON file atomically (temp file, fsync, rename) so a reader never sees half a file.

import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ChatmigrateError } from '../errors.js';

const tempPathFor = (path: string): string => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
    await syncDirectory(dirname(path));
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new ChatmigrateError('CM_OUTPUT', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

export function writeJsonFileAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Makes a rename durable across a power loss (a crash of the process needs nothing more). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some systems refuse to open or sync a directory: the file itself is already synced.
  } finally {
    await handle?.close();
  }
}

/**
 * Fails now, not after a run of hours, when `path` could not be written at the end: it is a
 * directory, or its directory does not exist or refuses new files (the write makes a temp file
 * there and renames it). Leaves nothing behind.
 */
export async function assertWritableLater(path: string, flag: string): Promise<void> {
  const refuse = (why: string): ChatmigrateError =>
    new ChatmigrateError('CM_OUTPUT', `${flag} ${JSON.stringify(path)} cannot be written: ${why}`, { hint: `choose another ${flag} path (checked before anything is sent)` });
  const st = await fs.stat(path).catch(() => undefined);
  if (st?.isDirectory()) throw refuse('it is a directory');
  // The file is replaced by a rename: a device or a pipe would be replaced, not written to.
  if (st !== undefined && !st.isFile()) throw refuse(`it is not a regular file (a device, pipe or socket would be replaced)${flag === '--report' ? '; for the report on stdout use --json' : ''}`);
  const uid = process.getuid?.();
  if (st !== undefined && uid !== undefined && uid !== 0 && st.uid !== uid) {
    const dir = await fs.stat(dirname(path)).catch(() => undefined);
    // In a sticky directory such as /tmp only a file's owner may replace it.
    if (dir !== undefined && (dir.mode & 0o1000) !== 0 && dir.uid !== uid) throw refuse('it belongs to another user, in a directory where only its owner may replace it (like /tmp)');
  }
  const tmp = tempPathFor(path);
  try {
    await (await fs.open(tmp, 'wx')).close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'its directory does not exist' : code === 'EACCES' || code === 'EPERM' ? 'its directory refuses new files (permission denied)' : code === 'EROFS' ? 'the file system is read-only' : (code ?? String(err));
    throw refuse(why);
  }
  await fs.rm(tmp, { force: true });
}
