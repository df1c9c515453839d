// Loads a Rocket.Chat workspace for `migrate` before its first phase: the users export, then the
// rooms export into the tables, then (when there are messages) the pre-pass over the messages
// export that makes a placeholder user for every missing user a message needs. The thin I/O shell
// around lookup-tables.ts and placeholder-scan.ts; errors name the flag and file.

import type { Log } from '../../log.js';
import { loadExport, parseDocument } from './load-tables.js';
import { createRocketChatTables, type RocketChatTables } from './lookup-tables.js';
import { createPlaceholderScan, type PlaceholderCounts, type PlaceholderScanOptions } from './placeholder-scan.js';
import { parseUserDocument } from './strip-services.js';
import { isBsonDocument } from '../bson-document.js';

export interface WorkspaceFiles {
  users: string;
  rooms: string;
  /** The messages export, for the placeholder pre-pass; absent: no messages phase, no placeholders. */
  messages?: string | undefined;
  /**
   * `--on-malformed skip`: a messages line that is not JSON is stepped over by the pre-pass (the
   * messages phase rejects it as MALFORMED_JSON) instead of stopping the migration before it starts.
   */
  skipMalformedMessages?: boolean | undefined;
}

export interface LoadedWorkspace {
  tables: RocketChatTables;
  placeholders: PlaceholderCounts;
}

export async function loadRocketChatWorkspace(files: WorkspaceFiles, options: PlaceholderScanOptions, log: Log): Promise<LoadedWorkspace> {
  const tables = createRocketChatTables();
  const started = Date.now();
  // Users first: placeholders and direct rooms given by username are resolved against them.
  await loadExport(files.users, '--users', parseUserDocument, tables.addUser, false);
  await loadExport(files.rooms, '--rooms', parseDocument, tables.addRoom, true);
  const scan = createPlaceholderScan(tables, options);
  if (files.messages !== undefined) {
    const parse = files.skipMalformedMessages ? parseOrSkip : parseDocument;
    await loadExport(files.messages, '--messages', parse, (doc) => {
      if (doc !== MALFORMED) scan.add(doc);
    }, true);
  }
  tables.seal();
  log.info(
    { rooms: tables.roomStats, users: tables.userStats, placeholders: scan.counts, tableBytes: tables.rooms.bytes + tables.users.bytes, ms: Date.now() - started },
    'Rocket.Chat workspace loaded',
  );
  for (const [what, stats] of [['rooms', tables.roomStats], ['users', tables.userStats]] as const) {
    if (stats.ignored + stats.duplicates > 0) log.warn({ file: what, ignored: stats.ignored, duplicates: stats.duplicates }, 'Rocket.Chat documents without a usable _id or with a repeated _id (the first is kept)');
    if (stats.collisions > 0) log.warn({ file: what, collisions: stats.collisions }, 'Rocket.Chat ids that map to a CometChat id an earlier one has: reported as ID_COLLISION in each phase');
  }
  return { tables, placeholders: scan.counts };
}

const MALFORMED = Symbol('malformed');

/** A mongoexport line that is not JSON is MALFORMED; a damaged mongodump document still stops (as in the phase). */
function parseOrSkip(buf: Buffer, start: number, end: number): unknown {
  try {
    return parseDocument(buf, start, end);
  } catch (err) {
    if (isBsonDocument(buf, start, end)) throw err;
    return MALFORMED;
  }
}
