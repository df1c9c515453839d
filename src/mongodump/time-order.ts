// Messages in time order for the messages phase (CometChat wants them oldest first), whatever the
// order of the export: an external sort by (`ts`, `_id`) in bounded memory.
//
//   1. Check pass: reads the keys only (a mongodump document's two fields found in place) and
//      tells whether the input is already in order; it also counts the messages and the runs a
//      sort takes, for the log line. A sorted input is used as it is: nothing is written. (A check
//      first rather than noticing during the sort: a sorted input then costs one read, not a copy.)
//   2. Runs pass: RUN_BYTES of messages at a time are sorted in memory and written as a run file
//      (owner-only, atomically, then recorded in the manifest: sort-manifest.ts). After kill -9
//      the finished runs stay; the input is read again from its start, but the messages already
//      in runs are only stepped over (split, not parsed), and the runs after them are made again
//      with the same bounds.
//   3. Merge: more than FAN_IN runs are first merged FAN_IN at a time into bigger runs (each
//      recorded when whole); the last merge is a stream, made again from the same runs on every
//      call, so a resumed messages phase reads the same bytes.
//
// The stream keeps each record's bytes: BSON documents back to back for a mongodump input (no
// re-encoding, and the messages phase decodes BSON faster than JSON), one NDJSON line per record
// for a mongoexport input (a --jsonArray one included). Record positions in the messages phase's
// rejects file are positions in this stream; each rejected record is quoted whole, with its _id.

import { promises as fs } from 'node:fs';
import { ChatmigrateError } from '../errors.js';
import type { Log } from '../log.js';
import { createPrivateDir } from '../accounting/private-files.js';
import { isBsonDocument } from '../sources/bson-document.js';
import { MalformedInputError } from '../sources/formats.js';
import { openInputPath } from '../sources/open-input.js';
import { createRecordReader } from '../sources/record-reader.js';
import { identityOf, newManifest, readManifest, removeStrays, runName, saveManifest, type SortManifest } from './sort-manifest.js';
import { mergedStream, mergeIntoRun } from './sort-merge.js';
import { sortKeyOf } from './sort-key.js';
import { createRunBuilder, entryBytes } from './sort-run.js';

/** Memory of one sorted run: the sort's peak memory is about this plus the merge's buffers. */
export const DEFAULT_RUN_BYTES = 64 * 1024 * 1024;
/** Runs open at once in a merge (each reads through a 256 KiB buffer). */
export const DEFAULT_FAN_IN = 64;

export interface TimeOrderOptions {
  /** The messages: a mongodump `.bson` or a mongoexport file (NDJSON or --jsonArray), gzip or not. */
  input: string;
  /** The sort's folder (created owner-only), e.g. `STATE_DIR/messages-order`. */
  dir: string;
  runBytes?: number;
  fanIn?: number;
  log: Log;
  onProgress?: (p: TimeOrderProgress) => void;
  signal?: AbortSignal;
}

export interface TimeOrderProgress {
  stage: 'check' | 'runs' | 'merge';
  /** Messages read in this stage (runs: including those stepped over). */
  records: number;
  /** Decompressed input bytes read in this stage. */
  bytes: number;
  runs: number;
}

export interface TimeOrder {
  /** The input is already in (ts, _id) order: read it as it is (nothing was written). */
  inOrder: boolean;
  records: number;
  /** Sorted runs the messages were split into (0 when in order). */
  runs: number;
  encoding: 'bson' | 'ndjson';
  /** Bytes of the sorted stream (when not in order). */
  bytes: number;
  /** The messages in (ts, _id) order: the same bytes on every call. Absent when `inOrder`. */
  stream?: () => AsyncGenerator<Buffer>;
}

export async function orderMessages(o: TimeOrderOptions): Promise<TimeOrder> {
  createPrivateDir(o.dir);
  const identity = await identityOf(o.input).catch((err: NodeJS.ErrnoException) => {
    throw new ChatmigrateError('CM_INPUT_UNREADABLE', `cannot open input ${o.input}: ${err.code ?? String(err)}`);
  });
  let m = await readManifest(o.dir, identity);
  await removeStrays(o.dir, m);
  if (!m) {
    m = newManifest(identity, o.runBytes ?? DEFAULT_RUN_BYTES);
    await checkPass(o, m);
    await saveManifest(o.dir, m);
  }
  const done = (): TimeOrder => ({ inOrder: m.inOrder, records: m.records, runs: m.plannedRuns, encoding: m.encoding, bytes: m.runs.reduce((n, r) => n + r.outputBytes, 0) });
  if (m.inOrder) return done();
  o.log.info({ records: m.records, runs: m.plannedRuns, dir: o.dir }, `messages are not in time order: sorting ${m.records} messages in ${m.plannedRuns} runs under ${o.dir}`);
  if (!m.built) await runsPass(o, m);
  const fanIn = Math.max(2, o.fanIn ?? DEFAULT_FAN_IN);
  while (m.runs.length > fanIn) {
    const merged = await mergeIntoRun(o.dir, m.runs.slice(0, fanIn), runName(m.made));
    const replaced = m.runs.splice(0, fanIn, merged);
    m.made++;
    await saveManifest(o.dir, m);
    for (const r of replaced) await fs.rm(`${o.dir}/${r.file}`, { force: true });
    o.onProgress?.({ stage: 'merge', records: merged.records, bytes: merged.outputBytes, runs: m.runs.length });
  }
  const sorted = m;
  return { ...done(), stream: () => mergedStream(o.dir, sorted.runs, sorted.encoding === 'ndjson') };
}

/** Removes the sort's folder (after the messages phase has finished). */
export async function removeTimeOrder(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Reads every message's key: in order or not, how many, how many runs. */
async function checkPass(o: TimeOrderOptions, m: SortManifest): Promise<void> {
  let prevMs = -Infinity;
  let prevId = '';
  let inOrder = true;
  let runs = 0;
  let fill = 0;
  let bson: boolean | undefined;
  await eachRecord(o, 'check', (buf, start, end) => {
    bson ??= isBsonDocument(buf, start, end);
    const key = sortKeyOf(buf, start, end);
    // Ids are compared (as UTF-8 bytes, as the runs are sorted) only when the times are equal.
    if (inOrder && (key.ms < prevMs || (key.ms === prevMs && key.id !== prevId && Buffer.compare(Buffer.from(key.id), Buffer.from(prevId)) < 0))) inOrder = false;
    prevMs = key.ms;
    prevId = key.id;
    m.records++;
    // The same bounds as the runs pass makes.
    const size = entryBytes(Buffer.byteLength(key.id), end - start);
    if (fill === 0 || fill + size > m.runBytes) {
      runs++;
      fill = 0;
    }
    fill += size;
    return true;
  });
  m.inOrder = inOrder;
  m.encoding = bson === false ? 'ndjson' : 'bson';
  m.plannedRuns = inOrder ? 0 : runs;
}

/** Sorts the messages after those already in runs into more runs, each recorded when whole. */
async function runsPass(o: TimeOrderOptions, m: SortManifest): Promise<void> {
  const builder = createRunBuilder(m.runBytes);
  const ndjson = m.encoding === 'ndjson';
  let index = 0;
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    const file = runName(m.made);
    const records = builder.count;
    await builder.writeSorted(`${o.dir}/${file}`);
    m.runs.push({ file, records, outputBytes: pendingBytes });
    m.made++;
    m.consumed += records;
    pendingBytes = 0;
    await saveManifest(o.dir, m);
    o.onProgress?.({ stage: 'runs', records: m.consumed, bytes: 0, runs: m.runs.length });
  };
  await eachRecord(
    o,
    'runs',
    (buf, start, end) => {
      if (index < m.consumed) {
        index++; // already in a finished run: stepped over
        return true;
      }
      const key = sortKeyOf(buf, start, end);
      if (!builder.fits(Buffer.byteLength(key.id), end - start)) return false;
      builder.add(key.ms, key.id, buf, start, end, ndjson);
      pendingBytes += end - start + (ndjson ? 1 : 0);
      index++;
      return true;
    },
    flush,
  );
  if (builder.count > 0) await flush();
  m.built = true;
  await saveManifest(o.dir, m);
}

/**
 * Feeds every record of the input to `visit`, in order. A visit that returns false cannot take
 * the record yet (a run is full): it is copied aside, and once the chunk is split `makeRoom`
 * (writing the run) runs before it is visited again. At most one chunk's records wait.
 */
async function eachRecord(
  o: TimeOrderOptions,
  stage: TimeOrderProgress['stage'],
  visit: (buf: Buffer, start: number, end: number) => boolean,
  makeRoom?: () => Promise<void>,
): Promise<void> {
  const input = await openInputPath(o.input);
  let records = 0;
  const held: Buffer[] = [];
  const reader = createRecordReader('rocketchat', (buf, start, end) => {
    if (held.length === 0 && visit(buf, start, end)) records++;
    else held.push(Buffer.from(buf.subarray(start, end)));
  });
  const drain = async (): Promise<void> => {
    for (const rec of held) {
      if (!visit(rec, 0, rec.length)) {
        await makeRoom!();
        if (!visit(rec, 0, rec.length)) throw new Error('a message does not fit an empty run');
      }
      records++;
    }
    held.length = 0;
  };
  try {
    for await (const chunk of input.chunks) {
      reader.push(chunk);
      await drain();
      o.onProgress?.({ stage, records, bytes: reader.bytesSeen, runs: 0 });
      if (o.signal?.aborted) throw new ChatmigrateError('CM_INTERRUPTED', 'stopped by a signal while sorting the messages', { hint: 'run the same command again with --resume: the runs already sorted are kept' });
    }
    reader.end();
    await drain();
  } catch (err) {
    if (err instanceof MalformedInputError) {
      throw new ChatmigrateError('CM_INPUT_MALFORMED', `${o.input}: malformed input at byte ${err.offset}${err.line > 0 ? `, line ${err.line}` : ''}: ${err.message}`, {
        hint: 'the messages file is damaged: fix or dump it again (the sort reads it whole before the messages phase)',
      });
    }
    throw err;
  } finally {
    input.close();
  }
}
