// Which real file each input and output of a run is — device and inode for what exists, the path
// with every symlink resolved for what is not created yet — and the one refusal of any overlap,
// naming both flags and the real path. An output that is an input through a symlinked folder, a
// symlink or a hard link would otherwise destroy the export while it is being read.

import { fstatSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ChatmigrateError } from '../errors.js';

export interface RunFile {
  /** How the user named it: INPUT, --rooms, --rejects, --json … */
  flag: string;
  role: 'input' | 'output';
  /** A path, or one of this process's standard streams (stdin read as INPUT, stdout for --json). */
  path?: string | undefined;
  fd?: 0 | 1;
  /** Outputs: written in place (rejects), replaced by a rename (report), or the checkpoint (replaced, with its journal and lock beside it). */
  write?: 'in-place' | 'replaced' | 'checkpoint';
  /** An in-place output that must be a regular file, and the flag that needs it. */
  regularFor?: string;
}

/** One file (or family of files) a run reads or writes on behalf of a RunFile. */
interface Claim {
  file: RunFile;
  /** The companion this is, when not the file itself ("the delivery journal"). */
  part?: string;
  /** The path with symlinks resolved, or what a stream is ("stdin, a pipe"). */
  real: string;
  /** The path as the run will open it (absolute, links not resolved); none for a stream. */
  given?: string;
  /** device:inode of what exists there now. */
  id?: string;
  /** A numbered family of companions (FILE.journal.N): does this resolved path belong to it? */
  family?: (real: string) => boolean;
  /** Character devices (/dev/null, a terminal) are not storage: two names for one never clash. */
  device?: boolean;
  /** A standard stream that is a regular file (`< export.ndjson`): writing it destroys it. */
  isFileStream?: boolean;
}

/** Atomic writes go through this temp file beside the target (write-json-file.ts). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/**
 * Refuses (CM_USAGE, exit 2) any two files of a run that are one file: an output and an input,
 * two outputs, or two inputs. Call before anything is opened for writing.
 */
export function refuseOverlaps(files: readonly RunFile[]): void {
  const claims = files.map(claimsOf);
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      for (const a of claims[i]!) {
        for (const b of claims[j]!) {
          const clash = overlap(a, b);
          if (clash) throw overlapError(a, b, clash);
        }
      }
    }
  }
}

type Clash = { how: 'same' | 'symlink' | 'hardlink'; shown: string };

function overlap(a: Claim, b: Claim): Clash | undefined {
  if (a.file.fd !== undefined && b.file.fd !== undefined) return undefined; // stdin and stdout of one terminal or socket
  if (a.device === true || b.device === true) return undefined;
  // A family member has the name the family gives it; it is the same file unless reached through another folder.
  if (a.family?.(b.real)) return { how: dirname(a.given!) === dirname(b.given ?? '') ? 'same' : 'symlink', shown: b.real };
  if (b.family?.(a.real)) return { how: dirname(b.given!) === dirname(a.given ?? '') ? 'same' : 'symlink', shown: a.real };
  if (a.id !== undefined && a.id === b.id) {
    // A stream is shown as what it is; a path as the real path of the first (the input, when one is).
    if (a.file.fd !== undefined || b.file.fd !== undefined) return { how: 'same', shown: a.file.fd !== undefined ? a.real : b.real };
    return { how: a.real === b.real ? (a.given === b.given ? 'same' : 'symlink') : 'hardlink', shown: a.real };
  }
  if (a.real === b.real) return { how: a.given === b.given ? 'same' : 'symlink', shown: a.real };
  return undefined;
}

function overlapError(a: Claim, b: Claim, clash: Clash): ChatmigrateError {
  const via = clash.how === 'symlink' ? ' through a symbolic link' : clash.how === 'hardlink' ? ' through a hard link' : '';
  const input = a.file.role === 'input' ? a : b.file.role === 'input' ? b : undefined;
  const output = a.file.role === 'output' ? a : b.file.role === 'output' ? b : undefined;
  // The output is named first ("--rejects X is INPUT Y"); between two of a kind, the later one.
  const [subject, object] = input === b && output === a ? [a, b] : [b, a];
  let why: string;
  let hint: string;
  if (input && output) {
    why = input.file.fd === 0 && input.isFileStream !== true
      ? 'writing into it would feed the stream being read back into itself (and stall the run)'
      : `writing ${output.file.flag} would destroy the input`;
    hint = `give ${output.file.flag} a path of its own`;
  } else if (output) {
    why = 'one would overwrite the other';
    const named = [a, b].filter((c) => c.file.fd === undefined).map((c) => c.file.flag);
    hint = named.length === 2 ? `give ${named[0]} and ${named[1]} a path each` : `give ${named[0] ?? 'it'} another path, or leave out --json`;
  } else {
    why = 'each needs its own file';
    hint = `give ${a.file.flag} and ${b.file.flag} a file each`;
  }
  return new ChatmigrateError('CM_USAGE', `${describe(subject)} is ${describe(object)}${via} (both are ${clash.shown}): ${why}`, { hint });
}

function describe(c: Claim): string {
  const f = c.file;
  const name = f.fd === 0 ? `${f.flag} (stdin)` : f.fd === 1 ? `${f.flag} (stdout)` : `${f.flag} ${JSON.stringify(f.path)}`;
  return c.part === undefined ? name : `${c.part} of ${name}`;
}

function claimsOf(file: RunFile): Claim[] {
  if (file.fd !== undefined) {
    const st = tryStat(() => fstatSync(file.fd!));
    if (!st) return [];
    const real = `${file.fd === 0 ? 'stdin' : 'stdout'}, ${kindOf(st)}${st.isFile() ? ` ${fdPath(file.fd)}` : ''}`.trimEnd();
    return [{ file, real, id: idOf(st), device: st.isCharacterDevice(), isFileStream: st.isFile() }];
  }
  if (file.path === undefined || file.path === '-') return [];
  const st = tryStat(() => statSync(file.path!));
  const claims: Claim[] = [{ file, real: canonicalPath(file.path), given: resolve(file.path), ...(st ? { id: idOf(st), device: st.isCharacterDevice() } : {}) }];
  if (file.write === 'replaced' || file.write === 'checkpoint') claims.push(companion(file, 'the temp file of atomic writes', tempPathFor(file.path)));
  if (file.write === 'checkpoint') {
    claims.push(companion(file, 'the lock file', `${file.path}.lock`));
    claims.push(...journalClaims(file));
  }
  return claims;
}

function companion(file: RunFile, part: string, path: string): Claim {
  const st = tryStat(() => statSync(path));
  return { file, part, real: canonicalPath(path), given: resolve(path), ...(st ? { id: idOf(st) } : {}) };
}

/** FILE.journal.N for every N: the family, plus the files of it that exist now (a hard link has another name). */
function journalClaims(file: RunFile): Claim[] {
  const given = `${resolve(file.path!)}.journal.N`;
  const dir = canonicalPath(dirname(given));
  const pattern = new RegExp(`^${escapeRegExp(basename(file.path!))}\\.journal\\.\\d+$`);
  const part = 'the delivery journal';
  const claims: Claim[] = [{ file, part, real: join(dir, basename(given)), given, family: (real) => dirname(real) === dir && pattern.test(basename(real)) }];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // No folder: no journal yet (the output check says what is wrong with the folder).
  }
  for (const name of names) if (pattern.test(name)) claims.push(companion(file, part, join(dir, name)));
  return claims;
}

/**
 * The path with every symlink resolved. For a file not created yet: where it will be created
 * (a dangling symlink is followed; otherwise the real folder plus the name).
 */
export function canonicalPath(path: string, depth = 0): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    // not there (yet), or not resolvable as a path (/proc/self/fd/0 of a pipe)
  }
  if (depth < 40) {
    try {
      if (lstatSync(abs).isSymbolicLink()) return canonicalPath(resolve(dirname(abs), readlinkSync(abs)), depth + 1);
    } catch {
      // unreadable: take the folder's real path
    }
  }
  const parent = dirname(abs);
  return parent === abs ? abs : join(canonicalPath(parent, depth + 1), basename(abs));
}

function tryStat(stat: () => Stats): Stats | undefined {
  try {
    return stat();
  } catch {
    return undefined;
  }
}

function idOf(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

export function kindOf(st: Stats): string {
  return st.isFIFO() ? 'a pipe' : st.isSocket() ? 'a socket' : st.isCharacterDevice() ? 'a terminal or device' : st.isBlockDevice() ? 'a block device' : st.isDirectory() ? 'a directory' : 'a file';
}

/** The path of a standard stream that is a file, where the system tells it (Linux). */
function fdPath(fd: number): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
