// The messages of a generated Rocket.Chat workspace (rocketchat-workspace.ts), made one at a
// time (a 1 GB export never sits in memory), oldest first, each planted as one case of SPEC §2.5
// with the outcome the messages phase must give it, and the placeholder users it needs.

import { toCometChatId } from '../src/sources/rocketchat/cometchat-id.js';
import { count, DAY, emptyExpectation, MongoDate, type GenRoom, type GenUser, type PhaseExpectation, type Workspace } from './rocketchat-workspace.js';

export interface MessagePlanOptions {
  messages: number;
  /** The run gives --file-url: files become attachments. */
  fileUrl: boolean;
  /** The run's --retention-days (0: no limit). */
  retentionDays: number;
  /** Keep muid → "sender|receiverType|receiver|type" of every delivered message (small runs only). */
  collect: boolean;
}

export interface MessageExpectation {
  phase: PhaseExpectation;
  /** Deleted users a delivered message needs (each a placeholder user of the users phase). */
  placeholders: Set<string>;
  /** Delivered messages with a placeholder as sender or receiver. */
  placeholderMessages: number;
  delivered: Map<string, string> | undefined;
}

/** The planted cases, each once in this order first, then mostly ordinary traffic. */
const CYCLE = [
  'text', 'thread', 'edited', 'reactions', 'system', 'deleted', 'file-image', 'file-nomsg', 'file-legacy',
  'deleted-sender', 'dm', 'dm-deleted-partner', 'dm-legacy', 'group-dm', 'self-dm', 'dm-outsider', 'e2e',
  'encrypted-plain', 'livechat', 'voip', 'app-sender', 'collided-sender', 'collided-room',
] as const;
type Case = (typeof CYCLE)[number];
const TRAFFIC: Array<[Case, number]> = [['text', 60], ['thread', 10], ['system', 8], ['edited', 5], ['reactions', 5], ['dm', 5], ['group-dm', 2], ['file-image', 2], ['deleted-sender', 1], ['deleted', 1], ['file-nomsg', 1]];
const SYSTEM_TYPES = ['uj', 'ul', 'au', 'ru', 'r', 'room_changed_topic', 'user-muted', 'message_pinned', 'discussion-created'];
const WORDS = ['ship', 'it', 'today', 'review', 'the', 'draft', 'please', 'thanks', 'lunch?', 'deploy', 'done', 'ok', 'see', 'notes', 'café', 'naïve', '🚀', 'ticket', 'later', 'agreed'];

export function planMessages(ws: Workspace, options: MessagePlanOptions): { messages: Generator<Record<string, unknown>>; expected: MessageExpectation } {
  const expected: MessageExpectation = { phase: emptyExpectation(), placeholders: new Set(), placeholderMessages: 0, delivered: options.collect ? new Map() : undefined };
  return { messages: generate(ws, options, expected), expected };
}

function* generate(ws: Workspace, o: MessagePlanOptions, exp: MessageExpectation): Generator<Record<string, unknown>> {
  const { rand, shape, pool, deleted, specials } = ws;
  const pick = <T>(list: readonly T[]): T => list[rand() % list.length]!;
  const inPool = new Set(pool.map((u) => u.id));
  const byId = new Map<string, { id: string; username: string }>([...ws.users, ...deleted].map((u) => [u.id, u]));
  const groups = ws.rooms.filter((r) => r.fate === 'group' && r.t !== 'd');
  const groupDirects = ws.rooms.filter((r) => r.fate === 'group' && r.t === 'd');
  const directs = ws.rooms.filter((r) => r.fate === 'direct' && !r.legacy && r.members.every((m) => inPool.has(m)));
  const find = (pred: (r: GenRoom) => boolean): GenRoom | undefined => ws.rooms.find(pred);
  const legacy = find((r) => r.legacy === true);
  const deletedDm = find((r) => r.fate === 'direct' && r.members.some((m) => deleted.some((x) => x.id === m)));
  const self = find((r) => r.fate === 'self')!;
  const encrypted = find((r) => r.fate === 'encrypted-room')!;
  const livechat = find((r) => r.fate === 'livechat-room')!;
  const voip = find((r) => r.fate === 'voip-room')!;
  const twinRoom = find((r) => r.fate === 'ID_COLLISION');
  const general = ws.rooms[0]!;
  const lastMuid = new Map<string, string>();
  const senders = deleted.length > 1 ? deleted.slice(0, -1) : deleted;
  let seq = 0;
  const muidOf = (): string => `msg-${shape.seed}-${(seq++).toString(36).padStart(6, '0')}`;
  const text = (): string => Array.from({ length: 2 + (rand() % 12) }, () => pick(WORDS)).join(' ');
  // Each room's members that may send, listed once: a big room (general) has every user.
  const roomSenders = new Map<GenRoom, string[]>();
  const memberOf = (room: GenRoom): { id: string; username: string } => {
    let pool = roomSenders.get(room);
    if (pool === undefined) roomSenders.set(room, (pool = room.members.filter((m) => inPool.has(m))));
    return byId.get(pick(pool))!;
  };

  const oldCount = Math.min(o.messages, Math.max(2, Math.round(o.messages * 0.03)));
  const retentionCut = o.retentionDays > 0 ? shape.now - o.retentionDays * DAY : 0;
  // Old messages in [now - 400 days, now - 200 days), the rest in [now - 150 days, now - 1 day).
  const oldStep = Math.max(1, Math.min(3600, Math.floor((200 * DAY) / Math.max(1, oldCount))));
  const mainStart = shape.now - 150 * DAY;
  const mainStep = Math.max(1, Math.floor((149 * DAY) / Math.max(1, o.messages - oldCount)));

  for (let i = 0; i < o.messages; i++) {
    const old = i < oldCount;
    const ts = old ? shape.now - 400 * DAY + i * oldStep : mainStart + (i - oldCount) * mainStep;
    let c: Case = old ? 'text' : i - oldCount < CYCLE.length ? CYCLE[i - oldCount]! : weighted(rand);
    if ((c === 'collided-sender' && !specials.collided) || (c === 'collided-room' && !twinRoom) || (c === 'dm' && directs.length === 0) || (c === 'group-dm' && groupDirects.length === 0) || (c === 'dm-legacy' && !legacy) || (c === 'dm-outsider' && directs.length === 0)) c = 'text';
    if ((c === 'deleted-sender' || c === 'dm-deleted-partner') && (senders.length === 0 || !deletedDm)) c = 'text';

    const muid = muidOf();
    let room: GenRoom = pick(groups);
    let sender: { id: string; username: string } = memberOf(room);
    const doc: Record<string, unknown> = { _id: muid, rid: '', msg: text(), ts: new MongoDate(ts) };
    /** [kind, rule or reason, CometChat message type] of the outcome. */
    let outcome: ['valid', string, string] | ['skip' | 'invalid', string] = ['valid', '', 'text'];
    let partner: { id: string; username: string } | undefined;
    const extra: Array<Record<string, unknown>> = [];
    switch (c) {
      case 'text': break;
      case 'thread': {
        const parent = lastMuid.get(room.id);
        if (parent !== undefined) doc['tmid'] = parent;
        break;
      }
      case 'edited':
        doc['editedAt'] = new MongoDate(ts + 30);
        doc['editedBy'] = { _id: sender.id, username: sender.username };
        // Message_KeepHistory: the text before the edit, as a hidden copy.
        extra.push({ _id: `${muid}-h`, rid: room.id, msg: 'before the edit', ts: new MongoDate(ts), u: { _id: sender.id, username: sender.username }, _hidden: true, parent: muid, editedAt: new MongoDate(ts + 30) });
        break;
      case 'reactions': {
        const other = memberOf(room);
        doc['reactions'] = { ':thumbsup:': { usernames: [sender.username, other.username] }, ':tada:': { usernames: ['nobody.here'] } };
        break;
      }
      case 'system':
        doc['t'] = pick(SYSTEM_TYPES);
        doc['msg'] = sender.username;
        outcome = ['skip', 'system'];
        break;
      case 'deleted':
        Object.assign(doc, { t: 'rm', msg: '', editedAt: new MongoDate(ts + 5), editedBy: { _id: sender.id } });
        outcome = ['skip', 'deleted'];
        break;
      case 'file-image': {
        const file = { _id: `file-${muid}`, name: `photo ${i}.png`, type: 'image/png', size: 1000 + i, format: 'png' };
        Object.assign(doc, { msg: 'look at this', file, files: [file, { _id: `thumb-${muid}`, name: `thumb-photo-${i}.png`, type: 'image/png', typeGroup: 'thumb' }] });
        outcome = ['valid', '', o.fileUrl ? 'image' : 'text'];
        break;
      }
      case 'file-nomsg':
        Object.assign(doc, { msg: '', files: [{ _id: `file-${muid}`, name: `report-${i}.pdf`, type: 'application/pdf', size: 52_000 }] });
        outcome = o.fileUrl ? ['valid', '', 'file'] : ['skip', 'file-without-url'];
        break;
      case 'file-legacy':
        Object.assign(doc, { msg: '', file: { _id: `file-${muid}`, name: `clip-${i}.mp4`, type: 'video/mp4' }, attachments: [{ title: `clip-${i}.mp4`, description: 'a short clip', video_url: `/file-upload/file-${muid}/clip-${i}.mp4` }] });
        outcome = ['valid', '', o.fileUrl ? 'video' : 'text'];
        break;
      case 'deleted-sender':
        room = general;
        sender = senders[i % senders.length]!;
        break;
      case 'dm':
        room = pick(directs);
        sender = byId.get(pick(room.members))!;
        break;
      case 'dm-deleted-partner':
        // Only the partner that still exists writes: the deleted one is needed as a receiver alone.
        room = deletedDm!;
        sender = byId.get(room.members.find((m) => !deleted.some((x) => x.id === m))!)!;
        break;
      case 'dm-legacy':
        room = legacy!;
        sender = byId.get(pick(room.members))!;
        break;
      case 'group-dm':
        room = pick(groupDirects);
        sender = memberOf(room);
        break;
      case 'self-dm':
        room = self;
        sender = byId.get(self.members[0]!)!;
        outcome = ['skip', 'self-dm'];
        break;
      case 'dm-outsider':
        room = pick(directs);
        sender = specials.rocketCat;
        outcome = ['skip', 'direct-without-receiver'];
        break;
      case 'e2e':
        Object.assign(doc, { t: 'e2e', e2e: 'done', msg: 'ENCRYPTED:9f8e7d6c' });
        room = encrypted;
        outcome = ['skip', 'e2e'];
        break;
      case 'encrypted-plain':
        room = encrypted;
        outcome = ['skip', 'room-skipped'];
        break;
      case 'livechat':
        room = livechat;
        sender = byId.get(livechat.members[0]!)!;
        if (i % 2 === 0) doc['t'] = 'livechat-close';
        outcome = ['skip', 'livechat'];
        break;
      case 'voip':
        room = voip;
        sender = byId.get(voip.members[0]!)!;
        outcome = ['skip', 'room-skipped'];
        break;
      case 'app-sender':
        room = general;
        sender = specials.app;
        outcome = ['skip', 'user-skipped'];
        break;
      case 'collided-sender':
        room = general;
        sender = specials.collided as GenUser;
        outcome = ['invalid', 'ID_COLLISION'];
        break;
      case 'collided-room':
        room = twinRoom!;
        sender = pool[0]!;
        outcome = ['invalid', 'ID_COLLISION'];
        break;
    }
    doc['rid'] = room.id;
    doc['u'] = { _id: sender.id, username: sender.username };
    if (room.t === 'd' && room.fate === 'direct') partner = byId.get(room.members.find((m) => m !== sender.id) ?? '') ?? { id: room.members.find((m) => m !== sender.id)!, username: '' };
    if (outcome[0] === 'valid' && old && retentionCut > 0 && ts < retentionCut) outcome = ['skip', 'retention'];

    count(exp.phase, outcome[1], outcome[0]);
    if (outcome[0] === 'valid') {
      if (c === 'text' && room.t !== 'd') lastMuid.set(room.id, muid);
      const missing = [sender, partner].filter((u): u is { id: string; username: string } => u !== undefined && deleted.some((x) => x.id === u.id));
      for (const u of missing) exp.placeholders.add(u.id);
      if (missing.length > 0) exp.placeholderMessages++;
      const to = partner ? `user|${toCometChatId(partner.id)}` : `group|${toCometChatId(room.id)}`;
      exp.delivered?.set(muid, `${toCometChatId(sender.id)}|${to}|${outcome[2]}`);
    }
    yield doc;
    for (const e of extra) {
      count(exp.phase, 'hidden', 'skip');
      yield e;
    }
  }
}

function weighted(rand: () => number): Case {
  let r = rand() % 100;
  for (const [c, w] of TRAFFIC) {
    if (r < w) return c;
    r -= w;
  }
  return 'text';
}
