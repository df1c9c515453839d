// Streams a Rocket.Chat selection document (file, stdin or an HTTP body) through stream-json's
// tokenizer into the selection walker: one entry in memory at a time, whatever the document size.

import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parser } from 'stream-json';
import { ChatmigrateError, isChatmigrateError } from '../errors.js';
import { createSelectionWalker, type JsonToken, type SelectionHandlers } from './selection-walker.js';

export interface SelectionReadResult {
  /** Bytes fed to the tokenizer (decompressed). */
  bytes: number;
}

/**
 * Reads the whole document and calls the handlers in document order. Rejects with
 * CM_INPUT_MALFORMED (not JSON; the 4 KB stretch of bytes, and the line, where the tokenizer stopped), CM_INPUT_FORMAT (JSON, but
 * not a selection), or whatever a handler threw.
 */
export async function readSelection(source: AsyncIterable<Buffer | string>, handlers: SelectionHandlers, name: string): Promise<SelectionReadResult> {
  const walker = createSelectionWalker(handlers);
  let bytes = 0;
  let shapeError: ChatmigrateError | undefined;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 4096,
    write(tok: JsonToken, _encoding, callback) {
      try {
        walker.token(tok);
        callback();
      } catch (err) {
        callback(asShapeError(err));
      }
    },
    final(callback) {
      try {
        walker.finish();
        callback();
      } catch (err) {
        callback(asShapeError(err));
      }
    },
  });
  function asShapeError(err: unknown): Error {
    if (isChatmigrateError(err)) return err;
    shapeError = new ChatmigrateError('CM_INPUT_FORMAT', `${name}: ${(err as Error).message}`, {
      hint: 'give {"input": {"users": [...], "channels": [...]}} (the startImport body) or {"users": [...], "channels": [...]} (what getImportFileData answers)',
    });
    return shapeError;
  }
  const tokenizer = parser.asStream({ streamValues: false }) as Writable & NodeJS.ReadableStream;
  const drained = pipeline(tokenizer, sink);
  // The first failure downstream (a handler's own error, a shape error) is the one to report: the
  // write that fails next only says the tokenizer was destroyed because of it.
  let downstream: unknown;
  drained.catch((err: unknown) => {
    downstream ??= err;
  });
  // The tokenizer does not say where it failed: fed one small slice at a time, with each write
  // awaited, a failure is known to lie in the slice being written (or in a token begun just before).
  let sliceStart = 0;
  let linesBefore = 0;
  let reading = true;
  try {
    for await (const chunk of source) {
      reading = false;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let at = 0; at < buf.length; at += SLICE_BYTES) {
        const slice = buf.subarray(at, at + SLICE_BYTES);
        sliceStart = bytes;
        bytes += slice.length;
        await new Promise<void>((resolve, reject) => tokenizer.write(slice, (err) => (err ? reject(err) : resolve())));
        linesBefore += countNewlines(slice);
      }
      reading = true;
    }
    reading = false;
    tokenizer.end();
    await drained;
  } catch (err) {
    tokenizer.destroy();
    // Let the pipeline settle so `downstream` holds its first error, if any.
    await drained.catch(() => undefined);
    if (isChatmigrateError(downstream)) throw downstream;
    if (shapeError !== undefined) throw shapeError;
    if (isChatmigrateError(err)) throw err;
    if (reading) throw new ChatmigrateError('CM_INPUT_UNREADABLE', `${name} could not be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    if (bytes === 0) throw new ChatmigrateError('CM_INPUT_FORMAT', `${name} is empty: expected a selection (a JSON object)`);
    throw new ChatmigrateError('CM_INPUT_MALFORMED', `${name} is not well-formed JSON in bytes ${Math.max(0, sliceStart - LOOKAHEAD_BYTES)}–${bytes} (line ${linesBefore + 1} or after): ${(err as Error).message}`, { cause: err });
  }
  return { bytes };
}

/** Small enough to place an error closely, big enough that the per-write cost stays negligible. */
const SLICE_BYTES = 4096;
/** How far the tokenizer may look past a value before judging it (its longest literal pattern). */
const LOOKAHEAD_BYTES = 16;

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
