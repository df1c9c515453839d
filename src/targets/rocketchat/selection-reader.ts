// Streams a Rocket.Chat selection document (file, stdin or an HTTP body) through stream-json's
// tokenizer into the selection walker: one entry in memory at a time, whatever the document size.

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parser } from 'stream-json';
import { ChatmigrateError, isChatmigrateError } from '../../errors.js';
import { createSelectionWalker, type JsonToken, type SelectionHandlers } from './selection-walker.js';

export interface SelectionReadResult {
  /** Bytes fed to the tokenizer (decompressed). */
  bytes: number;
}

/**
 * Reads the whole document and calls the handlers in document order. Rejects with
 * CM_INPUT_MALFORMED (not JSON; the byte count read so far is given), CM_INPUT_FORMAT (JSON, but
 * not a selection), or whatever a handler threw.
 */
export async function readSelection(source: AsyncIterable<Buffer | string>, handlers: SelectionHandlers, name: string): Promise<SelectionReadResult> {
  const walker = createSelectionWalker(handlers);
  let bytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      yield buf;
    }
  }
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
  try {
    await pipeline(Readable.from(counted()), parser.asStream({ streamValues: false }), sink);
  } catch (err) {
    if (isChatmigrateError(err)) throw err;
    if (shapeError !== undefined) throw shapeError;
    if (bytes === 0) throw new ChatmigrateError('CM_INPUT_FORMAT', `${name} is empty: expected a selection (a JSON object)`);
    throw new ChatmigrateError('CM_INPUT_MALFORMED', `${name} is not well-formed JSON (within the first ${bytes} bytes): ${(err as Error).message}`, { cause: err });
  }
  return { bytes };
}
