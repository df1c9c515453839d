// Writes a JSON file atomically (temp file, fsync, rename) so a reader never sees half a file.

import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ChatmigrateError } from '../errors.js';

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
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
