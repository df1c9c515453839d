// Writes a file atomically (temp file, fsync, rename) so a reader never sees half a file. The temp
// file is created owner-only and exclusively: it never follows a link nor truncates a file that
// happens to have its name, and the renamed result is owner-only whatever the umask.

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { ChatmigrateError } from '../errors.js';
import { tempPathFor } from './path-identity.js';
import { createPrivateFile } from './private-files.js';

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    // Left by an earlier process that had this pid: only its name goes, never a linked file's bytes.
    await fs.rm(tmp, { force: true });
    const handle = await createPrivateFile(tmp);
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
