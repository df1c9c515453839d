// The up-front check of each output, alike for all of them: before anything is read or sent, a
// --rejects, --report or --checkpoint path is shown to be writable the way it will be written,
// or refused with the flag, the path, why, and what to do.

import { constants, promises as fs, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ChatmigrateError, type ErrorCode } from '../errors.js';
import { kindOf, tempPathFor, type RunFile } from './path-identity.js';
import { PRIVATE_FILE_MODE } from './private-files.js';

/** File systems that show the kernel's state rather than store files (statfs f_type on Linux). */
const KERNEL_FILE_SYSTEMS: Readonly<Record<number, string>> = {
  0x9fa0: '/proc (the kernel\'s process file system)',
  0x62656572: '/sys (the kernel\'s sysfs)',
  0x27e0eb: 'a cgroup file system',
  0x63677270: 'a cgroup2 file system',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
};

/**
 * Throws CM_OUTPUT (or CM_USAGE for a rejects pipe that --checkpoint cannot use) when `file`
 * cannot be written as it will be. Returns the file's stats when it exists and is written in
 * place, so the caller can warn when others can read it. Leaves nothing behind.
 */
export async function checkOutputWritable(file: RunFile): Promise<Stats | undefined> {
  const path = file.path!;
  const flag = file.flag;
  const refuse = (why: string, todo: string, code: ErrorCode = 'CM_OUTPUT'): ChatmigrateError =>
    new ChatmigrateError(code, `${flag} ${JSON.stringify(path)} cannot be written: ${why}`, { hint: `${todo} (outputs are checked before anything is read or sent)` });
  const other = `choose another ${flag} path`;

  let st: Stats | undefined;
  try {
    st = await fs.stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw refuse('a part of its folder path is a file, not a folder', `check the path, or ${other}`);
    if (code === 'EACCES') throw refuse('a folder on its path cannot be entered (permission denied)', `${other} in a folder you can write to`);
    if (code === 'ELOOP') throw refuse('its symbolic links loop', `check the path, or ${other}`);
    if (code !== 'ENOENT') throw refuse(code ?? String(err), other);
  }
  const kernel = await kernelFileSystem(st ? path : await nearestExisting(dirname(path)));
  if (kernel !== undefined) throw refuse(`it is on ${kernel}, which shows the kernel's state and stores no files`, `${other} on a disk, e.g. ./${basename(path)}`);
  if (st?.isDirectory()) throw refuse('it is a directory', `give a file path, e.g. ${join(path, defaultName(flag))}`);
  if (st?.isBlockDevice()) throw refuse('it is a block device: writing would destroy what the disk holds', other);
  if (st !== undefined && !st.isFile()) {
    if (file.write !== 'in-place') {
      throw refuse(`it is not a regular file but ${kindOf(st)}, which the rename that writes it would replace${flag === '--report' ? '; for the report on stdout use --json' : ''}`, other);
    }
    if (file.regularFor !== undefined) {
      throw refuse(`it is not a regular file but ${kindOf(st)}, and ${file.regularFor} needs a file: a resumed run cuts the rejects file back to what the checkpoint covers`, 'write the rejects to a file', 'CM_USAGE');
    }
    return undefined; // a pipe or a device (rejects to another program, /dev/null) is written as it is
  }
  if (st !== undefined && file.write === 'in-place') {
    try {
      await fs.access(path, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') throw refuse('its file system is read-only', `${other} on a writable file system`);
      throw refuse(code === 'EACCES' || code === 'EPERM' ? 'it is not writable (permission denied)' : (code ?? String(err)), `make it writable (chmod u+w), or ${other}`);
    }
    return st;
  }
  if (st !== undefined) await refuseForeignInStickyFolder(path, st, refuse, other);
  // A new file, or the temp file a rename replaces it with, is created in its folder: try that.
  await probeFolder(path, refuse, other);
  return undefined;
}

/** In a sticky folder such as /tmp, only a file's owner may replace it. */
async function refuseForeignInStickyFolder(path: string, st: Stats, refuse: (why: string, todo: string) => ChatmigrateError, other: string): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0 || st.uid === uid) return;
  const dir = await fs.stat(dirname(path)).catch(() => undefined);
  if (dir !== undefined && (dir.mode & 0o1000) !== 0 && dir.uid !== uid) {
    throw refuse('it belongs to another user, in a folder where only its owner may replace it (like /tmp)', other);
  }
}

async function probeFolder(path: string, refuse: (why: string, todo: string) => ChatmigrateError, other: string): Promise<void> {
  const dir = dirname(path);
  const probe = tempPathFor(path);
  try {
    await fs.rm(probe, { force: true }); // left by an earlier process that had this pid
    await (await fs.open(probe, 'wx', PRIVATE_FILE_MODE)).close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw refuse(`its directory does not exist (${dir})`, `create it first (mkdir -p ${dir}), or ${other}`);
    if (code === 'EACCES' || code === 'EPERM') throw refuse(`its directory ${dir} refuses new files (permission denied)`, `${other} in a folder you can write to`);
    if (code === 'EROFS') throw refuse('its file system is read-only', `${other} on a writable file system`);
    if (code === 'ENOSPC' || code === 'EDQUOT') throw refuse('its file system is full', `free some space, or ${other}`);
    throw refuse(code ?? String(err), other);
  }
  await fs.rm(probe, { force: true });
}

async function nearestExisting(dir: string): Promise<string> {
  for (let d = dir; ; d = dirname(d)) {
    if (await fs.stat(d).then(() => true, () => false)) return d;
    if (dirname(d) === d) return d;
  }
}

async function kernelFileSystem(path: string): Promise<string | undefined> {
  try {
    return KERNEL_FILE_SYSTEMS[(await fs.statfs(path)).type];
  } catch {
    return undefined; // no statfs (or no answer): the other checks still apply
  }
}

function defaultName(flag: string): string {
  return flag === '--rejects' ? 'rejects.ndjson' : flag === '--report' ? 'report.json' : flag === '--checkpoint' ? 'job.ckpt' : 'file';
}
