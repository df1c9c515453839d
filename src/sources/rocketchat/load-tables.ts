// Reads the --rooms and --users exports (mongoexport, line or --jsonArray form, or mongodump's
// .bson; gzip or not) into the lookup tables before the subscriptions are streamed. The thin I/O
// shell around lookup-tables.ts: errors name the file, with byte offset (and line) as for the main input.

import { ChatmigrateError } from '../../errors.js';
import type { Log } from '../../log.js';
import { openInputPath } from '../open-input.js';
import { createRecordReader } from '../record-reader.js';
import { MalformedInputError } from '../formats.js';
import { bsonErrorText, decodeBsonDocument, isBsonDocument } from '../bson-document.js';
import { excerptAround, locateJsonError } from '../json-error-position.js';
import { parseUserDocument } from './strip-services.js';
import { createRocketChatTables, type RocketChatTables } from './lookup-tables.js';

export interface TableFiles {
  rooms: string;
  users: string;
}

export async function loadRocketChatTables(files: TableFiles, log: Log): Promise<RocketChatTables> {
  const tables = createRocketChatTables();
  const started = Date.now();
  await loadExport(files.rooms, '--rooms', parseDocument, tables.addRoom, true);
  // A users document's `services` (password hashes, tokens) is cut out of its bytes unread.
  await loadExport(files.users, '--users', parseUserDocument, tables.addUser, false);
  tables.seal();
  log.info(
    { rooms: tables.roomStats, users: tables.userStats, tableBytes: tables.rooms.bytes + tables.users.bytes, ms: Date.now() - started },
    'Rocket.Chat rooms and users loaded',
  );
  for (const [what, stats] of [['rooms', tables.roomStats], ['users', tables.userStats]] as const) {
    if (stats.ignored + stats.duplicates > 0) log.warn({ file: what, ignored: stats.ignored, duplicates: stats.duplicates }, 'Rocket.Chat documents without a usable _id or with a repeated _id (the first is kept)');
  }
  return tables;
}

export function parseDocument(buf: Buffer, start: number, end: number): unknown {
  return isBsonDocument(buf, start, end) ? decodeBsonDocument(buf, start, end) : JSON.parse(buf.toString('utf8', start, end));
}

/**
 * Streams one mongoexport file (line or --jsonArray form, or a mongodump .bson; gzip or not) into `add`. `quote`: a
 * malformed document may be quoted near the error (never for users: secrets may be near it).
 */
export async function loadExport(path: string, flag: string, parse: (buf: Buffer, start: number, end: number) => unknown, add: (doc: unknown) => void, quote: boolean): Promise<void> {
  let input: Awaited<ReturnType<typeof openInputPath>> | undefined;
  const reader = createRecordReader('rocketchat', (buf, start, end, _key, offset, line) => {
    let doc: unknown;
    try {
      doc = parse(buf, start, end);
    } catch (err) {
      // A mongodump document: where it starts, and what the decoder says (never its bytes).
      if (isBsonDocument(buf, start, end)) throw new MalformedInputError(bsonErrorText(err), offset, line);
      // Rare path: decode the document only now, to say where it breaks.
      const text = buf.toString('utf8', start, end);
      const at = locateJsonError(text);
      // A users document may hold secrets near the error: quote nothing from it.
      const detail = quote && err instanceof Error ? err.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '') : 'not valid JSON';
      const near = quote ? ` near ${JSON.stringify(excerptAround(text, at))}` : '';
      throw new MalformedInputError(`${detail}${near}`, offset + Buffer.byteLength(text.slice(0, at)), line);
    }
    add(doc);
  });
  try {
    input = await openInputPath(path);
    for await (const chunk of input.chunks) reader.push(chunk);
    reader.end();
  } catch (err) {
    if (err instanceof MalformedInputError) {
      const where = `byte ${err.offset}${err.line > 0 ? `, line ${err.line}` : ''}`;
      throw new ChatmigrateError('CM_INPUT_MALFORMED', `${flag} ${path}: malformed input at ${where}: ${err.message}`, {
        hint: `${flag} expects a mongoexport of the collection (one document per line, or --jsonArray), or its mongodump .bson file`,
      });
    }
    // Unreadable file or damaged gzip: say which of the three inputs it was.
    if (err instanceof ChatmigrateError) throw new ChatmigrateError(err.code, `${flag}: ${err.message}`, { ...(err.hint === undefined ? {} : { hint: err.hint }), cause: err });
    throw err;
  } finally {
    input?.close();
  }
}
