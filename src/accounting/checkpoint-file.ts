// The checkpoint file: what a resumed run needs to continue exactly where a stopped one left off.
// Written atomically (temp file, fsync, rename) with a checksum over its content, so a damaged or
// truncated file is detected on load instead of silently starting over.

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { ChatmigrateError } from '../errors.js';
import type { Counts } from './report.js';
import { writeFileAtomic } from './write-json-file.js';
import { VERSION } from '../version.js';
import { KIND_NAMES, type KindName } from '../entities/kinds.js';

/** 2: written by the one-declaration core; a version-1 checkpoint is refused by name. */
export const CHECKPOINT_VERSION = 2;

/** How a submitted record beyond the watermark ended, as far as the run knew when it stopped. */
export type WindowState = 's' | 'i' | 'a' | 'r';
/** [state, key] for sent ('s'), imported ('i'), already present ('a'); rejected adds code and message. */
export type WindowEntry = [WindowState, string] | ['r', string, string, string];
/**
 * A delivery journal line: a window entry, or ['q', key] — its last send was refused before the
 * server processed anything (auth, rate limit), so it is queued again, not possibly delivered.
 */
export type JournalEntry = WindowEntry | ['q', string];

export interface Checkpoint {
  chatmigrate: 'checkpoint';
  version: number;
  tool: string;
  savedAt: string;
  /** running: saved on the way; stopped: interrupted or failed; complete: every record has its outcome. */
  state: 'running' | 'stopped' | 'complete';
  /** What must not change between the run and its resumption (it would change the result). */
  run: {
    /** Random id of the job (kept across resumes): ties the journal files to this checkpoint. */
    job: string;
    command: 'validate' | 'import';
    to: string;
    /** The API root records are delivered to (no credentials), or null for validate. */
    target: string | null;
    /** The format the input was read as. */
    format: string | null;
    shard: string | null;
    nowSeconds: number;
    /** Absolute path of the rejects file, or null. */
    rejects: string | null;
    /** SHA-256 of extra inputs that shape the records (--rooms, --users), by flag; null if none. */
    sources: Record<string, string> | null;
    /** The entity kind the records were read as. */
    kind: KindName;
    /** Messages: the retention rule's days (0 = no limit); null for other kinds. */
    retentionDays: number | null;
  };
  /** The input's name, and a hash of its first bytes once read (checked before anything else). */
  input: { name: string; head: { bytes: number; sha256: string } | null };
  /** Records [0, records) have their final outcome; their bytes are [0, byteEnd) of the input. */
  watermark: { records: number; byteEnd: number; sha256: string };
  /** Cumulative counts of the records below the watermark. */
  counts: Counts;
  skippedBy: Record<string, number>;
  /** Cumulative delivery figures at the time of saving (all runs so far). */
  delivery: { requests: number; retries: number; throttled: number; sentEntities: number };
  /** The rejects file holds exactly the entries of the records below the watermark. */
  rejects: { bytes: number; entries: number } | null;
  /** Records beyond the watermark that were sent, and what became of them (at saving time). */
  window: WindowEntry[];
  /** The delivery journal file that continues `window` (see delivery-journal.ts). */
  journal: number;
  /** Wall-clock time of all runs so far. */
  elapsedMs: number;
}

const count = z.number().int().nonnegative();
const schema = z.object({
  chatmigrate: z.literal('checkpoint'),
  version: z.literal(CHECKPOINT_VERSION),
  tool: z.string(),
  savedAt: z.string(),
  state: z.enum(['running', 'stopped', 'complete']),
  run: z.object({
    job: z.string().regex(/^[0-9a-f]{16}$/),
    command: z.enum(['validate', 'import']),
    to: z.string(),
    target: z.string().nullable(),
    format: z.string().nullable(),
    shard: z.string().nullable(),
    nowSeconds: count,
    rejects: z.string().nullable(),
    sources: z.record(z.string(), z.string()).nullable(),
    // Absent from checkpoints written before there were other kinds: those were members runs.
    kind: z.enum(KIND_NAMES as [KindName, ...KindName[]]).default('members'),
    retentionDays: count.nullable().default(null),
  }),
  input: z.object({ name: z.string(), head: z.object({ bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) }).nullable() }),
  watermark: z.object({ records: count, byteEnd: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  counts: z.object({
    read: count,
    invalid: count,
    skipped: count,
    duplicates: count,
    valid: count,
    conflicts: count,
    // Absent from checkpoints written before messages were a kind: none were counted then.
    outOfOrder: count.default(0),
    imported: count,
    alreadyPresent: count,
    rejected: count,
    reasons: z.record(z.string(), count),
    reasonFields: z.record(z.string(), z.record(z.string(), count)),
  }),
  skippedBy: z.record(z.string(), count),
  delivery: z.object({ requests: count, retries: count, throttled: count, sentEntities: count }),
  rejects: z.object({ bytes: count, entries: count }).nullable(),
  window: z.array(z.union([z.tuple([z.enum(['s', 'i', 'a']), z.string()]), z.tuple([z.literal('r'), z.string(), z.string(), z.string()])])),
  journal: count,
  elapsedMs: count,
});

function checksumOf(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The file's text: the checkpoint, then its checksum as the last field. */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  const body = JSON.stringify(checkpoint);
  return `${body.slice(0, -1)},"checksum":"${checksumOf(body)}"}\n`;
}

export function parseCheckpoint(text: string, path: string): Checkpoint {
  // Any other file given as --checkpoint is not "damaged": it is not ours, and must not be replaced on advice.
  if (text.trim().length > 0 && !text.startsWith('{"chatmigrate":"checkpoint"')) {
    throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `--checkpoint ${path} is not a chatmigrate checkpoint`, {
      hint: 'give the path of the checkpoint file, or a new path for a new job (--start-over would replace this file)',
    });
  }
  const damaged = (why: string) =>
    new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `the checkpoint ${path} is damaged or truncated (${why})`, {
      hint: 'restore it from a backup, or run with --start-over to begin a new job (records already imported then count as already present)',
    });
  const m = /,"checksum":"([0-9a-f]{64})"\}\s*$/.exec(text);
  if (!m) throw damaged(text.trim().length === 0 ? 'empty file' : 'no checksum at its end');
  const body = text.slice(0, m.index) + '}';
  if (checksumOf(body) !== m[1]) throw damaged('checksum mismatch');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw damaged('not JSON');
  }
  const probe = value as { chatmigrate?: unknown; version?: unknown };
  if (probe.chatmigrate === 'checkpoint' && probe.version !== CHECKPOINT_VERSION) {
    throw new ChatmigrateError('CM_RESUME_MISMATCH', `the checkpoint ${path} has format version ${String(probe.version)}${typeof (value as { tool?: unknown }).tool === 'string' ? ` (written by chatmigrate ${(value as { tool: string }).tool})` : ''}; this chatmigrate ${VERSION} reads version ${CHECKPOINT_VERSION}`, {
      hint: 'finish the job with the chatmigrate version that wrote it, or start over without --resume (records already imported then count as already present)',
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw damaged(`unexpected content at ${parsed.error.issues[0]?.path.join('.') || 'top level'}`);
  return parsed.data as Checkpoint;
}

/** Reads the checkpoint, or undefined when there is no file. */
export async function loadCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ChatmigrateError('CM_CHECKPOINT_CORRUPT', `cannot read the checkpoint ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseCheckpoint(text, path);
}

export function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  return writeFileAtomic(path, serializeCheckpoint(checkpoint));
}
