// Splits NDJSON (JSON Lines) bytes into one record text per non-blank line, with byte offsets
// and line numbers. Works on bytes (`indexOf(10)`) and leaves decoding to whoever parses the
// line: measured faster than readline or stream-json's JSONL parser (see bench/RESULTS.md).

import { MAX_RECORD_BYTES, MalformedInputError, type RecordSink, type RecordSplitter } from './formats.js';

export function createNdjsonSplitter(emit: RecordSink, startOffset = 0): RecordSplitter {
  // Bytes of a line that began in an earlier chunk; joined once the line ends (linear, not quadratic).
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let consumed = startOffset; // absolute offset of the first byte of the current chunk
  let line = 0; // lines completed so far

  function emitLine(buf: Buffer, start: number, end: number, offset: number): void {
    line++;
    // Trim CR of CRLF and surrounding blanks; blank lines are not records.
    while (end > start && isBlank(buf[end - 1]!)) end--;
    let s = start;
    while (s < end && isBlank(buf[s]!)) s++;
    if (s === end) return;
    emit(buf, s, end, undefined, offset + (s - start), line);
  }

  return {
    get bytesSeen() {
      return consumed;
    },
    push(chunk: Buffer): void {
      let pos = 0;
      let nl = chunk.indexOf(10, 0);
      if (carryBytes > 0 && nl !== -1) {
        const whole = Buffer.concat([...carry, chunk.subarray(0, nl)]);
        emitLine(whole, 0, whole.length, consumed - carryBytes);
        carry = [];
        carryBytes = 0;
        pos = nl + 1;
        nl = chunk.indexOf(10, pos);
      }
      while (nl !== -1) {
        emitLine(chunk, pos, nl, consumed + pos);
        pos = nl + 1;
        nl = chunk.indexOf(10, pos);
      }
      if (pos < chunk.length) {
        carry.push(chunk.subarray(pos));
        carryBytes += chunk.length - pos;
        if (carryBytes > MAX_RECORD_BYTES) {
          throw new MalformedInputError(
            `line ${line + 1} is longer than ${MAX_RECORD_BYTES} bytes: is this really NDJSON? (try --from)`,
            consumed + chunk.length - carryBytes,
            line + 1,
          );
        }
      }
      consumed += chunk.length;
    },
    end(): void {
      if (carryBytes > 0) {
        const whole = Buffer.concat(carry);
        carry = [];
        carryBytes = 0;
        emitLine(whole, 0, whole.length, consumed - whole.length);
      }
    },
  };
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}
