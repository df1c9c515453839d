// Generated hostile exports for the property test of hostile input: seed records of every kind
// (and Rocket.Chat's subscriptions, rooms and users), mutated at the record level (hostile
// values, prototype keys, deleted fields, non-objects), written in one of the formats chatmigrate
// reads (NDJSON, array, CometChat body, bare map, mongodump BSON, mongoexport), then damaged at
// the byte level (flips, insertions, deletions, truncation), gzip-compressed before or after.

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { HOSTILE_KEYS, Raw, hostileValue, ownKeys } from './fuzz-values.js';
import { damageBytes, encode, type ByteMutation, type Doc, type FuzzFormat } from './fuzz-encode.js';

export type { ByteMutation, FuzzFormat };

export const FUZZ_KINDS = ['users', 'groups', 'members', 'messages'] as const;
export type FuzzKind = (typeof FUZZ_KINDS)[number];

/** "Now" of every run (2026-01-01): timestamps in the seeds are judged against it. */
export const FUZZ_NOW = 1_767_225_600;
const SENT = FUZZ_NOW - 10 * 86_400;

type Json = null | boolean | number | string | Raw | Json[] | { [k: string]: Json };

/** Valid records of each kind, with nested objects (details, metadata, data) to mutate inside. */
const SEEDS: Record<FuzzKind, Array<Record<string, Json>>> = {
  users: [
    { uid: 'alice', name: 'Alice', avatar: 'https://example.com/a.png', createdAt: 1_600_000_000, tags: ['vip'], metadata: { team: 'red', n: 1 } },
    { uid: 'Bob_2', name: 'Bob "B"', role: 'default', metadata: { nested: { deeper: [1, 2, { x: 'y' }] } } },
    { uid: 'carol', name: 'Carol', lastActiveAt: '2024-03-01T10:00:00Z', deactivatedAt: { $date: 1_700_000_000_000 } },
  ],
  groups: [
    { guid: 'team-a', name: 'Team A', type: 'public', owner: 'alice', createdAt: 1_600_000_000, metadata: { topic: 't' }, tags: ['x'] },
    { guid: 'vault', name: 'Vault', type: 'password', password: 'pw', owner: 'bob', groupOwnerDetails: { name: 'Bob', metadata: { k: 'v' } } },
    { guid: 'Priv_1', name: 'Private', type: 'private', createdAt: '2023-01-15T08:30:00.000Z' },
  ],
  members: (() => {
    const lines = readFileSync('fixtures/members.ndjson', 'utf8').split('\n').filter((l) => l !== '');
    const seeds = lines.slice(0, 6).map((l) => JSON.parse(l) as Record<string, Json>);
    seeds.push({ uid: 'dave', guid: 'team-a', scope: 'participant', joinedAt: 1_650_000_000, groupDetails: { guid: 'team-a', name: 'Team A', type: 'public', metadata: { m: 1 } }, userDetails: { uid: 'dave', name: 'Dave', metadata: { role: 'x' } } });
    return seeds;
  })(),
  messages: [
    { muid: 'Msg-1', sender: 'alice', receiverType: 'user', receiver: 'bob', sentAt: SENT, data: { text: 'hello', metadata: { thread: 'Msg-0' } }, senderUserDetails: { name: 'Alice' }, receiverUserDetails: { name: 'Bob' } },
    { muid: 'Msg-2', sender: 'bob', receiverType: 'group', receiver: 'team-a', sentAt: SENT + 60, data: { text: 'hi all' }, receiverGroupDetails: { name: 'Team A', type: 'public' } },
    { muid: 'Msg-3', sender: 'alice', receiverType: 'user', receiver: 'bob', sentAt: SENT + 120, type: 'image', data: { attachments: [{ name: 'p.png', mimeType: 'image/png', extension: 'png', url: 'https://files.example/p.png', size: '10' }], metadata: { a: [1] } } },
    { muid: 'Msg-4', sender: 'bob', receiverType: 'user', receiver: 'alice', sentAt: SENT + 30, category: 'custom', type: 'poll', data: { customData: { q: 'why?', options: ['a', 'b'] } } },
  ],
};

const RC = 'fixtures/rocketchat';
const lines = (path: string): Array<Record<string, Json>> =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, Json>);
const RC_SEEDS = {
  subscriptions: lines(`${RC}/subscriptions.ndjson`),
  rooms: JSON.parse(readFileSync(`${RC}/rooms.json`, 'utf8')) as Array<Record<string, Json>>,
  users: lines(`${RC}/users.ndjson`),
};

/** A change to one record: `at` picks the record, `path` a place inside it (both taken modulo). */
export interface RecordMutation {
  op: 'set' | 'add-key' | 'delete' | 'replace-record' | 'map-key';
  at: number;
  path: number;
  key: string;
  value: Raw;
}

export interface FuzzCase {
  source: 'cometchat' | 'rocketchat';
  kind: FuzzKind;
  format: FuzzFormat;
  /** Which seed records, in order (repeats make duplicates). */
  picks: number[];
  records: RecordMutation[];
  bytes: ByteMutation[];
  /** Rocket.Chat: which file the mutations hit. */
  target: 'input' | 'rooms' | 'users';
  gzip: 'no' | 'before-damage' | 'after-damage';
  bom: boolean;
  /** --from: auto-detect, the format written, or one that does not fit. */
  from: 'auto' | 'exact' | 'other';
  /** Pass --kind (else the wrapper names it, or members). */
  giveKind: boolean;
  onMalformed: 'stop' | 'skip';
  workers: number;
  command: 'validate' | 'import';
  /** Bytes per stdin chunk. */
  chunk: number;
}

const recordMutation: fc.Arbitrary<RecordMutation> = fc.record({
  op: fc.constantFrom('set', 'set', 'set', 'add-key', 'add-key', 'delete', 'replace-record', 'map-key'),
  at: fc.nat(),
  path: fc.nat(),
  key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS, 'metadata', 'data', 'uid', 'guid', 'muid', 'memberId', '', '$date'), fc.string({ maxLength: 8 })),
  value: hostileValue,
});

/** Bytes that break JSON (quotes, brackets, escapes, newlines) or UTF-8, or are random. */
const damage: fc.Arbitrary<number[]> = fc.oneof(
  fc.constantFrom<number[]>([0xff], [0x00], [0x22], [0x5c], [0x0a], [0x7b], [0x7d], [0x5b], [0x2c], [0x3a], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f]),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }),
);

const byteMutation: fc.Arbitrary<ByteMutation> = fc.record({
  op: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  bytes: damage,
  length: fc.integer({ min: 1, max: 16 }),
});

/** A case: half undamaged bytes (so records reach validation), the rest broken a few ways. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    source: fc.constantFrom('cometchat', 'cometchat', 'cometchat', 'rocketchat'),
    kind: fc.constantFrom(...FUZZ_KINDS),
    format: fc.constantFrom<FuzzFormat>('ndjson', 'array', 'cometchat', 'map', 'bson'),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    records: fc.array(recordMutation, { maxLength: 4 }),
    bytes: fc.oneof(fc.constant<ByteMutation[]>([]), fc.array(byteMutation, { minLength: 1, maxLength: 3 })),
    target: fc.constantFrom<FuzzCase['target']>('input', 'input', 'rooms', 'users'),
    gzip: fc.constantFrom<FuzzCase['gzip']>('no', 'no', 'no', 'before-damage', 'after-damage'),
    bom: fc.boolean(),
    from: fc.constantFrom<FuzzCase['from']>('auto', 'auto', 'exact', 'other'),
    giveKind: fc.boolean(),
    onMalformed: fc.constantFrom<FuzzCase['onMalformed']>('stop', 'skip'),
    workers: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    command: fc.constantFrom<FuzzCase['command']>('validate', 'validate', 'validate', 'validate', 'validate', 'validate', 'validate', 'import'),
    chunk: fc.constantFrom(1, 7, 4096, 65536),
  })
  .map((c) => ({ ...c, kind: c.source === 'rocketchat' ? 'members' : c.kind }));

/** The key a record goes under in a map: its id field, or the member id built from guid and uid. */
function mapKey(kind: FuzzKind, r: unknown, i: number): string {
  if (typeof r !== 'object' || r === null || Array.isArray(r) || r instanceof Raw) return `k${i}`;
  const o = r as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : `x${i}`);
  switch (kind) {
    case 'users':
      return s(o['uid']);
    case 'groups':
      return s(o['guid']);
    case 'messages':
      return s(o['muid']);
    case 'members':
      return typeof o['memberId'] === 'string' ? o['memberId'] : `${s(o['guid'])}_member_${s(o['uid'])}`.toLowerCase();
  }
}

/** Every object inside `v` (itself included): the places a mutation can reach. */
function objectsIn(v: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (v instanceof Raw || typeof v !== 'object' || v === null) return out;
  if (!Array.isArray(v)) out.push(v as Record<string, unknown>);
  for (const child of Object.values(v as object)) objectsIn(child, out);
  return out;
}

function clone(v: Json): Json {
  if (v instanceof Raw || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(clone);
  // Null prototype: a mutation may give it a key named __proto__ as an own key.
  return ownKeys(Object.entries(v).map(([k, x]) => [k, clone(x)])) as { [k: string]: Json };
}

function mutate(docs: Doc[], mutations: RecordMutation[]): void {
  for (const m of mutations) {
    if (docs.length === 0) return;
    const doc = docs[m.at % docs.length]!;
    if (m.op === 'replace-record') {
      doc.value = m.value;
      continue;
    }
    if (m.op === 'map-key') {
      doc.key = m.key === '' || m.path % 2 === 0 ? HOSTILE_KEYS[m.path % HOSTILE_KEYS.length]! : m.key;
      // The key written with every character escaped ("\u005f\u005fproto..."), or with a byte that is not UTF-8.
      doc.keyForm = m.path % 3 === 0 ? 'escaped' : m.path % 7 === 1 ? 'bad-utf8' : undefined;
      continue;
    }
    const places = objectsIn(doc.value);
    if (places.length === 0) continue;
    const place = places[m.path % places.length]!;
    const keys = Object.keys(place);
    if (m.op === 'add-key' || keys.length === 0) {
      place[m.key] = m.value;
    } else if (m.op === 'delete') {
      delete place[keys[m.path % keys.length]!];
    } else {
      place[keys[m.path % keys.length]!] = m.value;
    }
  }
}

/** The files of a case: the input's bytes, and for Rocket.Chat the rooms and users exports. */
export interface BuiltCase {
  input: Buffer;
  rooms?: Buffer;
  users?: Buffer;
  /** The format written (what --from exact names). */
  written: FuzzFormat | 'rocketchat';
  /** Records in the input as written, before any byte damage. */
  records: number;
}

function finish(bytes: Buffer, c: FuzzCase, damaged: boolean): Buffer {
  let b = c.bom && !damaged ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes;
  if (c.gzip === 'before-damage') b = gzipSync(b);
  if (damaged) b = damageBytes(b, c.bytes);
  if (c.gzip === 'after-damage') b = gzipSync(b);
  return b;
}

export function buildCase(c: FuzzCase): BuiltCase {
  if (c.source === 'rocketchat') {
    const form = c.format === 'bson' ? 'bson' : c.format === 'array' ? 'array' : 'ndjson';
    const table = (seeds: Array<Record<string, Json>>, hit: boolean, picks?: number[]): Buffer => {
      const docs: Doc[] = (picks ?? seeds.map((_, i) => i)).map((p, i) => ({ key: `k${i}`, value: clone(seeds[p % seeds.length]!) }));
      if (hit) mutate(docs, c.records);
      return finish(encode(docs, form, 'members'), c, hit);
    };
    // The subscriptions: every seed once, then the picks again (duplicates and more of the same).
    const subs = [...RC_SEEDS.subscriptions.map((_, i) => i), ...c.picks];
    return {
      input: table(RC_SEEDS.subscriptions, c.target === 'input', subs),
      rooms: table(RC_SEEDS.rooms, c.target === 'rooms'),
      users: table(RC_SEEDS.users, c.target === 'users'),
      written: 'rocketchat',
      records: subs.length,
    };
  }
  const seeds = SEEDS[c.kind];
  const docs: Doc[] = c.picks.map((p, i) => {
    const value = clone(seeds[p % seeds.length]!);
    return { key: mapKey(c.kind, value, i), value };
  });
  mutate(docs, c.records);
  return { input: finish(encode(docs, c.format, c.kind), c, true), written: c.format, records: docs.length };
}

/** A --from that does not fit the format written. */
export function otherFormat(written: BuiltCase['written']): string {
  const others: Record<BuiltCase['written'], string> = { ndjson: 'array', array: 'ndjson', cometchat: 'ndjson', map: 'cometchat', bson: 'ndjson', rocketchat: 'cometchat' };
  return others[written];
}

/** A one-line summary of a case (what fast-check prints is the case itself). */
export function describeCase(c: FuzzCase): string {
  const muts = c.records.map((m) => `${m.op}(${m.key === '' ? '""' : m.key}=${m.value.label})`).join(' ');
  return `${c.command} ${c.source}/${c.kind}/${c.format} from=${c.from} gzip=${c.gzip} workers=${c.workers} chunk=${c.chunk} records=[${muts}] bytes=${c.bytes.length}`;
}
