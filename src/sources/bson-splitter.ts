// Splits a mongodump collection file (`NAME.bson`: BSON documents back to back, each starting with
// its int32 little-endian total length) into one record per document, with its byte offset. Works
// on bytes and copies only a document that spans chunks; decoding is left to whoever parses it.

import { MalformedInputError, type RecordSink, type RecordSplitter } from './formats.js';

/** MongoDB's document size limit (16 MiB) plus slack for what mongod allows internally beyond it. */
export const MAX_BSON_DOCUMENT_BYTES = 16 * 1024 * 1024 + 16 * 1024;
/** The smallest document: its length and the terminating 0x00 (`{}`). */
const MIN_BSON_DOCUMENT_BYTES = 5;

export function createBsonSplitter(emit: RecordSink, startOffset = 0): RecordSplitter {
  // Bytes of a document that began in an earlier chunk; joined once it is whole.
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let need = 0; // length of the carried document, once its prefix is known (0: not yet)
  let consumed = startOffset; // absolute offset of the first byte of the current chunk

  function lengthAt(buf: Buffer, at: number, offset: number): number {
    const length = buf.readInt32LE(at);
    if (length < MIN_BSON_DOCUMENT_BYTES || length > MAX_BSON_DOCUMENT_BYTES) {
      throw new MalformedInputError(
        `a BSON document declares a length of ${length} bytes (from ${MIN_BSON_DOCUMENT_BYTES} to ${MAX_BSON_DOCUMENT_BYTES} expected): the file is damaged, or is not a mongodump .bson file`,
        offset,
      );
    }
    return length;
  }

  function emitWhole(buf: Buffer, start: number, length: number, offset: number): void {
    if (buf[start + length - 1] !== 0) {
      throw new MalformedInputError(`the BSON document of ${length} bytes here does not end with a 0x00 byte: the file is damaged (a document cut short?)`, offset);
    }
    emit(buf, start, start + length, undefined, offset, 0);
  }

  return {
    get bytesSeen() {
      return consumed;
    },
    push(chunk: Buffer): void {
      let pos = 0;
      if (carryBytes > 0) {
        const docOffset = consumed - carryBytes;
        if (need === 0) {
          // The length prefix itself was cut: complete its four bytes first.
          const take = Math.min(4 - carryBytes, chunk.length);
          carry.push(chunk.subarray(0, take));
          carryBytes += take;
          pos = take;
          if (carryBytes < 4) {
            consumed += chunk.length;
            return;
          }
          const head = Buffer.concat(carry);
          carry = [head];
          need = lengthAt(head, 0, docOffset);
        }
        const take = Math.min(need - carryBytes, chunk.length - pos);
        carry.push(chunk.subarray(pos, pos + take));
        carryBytes += take;
        pos += take;
        if (carryBytes < need) {
          consumed += chunk.length;
          return;
        }
        const whole = Buffer.concat(carry, need);
        carry = [];
        carryBytes = 0;
        need = 0;
        emitWhole(whole, 0, whole.length, docOffset);
      }
      while (chunk.length - pos >= 4) {
        const length = lengthAt(chunk, pos, consumed + pos);
        if (chunk.length - pos < length) {
          need = length;
          break;
        }
        emitWhole(chunk, pos, length, consumed + pos);
        pos += length;
      }
      if (pos < chunk.length) {
        // The rest begins a document: keep a view of it (the chunk is not reused by its reader).
        carry.push(chunk.subarray(pos));
        carryBytes = chunk.length - pos;
      }
      consumed += chunk.length;
    },
    end(): void {
      if (carryBytes === 0) return;
      const at = consumed - carryBytes;
      const message =
        need === 0
          ? `the input ends with ${carryBytes} stray byte${carryBytes === 1 ? '' : 's'} after the last BSON document: the file is truncated or damaged`
          : `the input ends inside a BSON document: ${carryBytes} of its ${need} bytes are there (the file is truncated)`;
      carry = [];
      carryBytes = 0;
      throw new MalformedInputError(message, at);
    },
  };
}

/**
 * Whether `head` (the input's first bytes) begins like a mongodump file: a plausible document
 * length, a known element type (or the end of an empty document), and, when the whole first
 * document is there, its closing 0x00. No JSON text begins like that (see isBsonDocument).
 * undefined: more bytes are needed to tell.
 */
export function looksLikeBson(head: Buffer, atEnd: boolean): boolean | undefined {
  if (head.length < 5) return atEnd || (head.length === 4 && !plausibleLength(head.readInt32LE(0))) ? false : undefined;
  const length = head.readInt32LE(0);
  if (!plausibleLength(length)) return false;
  const type = head[4]!;
  if (type === 0 ? length !== 5 : !KNOWN_TYPES.has(type)) return false;
  return head.length >= length ? head[length - 1] === 0 : true;
}

function plausibleLength(length: number): boolean {
  return length >= MIN_BSON_DOCUMENT_BYTES && length <= MAX_BSON_DOCUMENT_BYTES;
}

const KNOWN_TYPES = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x7f, 0xff]);
