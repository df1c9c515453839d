// Finds the collections of a Rocket.Chat database in a mongodump folder (`--dump-dir`): one file
// per collection, `NAME.bson`, or `NAME.bson.gz` from `mongodump --gzip`. Users, rooms and
// subscriptions are required; messages and the uploads (GridFS) are optional, and their absence is
// said by the caller (no messages phase, no files).

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ChatmigrateError } from '../errors.js';

/** Collection names as Rocket.Chat keeps them (GridFS bucket `rocketchat_uploads` for the file bytes). */
export const DUMP_COLLECTIONS = {
  users: 'users',
  rooms: 'rocketchat_room',
  subscriptions: 'rocketchat_subscription',
  messages: 'rocketchat_message',
  uploads: 'rocketchat_uploads',
  chunks: 'rocketchat_uploads.chunks',
} as const;

type Required = 'users' | 'rooms' | 'subscriptions';
type Optional = 'messages' | 'uploads' | 'chunks';

/** Paths of the collection files found: required ones always, optional ones when present. */
export type DumpFiles = Record<Required, string> & Partial<Record<Optional, string>> & { dir: string };

export async function locateDumpDir(dir: string): Promise<DumpFiles> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ChatmigrateError('CM_INPUT_UNREADABLE', `--dump-dir ${dir} cannot be read: ${code}`, {
      hint: code === 'ENOTDIR' ? 'give the folder mongodump wrote for the database (e.g. /backup/rocketchat), not a file; an --archive file must be restored and dumped again without --archive' : 'give the folder mongodump wrote for the database (mongodump --out=/backup writes /backup/DATABASE)',
    });
  }
  const present = new Set(names);
  const found: Partial<Record<keyof typeof DUMP_COLLECTIONS, string>> = {};
  for (const [key, collection] of Object.entries(DUMP_COLLECTIONS) as Array<[keyof typeof DUMP_COLLECTIONS, string]>) {
    const plain = `${collection}.bson`;
    const gzip = `${plain}.gz`;
    if (present.has(plain) && present.has(gzip)) {
      throw new ChatmigrateError('CM_INPUT_UNREADABLE', `--dump-dir ${dir} holds both ${plain} and ${gzip}: which one is the dump?`, { hint: 'remove the older of the two (they come from two mongodump runs)' });
    }
    if (present.has(plain)) found[key] = join(dir, plain);
    else if (present.has(gzip)) found[key] = join(dir, gzip);
  }
  const missing = (['users', 'rooms', 'subscriptions'] as const).filter((k) => found[k] === undefined);
  if (missing.length > 0) {
    const nested = await databaseFolders(dir, names);
    const list = missing.map((k) => `${DUMP_COLLECTIONS[k]}.bson`).join(', ');
    throw new ChatmigrateError('CM_INPUT_UNREADABLE', `--dump-dir ${dir} has no ${list} (nor .bson.gz): users, rocketchat_room and rocketchat_subscription are required`, {
      hint: nested.length > 0 ? `mongodump writes one folder per database: did you mean --dump-dir ${join(dir, nested[0]!)}?` : 'give the folder mongodump wrote for the Rocket.Chat database (mongodump --db=rocketchat --out=/backup writes /backup/rocketchat)',
    });
  }
  return { dir, ...(found as Record<Required, string> & Partial<Record<Optional, string>>) };
}

/** Sub-folders of `dir` that hold a users collection: the database folders of a whole-server dump. */
async function databaseFolders(dir: string, names: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names.sort()) {
    const inner = await fs.readdir(join(dir, name)).catch(() => [] as string[]);
    if (inner.includes('users.bson') || inner.includes('users.bson.gz')) out.push(name);
  }
  return out;
}

/**
 * `--uploads-dir` must be a folder that can be read: a mistyped path would otherwise make every
 * FileSystem-store upload "missing", and their messages would be sent without their files (a
 * message once imported is not sent again).
 */
export async function checkUploadsDir(dir: string): Promise<void> {
  const why = await fs.readdir(dir).then(
    () => undefined,
    (err: NodeJS.ErrnoException) => err.code ?? String(err),
  );
  if (why === undefined) return;
  throw new ChatmigrateError('CM_INPUT_UNREADABLE', `--uploads-dir ${dir} cannot be read: ${why}`, {
    hint: why === 'ENOTDIR' ? "give the folder of Rocket.Chat's FileSystem store (FileUpload_FileSystemPath), not a file" : "give the folder of Rocket.Chat's FileSystem store (FileUpload_FileSystemPath), as this machine sees it",
  });
}
