// The time-order sort's state in its folder: `manifest.json` (written atomically after each
// finished run or merge) says which input it belongs to, what the check pass found, and which
// run files are whole. Whatever else is in the folder (a `.tmp` run cut by kill -9, runs a merge
// replaced) is removed when the sort starts again; a manifest of another input starts it afresh.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeJsonFileAtomic } from '../accounting/write-json-file.js';

export const MANIFEST = 'manifest.json';
const VERSION = 1;

export interface InputIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface RunEntry {
  file: string;
  /** Messages in the run. */
  records: number;
  /** Bytes the run adds to the merged stream. */
  outputBytes: number;
}

export interface SortManifest {
  version: number;
  input: InputIdentity;
  /** Memory of one run (bytes of entries): fixed for the life of the folder, so a redone run has the same bounds. */
  runBytes: number;
  /** What the check pass found: every message, whether they are in order, how many runs sorting takes. */
  records: number;
  inOrder: boolean;
  encoding: 'bson' | 'ndjson';
  plannedRuns: number;
  /** Input messages already in a run (the runs pass goes on after them). */
  consumed: number;
  /** Whole runs, in merge order (input order; a merge of runs takes their place). */
  runs: RunEntry[];
  /** Run files made so far (names are never reused). */
  made: number;
  /** Every message is in a run. */
  built: boolean;
}

export async function identityOf(path: string): Promise<InputIdentity> {
  const st = await fs.stat(path);
  return { path, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

export function sameInput(a: InputIdentity, b: InputIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** The folder's manifest when it belongs to `input` and is readable; else undefined. */
export async function readManifest(dir: string, input: InputIdentity): Promise<SortManifest | undefined> {
  let m: SortManifest;
  try {
    m = JSON.parse(await fs.readFile(join(dir, MANIFEST), 'utf8')) as SortManifest;
  } catch {
    return undefined;
  }
  if (m.version !== VERSION || typeof m.input !== 'object' || !sameInput(m.input, input) || !Array.isArray(m.runs)) return undefined;
  return m;
}

export function newManifest(input: InputIdentity, runBytes: number): SortManifest {
  return { version: VERSION, input, runBytes, records: 0, inOrder: false, encoding: 'bson', plannedRuns: 0, consumed: 0, runs: [], made: 0, built: false };
}

export function saveManifest(dir: string, m: SortManifest): Promise<void> {
  return writeJsonFileAtomic(join(dir, MANIFEST), m);
}

/** Removes every file of the folder the manifest does not name (or all of them, without one). */
export async function removeStrays(dir: string, m: SortManifest | undefined): Promise<void> {
  const keep = new Set(m ? [MANIFEST, ...m.runs.map((r) => r.file)] : []);
  for (const name of await fs.readdir(dir)) if (!keep.has(name)) await fs.rm(join(dir, name), { force: true, recursive: true });
}

export function runName(n: number): string {
  return `run-${String(n).padStart(6, '0')}.bin`;
}
