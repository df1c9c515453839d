// Turns a sequence of byte chunks into records: strips a UTF-8 BOM, detects or applies the
// format, and drives the matching splitter. Everything here is synchronous and pure over bytes.
// A mongodump .bson file is told from JSON first, on the raw bytes (its first length prefix may
// look like a BOM), both when detecting and for `rocketchat`, which reads either export form.

import { createBsonSplitter, looksLikeBson } from './bson-splitter.js';
import { cometchatForm, detectFormat } from './detect-format.js';
import { KIND_NAMES, type KindName } from '../entities/kinds.js';
import { createJsonDocumentSplitter } from './json-document-splitter.js';
import { createNdjsonSplitter } from './ndjson-splitter.js';
import { MalformedInputError, type FormatChoice, type RecordSink, type RecordSplitter, type SourceFormat } from './formats.js';

export interface RecordReader {
  push(chunk: Buffer): void;
  end(): void;
  /** The format in use, once known. */
  readonly format: SourceFormat | undefined;
  /** One record per line (NDJSON, a mongoexport without --jsonArray) or per BSON document: a bad one can be skipped. */
  readonly lineDelimited: boolean;
  readonly bytesSeen: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Give up detecting after this much input without a decision. */
const MAX_DETECTION_BYTES = 1024 * 1024;

export class FormatError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'FormatError';
    this.offset = offset;
  }
}

/** `kind`: what the records are (a CometChat body's wrapper key is the kind's name). */
export function createRecordReader(choice: FormatChoice, emit: RecordSink, kind: KindName = 'members'): RecordReader {
  const otherWrappers = KIND_NAMES.filter((k) => k !== kind);
  let splitter: RecordSplitter | undefined;
  let format: SourceFormat | undefined;
  let head: Buffer[] = [];
  let headBytes = 0;
  /** headBytes when the format was last tried for (-1: not yet). */
  let triedBytes = -1;
  let startOffset = 0;
  let bomChecked = false;
  let bsonChecked = false;
  let lineMode = false;

  function createSplitter(f: SourceFormat, firstByte: number | undefined): RecordSplitter {
    switch (f) {
      case 'ndjson':
        return createNdjsonSplitter(emit, startOffset);
      case 'array':
      case 'map':
      case 'cometchat':
        return createJsonDocumentSplitter(f, emit, startOffset, kind, otherWrappers);
      case 'bson':
        return createBsonSplitter(emit, startOffset);
      case 'rocketchat':
        // mongoexport writes one document per line, or a top-level array with --jsonArray.
        return firstByte === 0x5b ? createJsonDocumentSplitter('array', emit, startOffset) : createNdjsonSplitter(emit, startOffset);
    }
  }

  function tryStart(atEnd: boolean): void {
    const buf = head.length === 1 ? head[0]! : Buffer.concat(head);
    if (!bsonChecked && (choice === 'auto' || choice === 'rocketchat' || choice === 'bson')) {
      const bson = choice === 'bson' || looksLikeBson(buf, atEnd || headBytes >= MAX_DETECTION_BYTES);
      if (bson === undefined) return;
      bsonChecked = true;
      if (bson) {
        // Each document is framed by its own length, so a corrupt one can be skipped like a bad line.
        format = choice === 'rocketchat' ? 'rocketchat' : 'bson';
        splitter = createBsonSplitter(emit, 0);
        lineMode = true;
        head = [];
        headBytes = 0;
        if (buf.length > 0) splitter.push(buf);
        return;
      }
    }
    let body = buf;
    if (!bomChecked) {
      if (buf.length < BOM.length && !atEnd && BOM.subarray(0, buf.length).equals(buf)) return;
      bomChecked = true;
      if (buf.subarray(0, 3).equals(BOM)) {
        startOffset = 3;
        body = buf.subarray(3);
      }
    } else {
      body = buf.subarray(startOffset);
    }
    if (choice === 'auto') {
      const d = detectFormat(body, atEnd || headBytes >= MAX_DETECTION_BYTES);
      if ('needMore' in d) return;
      if ('empty' in d) {
        format = 'ndjson';
      } else if ('error' in d) {
        throw new FormatError(d.error, startOffset + d.offset);
      } else {
        format = d.format;
      }
    } else if (choice === 'cometchat') {
      // `cometchat` is CometChat's import body or the bare map (SPEC §2): the keys tell which, so
      // a bare map is never read as a body without its wrapper.
      const form = cometchatForm(body, atEnd || headBytes >= MAX_DETECTION_BYTES, kind);
      if (form === undefined) return;
      format = form;
    } else {
      format = choice;
    }
    let lead = 0;
    if (format === 'rocketchat') {
      // Which splitter depends on the first byte that is not whitespace.
      while (lead < body.length && (body[lead] === 0x20 || body[lead] === 0x0a || body[lead] === 0x0d || body[lead] === 0x09)) lead++;
      if (lead === body.length && !atEnd && headBytes < MAX_DETECTION_BYTES) return;
    }
    splitter = createSplitter(format, body[lead]);
    lineMode = format === 'ndjson' || (format === 'rocketchat' && body[lead] !== 0x5b);
    head = [];
    headBytes = 0;
    if (body.length > 0) splitter.push(body);
  }

  return {
    get format() {
      return format;
    },
    get lineDelimited() {
      return splitter !== undefined && lineMode;
    },
    get bytesSeen() {
      return splitter ? splitter.bytesSeen : headBytes;
    },
    push(chunk: Buffer): void {
      if (splitter) {
        splitter.push(chunk);
        return;
      }
      head.push(chunk);
      headBytes += chunk.length;
      // Tried again only once the head has doubled (or reached the detection limit): trying at
      // every chunk copies and scans the head over and over (small chunks of a 1 MB head took
      // seconds). A longer head gives the same decision, only later.
      if (headBytes > 2 * triedBytes || headBytes >= MAX_DETECTION_BYTES) {
        triedBytes = headBytes;
        tryStart(false);
      }
    },
    end(): void {
      if (!splitter) tryStart(true);
      splitter!.end();
    },
  };
}

export { MalformedInputError };
