// A generated Rocket.Chat workspace (bench/generate-rocketchat.ts) through the loader and the four
// phase mappers, each record judged by its kind's declaration: every phase's counts per rule and
// reason, and the delivered keys (and each message's sender, receiver and type), equal what the
// generator planted, with and without --file-url, in every mongoexport layout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateRocketChatWorkspace, type GeneratedWorkspace, type GenerateWorkspaceOptions } from '../bench/generate-rocketchat.js';
import { createWorkspace, type MongoDate, type PhaseExpectation } from '../bench/rocketchat-workspace.js';
import { planMessages } from '../bench/rocketchat-messages.js';
import { kindNamed, type KindName } from '../src/entities/kinds.js';
import { validateRecord } from '../src/entities/validate.js';
import type { Log } from '../src/log.js';
import type { RecordMapper } from '../src/sources/mapped-record.js';
import { createWorkspaceMappers, loadRocketChatWorkspace, usersPhaseInput, type RocketChatTables } from '../src/sources/rocketchat/index.js';
import { NOW } from './helpers/run.js';

const RETENTION_DAYS = 180;
const FILE_URL = 'https://files.example.com/{fileId}/{name}?room={rid}';

function quietLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, debug: () => undefined, error: () => undefined, warn: (_o, msg) => void warnings.push(msg) };
}

/** The documents of one export file (NDJSON or --jsonArray, gzip or not), as a test reads them. */
function documents(path: string): unknown[] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').trim();
  return text.startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split('\n').map((l) => JSON.parse(l) as unknown);
}

interface PhaseResult extends PhaseExpectation {
  keys: Map<string, Record<string, unknown>>;
}

/** One phase: map, then judge by the kind's declaration, as the pipeline does. */
function runPhase(kind: KindName, docs: Iterable<unknown>, map: RecordMapper): PhaseResult {
  const r: PhaseResult = { read: 0, valid: 0, skippedBy: {}, invalidBy: {}, keys: new Map() };
  for (const doc of docs) {
    r.read++;
    const m = map(doc);
    if (m.kind === 'skip') r.skippedBy[m.rule] = (r.skippedBy[m.rule] ?? 0) + 1;
    else if (m.kind === 'invalid') r.invalidBy[m.reason] = (r.invalidBy[m.reason] ?? 0) + 1;
    else {
      const v = validateRecord(kindNamed(kind), m.record, { nowSeconds: NOW, retentionDays: RETENTION_DAYS });
      if (v.ok === 'skip') r.skippedBy[v.rule] = (r.skippedBy[v.rule] ?? 0) + 1;
      else if (v.ok === false) r.invalidBy[v.reason] = (r.invalidBy[v.reason] ?? 0) + 1;
      else {
        r.valid++;
        assert.ok(!r.keys.has(v.key), `${kind}: ${v.key} delivered twice`);
        r.keys.set(v.key, JSON.parse(v.json) as Record<string, unknown>);
      }
    }
  }
  return r;
}

function* usersInput(tables: RocketChatTables): Generator<unknown> {
  for (const chunk of usersPhaseInput(tables)) for (const line of chunk.toString('utf8').split('\n')) if (line !== '') yield JSON.parse(line);
}

async function migrateLocally(options: Omit<GenerateWorkspaceOptions, 'dir'>, fileUrl: string | undefined): Promise<{ gen: GeneratedWorkspace; phases: Record<KindName, PhaseResult>; placeholders: { users: number; placeholderMessages: number } }> {
  const dir = mkdtempSync(join(tmpdir(), 'cm-rcws-'));
  try {
    const gen = await generateRocketChatWorkspace({ dir, now: NOW, retentionDays: RETENTION_DAYS, fileUrl: fileUrl !== undefined, ...options });
    const files = gen.files;
    const log = quietLog();
    const { tables, placeholders } = await loadRocketChatWorkspace({ users: files.users, rooms: files.rooms, messages: files.messages }, { fileUrl, sentAfter: NOW - RETENTION_DAYS * 86_400 }, log);
    const map = createWorkspaceMappers(tables, { nowSeconds: NOW, fileUrl });
    const phases = {
      users: runPhase('users', usersInput(tables), map.users),
      groups: runPhase('groups', documents(files.rooms), map.groups),
      members: runPhase('members', documents(files.subscriptions), map.members),
      messages: runPhase('messages', documents(files.messages), map.messages),
    };
    return { gen, phases, placeholders };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function counts(p: PhaseExpectation): PhaseExpectation {
  return { read: p.read, valid: p.valid, skippedBy: p.skippedBy, invalidBy: p.invalidBy };
}

function assertMatches(gen: GeneratedWorkspace, phases: Record<KindName, PhaseResult>): void {
  for (const kind of ['users', 'groups', 'members', 'messages'] as const) {
    assert.deepEqual(sorted(counts(phases[kind])), sorted(gen.expected[kind]), `${kind} counts`);
  }
  assert.deepEqual([...phases.users.keys.keys()].sort(), [...gen.keys.users].sort(), 'users delivered');
  assert.deepEqual([...phases.groups.keys.keys()].sort(), [...gen.keys.groups].sort(), 'groups delivered');
  assert.deepEqual([...phases.members.keys.keys()].sort(), [...gen.keys.members].sort(), 'members delivered');
  const facts = new Map([...phases.messages.keys].map(([muid, m]) => [muid, `${m['sender'] as string}|${m['receiverType'] as string}|${m['receiver'] as string}|${m['type'] as string}`]));
  assert.deepEqual(new Map([...facts].sort()), new Map([...gen.keys.messages!].sort()), 'messages delivered, with sender, receiver and type');
  // Every sender, receiver, owner and member names a user or group of the earlier phases.
  for (const m of phases.messages.keys.values()) {
    assert.ok(phases.users.keys.has(m['sender'] as string), `sender ${m['sender'] as string}`);
    assert.ok((m['receiverType'] === 'user' ? phases.users.keys : phases.groups.keys).has(m['receiver'] as string), `receiver ${m['receiver'] as string}`);
  }
  for (const g of phases.groups.keys.values()) if (g['owner'] !== undefined) assert.ok(phases.users.keys.has(g['owner'] as string), `owner ${g['owner'] as string}`);
  for (const m of phases.members.keys.values()) {
    assert.ok(phases.users.keys.has(m['uid'] as string) && phases.groups.keys.has(m['guid'] as string), `member ${m['memberId'] as string}`);
    assert.deepEqual(m['groupDetails'], phases.groups.keys.get(m['guid'] as string), 'groupDetails are the imported group');
    assert.deepEqual(m['userDetails'], phases.users.keys.get(m['uid'] as string), 'userDetails are the imported user');
  }
}

function sorted(p: PhaseExpectation): PhaseExpectation {
  const order = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return { read: p.read, valid: p.valid, skippedBy: order(p.skippedBy), invalidBy: order(p.invalidBy) };
}

test('a generated workspace without --file-url: every phase as planted, and each message from and to the right ids', async () => {
  const { gen, phases, placeholders } = await migrateLocally({ seed: 7, messages: 700 }, undefined);
  assertMatches(gen, phases);
  assert.equal(placeholders.users, gen.expected.placeholders.users);
  assert.equal(placeholders.placeholderMessages, gen.expected.placeholders.messages);
  // Every planted rule shows up (the generator plants each case at least once).
  for (const rule of ['hidden', 'deleted', 'system', 'e2e', 'livechat', 'room-skipped', 'user-skipped', 'self-dm', 'direct-without-receiver', 'file-without-url', 'retention']) {
    assert.ok((phases.messages.skippedBy[rule] ?? 0) > 0, `messages skipped by ${rule}`);
  }
  for (const rule of ['direct-room', 'livechat-room', 'voip-room', 'encrypted-room']) assert.ok((phases.groups.skippedBy[rule] ?? 0) > 0, `groups skipped by ${rule}`);
  assert.deepEqual(phases.users.skippedBy, { 'app-user': 1, 'other-user-type': 1 });
  assert.deepEqual(phases.users.invalidBy, { ID_COLLISION: 1 });
  assert.ok(gen.expected.placeholders.users >= 2 && gen.expected.placeholders.messages > 0);
  // rocket.cat and the custom id take the documented hashed form; GENERAL is lowercased.
  const uids = [...phases.users.keys.keys()];
  assert.ok(uids.some((u) => /^rocket_cat-[0-9a-f]{12}$/.test(u)), 'rocket.cat');
  assert.ok(uids.some((u) => /^john_doe-[0-9a-f]{12}$/.test(u)), 'john.doe');
  assert.ok(phases.groups.keys.has('general'));
  // No secret of a users document reaches a record.
  for (const u of phases.users.keys.values()) assert.ok(!JSON.stringify(u).includes('GENERATED-'), JSON.stringify(u));
});

test('with --file-url, every export as a --jsonArray, gzip and canonical dates: files are attachments at the template URLs', async () => {
  const { gen, phases } = await migrateLocally({ seed: 11, messages: 400, arrays: ['users', 'rooms', 'subscriptions', 'messages'], gzip: ['messages', 'users'], dates: 'canonical' }, FILE_URL);
  assertMatches(gen, phases);
  assert.equal(phases.messages.skippedBy['file-without-url'], undefined);
  const media = [...phases.messages.keys.values()].filter((m) => m['type'] !== 'text');
  assert.deepEqual(new Set(media.map((m) => m['type'])), new Set(['image', 'file', 'video']));
  for (const m of media) {
    const data = m['data'] as { attachments: Array<{ url: string; name: string; extension: string }> };
    assert.equal(data.attachments.length, 1, 'the thumbnail is not an attachment');
    const a = data.attachments[0]!;
    assert.match(a.url, /^https:\/\/files\.example\.com\/file-msg-[^/]+\/[^?]+\?room=[A-Za-z0-9]+$/);
    assert.ok(a.url.includes(encodeURIComponent(a.name)), a.url);
  }
});

test('without planted collisions and with relaxed NDJSON dates, the counts still match', async () => {
  const { gen, phases } = await migrateLocally({ seed: 3, messages: 300, collisions: false, arrays: [], dates: 'relaxed', users: 16, directRooms: 1 }, undefined);
  assertMatches(gen, phases);
  assert.deepEqual(phases.users.invalidBy, {});
  assert.deepEqual(phases.groups.invalidBy, {});
});

test('the generator at scale: dates stay in their windows (old ones before retention, none in the future)', () => {
  const ws = createWorkspace({ seed: 2, users: 12, publicRooms: 1, privateRooms: 1, directRooms: 1, groupDirectRooms: 1, deletedUsers: 2, collisions: true, now: NOW });
  const messages = 400_000;
  const { messages: docs } = planMessages(ws, { messages, fileUrl: false, retentionDays: RETENTION_DAYS, collect: false });
  const oldCount = Math.round(messages * 0.03);
  let n = 0;
  let last = 0;
  for (const doc of docs) {
    const ts = (doc['ts'] as MongoDate).seconds;
    assert.ok(ts >= last && ts < NOW, `message ${n} at ${ts}`);
    if (n < oldCount) assert.ok(ts < NOW - 200 * 86_400, `old message ${n} at ${ts}`);
    last = ts;
    if (++n > oldCount + 50) break;
  }
});
