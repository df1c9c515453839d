// The input formats chatmigrate reads (SPEC §2) and the shape of one raw record handed onwards.

export const SOURCE_FORMATS = ['cometchat', 'map', 'array', 'ndjson', 'rocketchat', 'bson'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
/**
 * What --from accepts: `map` is the bare `{"<memberId>": {...}}` form of `cometchat`; `bson` a
 * mongodump collection file (`NAME.bson`), one record per document.
 */
export type FormatChoice = 'auto' | SourceFormat;

/**
 * Called once per record found in the byte stream, in input order, with the record's bytes as
 * `buf[start..end)` (valid only during the call: copy what you keep; nothing is decoded here, so
 * decoding can happen in a worker). `key` is its map key for the map formats; `offset` the byte
 * offset of its first byte in the (decompressed) input; `line` its 1-based line for NDJSON, 0
 * when unknown. A BSON record's bytes are the whole document, length prefix included.
 */
export type RecordSink = (buf: Buffer, start: number, end: number, key: string | undefined, offset: number, line: number) => void;

/** A push parser: feed chunks in order, then end(); throws MalformedInputError on bad syntax. */
export interface RecordSplitter {
  push(chunk: Buffer): void;
  end(): void;
  /** Bytes consumed so far (for progress and checkpoints). */
  readonly bytesSeen: number;
}

/** Malformed input, with where it happened. Turned into CM_INPUT_MALFORMED by the pipeline. */
export class MalformedInputError extends Error {
  readonly offset: number;
  readonly line: number;
  constructor(message: string, offset: number, line = 0) {
    super(message);
    this.name = 'MalformedInputError';
    this.offset = offset;
    this.line = line;
  }
}

/**
 * The document does not open the way its format does (`{` where --from array wants `[`): the
 * input is of another form, most likely a --from that does not fit, not a broken record.
 */
export class WrongShapeError extends MalformedInputError {
  constructor(message: string, offset: number) {
    super(message, offset);
    this.name = 'WrongShapeError';
  }
}

/** A single record larger than this is treated as malformed: likely a wrong --from, and it would exhaust memory. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
