// Writes a generated Rocket.Chat workspace as mongoexport files (library + CLI): users,
// rocketchat_room, rocketchat_subscription and rocketchat_message, one document per line or as a
// --jsonArray, gzip or not, dates in mongoexport's relaxed or canonical form, with what each phase
// of `migrate` must report (rocketchat-workspace.ts, rocketchat-messages.ts).
//
//   node dist/bench/generate-rocketchat.js --dir DIR [--seed 1] [--users 40] [--messages 2000]
//     [--file-url] [--retention-days 180] [--now SECONDS] [--array rooms,users] [--gzip messages]
//     [--dates relaxed|canonical|mixed] [--no-collisions]      (prints the expectations as JSON)
//
// Messages average about 230 bytes: --messages 4700000 writes about 1 GB.

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { toCometChatId } from '../src/sources/rocketchat/cometchat-id.js';
import { planMessages } from './rocketchat-messages.js';
import { createWorkspace, MongoDate, type PhaseExpectation, type WorkspaceShape } from './rocketchat-workspace.js';
import { isMainModule } from './lib/main-module.js';

export const COLLECTIONS = ['users', 'rooms', 'subscriptions', 'messages'] as const;
export type Collection = (typeof COLLECTIONS)[number];
const FILE_NAMES: Record<Collection, string> = { users: 'users.json', rooms: 'rocketchat_room.json', subscriptions: 'rocketchat_subscription.json', messages: 'rocketchat_message.json' };
const CHUNK_CHARS = 1 << 20;

export interface GenerateWorkspaceOptions extends Partial<WorkspaceShape> {
  dir: string;
  messages?: number;
  fileUrl?: boolean;
  retentionDays?: number;
  /** Keep the delivered keys of every phase (small workspaces). Default true. */
  collect?: boolean;
  /** Collections written as one --jsonArray (default: rooms). */
  arrays?: readonly Collection[];
  /** Collections gzip-compressed (file name + .gz). */
  gzip?: readonly Collection[];
  /** mongoexport date form: relaxed {"$date": ISO}, canonical {"$date": {"$numberLong"}}, or mixed (alternating). */
  dates?: 'relaxed' | 'canonical' | 'mixed';
  /** Writes each collection instead of the mongoexport writer (generate-mongodump.ts writes BSON). */
  writeCollection?: (collection: Collection, docs: Iterable<Record<string, unknown>>) => Promise<{ path: string; bytes: number }>;
}

export interface WorkspaceExpectation {
  users: PhaseExpectation;
  groups: PhaseExpectation;
  members: PhaseExpectation;
  messages: PhaseExpectation;
  placeholders: { users: number; messages: number };
}

export interface GeneratedWorkspace {
  files: Record<Collection, string>;
  expected: WorkspaceExpectation;
  /** What each phase delivers: uids, guids, memberIds, and muid → "sender|receiverType|receiver|type". */
  keys: { users: Set<string>; groups: Set<string>; members: Set<string>; messages: Map<string, string> | undefined };
  bytes: Record<Collection, number>;
}

export const WORKSPACE_DEFAULTS = { seed: 1, users: 40, publicRooms: 6, privateRooms: 4, directRooms: 6, groupDirectRooms: 2, deletedUsers: 3, collisions: true, messages: 2000, retentionDays: 180 } as const;

export async function generateRocketChatWorkspace(o: GenerateWorkspaceOptions): Promise<GeneratedWorkspace> {
  const shape: WorkspaceShape = {
    seed: o.seed ?? WORKSPACE_DEFAULTS.seed,
    users: o.users ?? WORKSPACE_DEFAULTS.users,
    publicRooms: o.publicRooms ?? WORKSPACE_DEFAULTS.publicRooms,
    privateRooms: o.privateRooms ?? WORKSPACE_DEFAULTS.privateRooms,
    directRooms: o.directRooms ?? WORKSPACE_DEFAULTS.directRooms,
    groupDirectRooms: o.groupDirectRooms ?? WORKSPACE_DEFAULTS.groupDirectRooms,
    deletedUsers: o.deletedUsers ?? WORKSPACE_DEFAULTS.deletedUsers,
    collisions: o.collisions ?? WORKSPACE_DEFAULTS.collisions,
    now: o.now ?? Math.floor(Date.now() / 1000),
  };
  const ws = createWorkspace(shape);
  const plan = planMessages(ws, { messages: o.messages ?? WORKSPACE_DEFAULTS.messages, fileUrl: o.fileUrl ?? false, retentionDays: o.retentionDays ?? WORKSPACE_DEFAULTS.retentionDays, collect: o.collect ?? true });
  const arrays = new Set(o.arrays ?? ['rooms']);
  const gzip = new Set(o.gzip ?? []);
  const dates = o.dates ?? 'mixed';
  const files = {} as Record<Collection, string>;
  const bytes = {} as Record<Collection, number>;
  const sources: Record<Collection, Iterable<Record<string, unknown>>> = { users: ws.users.map((u) => u.doc), rooms: ws.rooms.map((r) => r.doc), subscriptions: ws.subscriptions, messages: plan.messages };
  await mkdir(o.dir, { recursive: true });
  for (const c of COLLECTIONS) {
    if (o.writeCollection) {
      ({ path: files[c], bytes: bytes[c] } = await o.writeCollection(c, sources[c]));
      continue;
    }
    files[c] = join(o.dir, FILE_NAMES[c] + (gzip.has(c) ? '.gz' : ''));
    bytes[c] = await writeExport(files[c], sources[c], arrays.has(c), gzip.has(c), dates);
  }

  const users = structuredClone(ws.expected.usersFromExport);
  const userKeys = new Set(ws.keys.users);
  for (const id of plan.expected.placeholders) {
    users.read++;
    users.valid++;
    userKeys.add(toCometChatId(id));
  }
  return {
    files,
    expected: { users, groups: ws.expected.groups, members: ws.expected.members, messages: plan.expected.phase, placeholders: { users: plan.expected.placeholders.size, messages: plan.expected.placeholderMessages } },
    keys: { users: userKeys, groups: ws.keys.groups, members: ws.keys.members, messages: plan.expected.delivered },
    bytes,
  };
}

/** One export file; returns the bytes of JSON text written (before compression). */
async function writeExport(path: string, docs: Iterable<Record<string, unknown>>, array: boolean, gzip: boolean, dates: 'relaxed' | 'canonical' | 'mixed'): Promise<number> {
  const file = createWriteStream(path, { mode: 0o600 });
  const out = gzip ? createGzip() : file;
  if (gzip) out.pipe(file);
  let chunk = array ? '[' : '';
  let total = 0;
  let n = 0;
  const flush = async (): Promise<void> => {
    total += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  for (const doc of docs) {
    const canonical = dates === 'canonical' || (dates === 'mixed' && n % 2 === 1);
    const text = JSON.stringify(doc, (_key, value: unknown) => (value instanceof MongoDate ? dateForm(value.seconds, canonical) : value));
    chunk += array ? (n === 0 ? '\n' : ',\n') + text : text + '\n';
    n++;
    if (chunk.length >= CHUNK_CHARS) await flush();
  }
  chunk += array ? '\n]\n' : '';
  await flush();
  out.end();
  await finished(file);
  return total;
}

function dateForm(seconds: number, canonical: boolean): unknown {
  const ms = seconds * 1000;
  return canonical ? { $date: { $numberLong: String(ms) } } : { $date: new Date(ms).toISOString() };
}

export async function runGenerateRocketChatCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' }, messages: { type: 'string' },
      'file-url': { type: 'boolean' }, 'retention-days': { type: 'string' }, now: { type: 'string' },
      array: { type: 'string' }, gzip: { type: 'string' }, dates: { type: 'string' }, 'no-collisions': { type: 'boolean' },
    },
  });
  if (values.dir === undefined) {
    process.stderr.write('generate-rocketchat: --dir DIR is required (the folder the four exports are written to)\n');
    return 2;
  }
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const list = (v: string | undefined): Collection[] | undefined => (v === undefined ? undefined : (v.split(',').filter((c) => (COLLECTIONS as readonly string[]).includes(c)) as Collection[]));
  const dates = values.dates as GenerateWorkspaceOptions['dates'];
  const result = await generateRocketChatWorkspace({
    dir: values.dir, seed: num(values.seed), users: num(values.users), messages: num(values.messages), fileUrl: values['file-url'] ?? false,
    retentionDays: num(values['retention-days']), now: num(values.now), arrays: list(values.array), gzip: list(values.gzip), dates, collisions: !values['no-collisions'], collect: false,
  });
  process.stdout.write(JSON.stringify({ files: result.files, bytes: result.bytes, expected: result.expected }, null, 2) + '\n');
  return 0;
}

if (isMainModule(import.meta.url)) {
  void runGenerateRocketChatCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
