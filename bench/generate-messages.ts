// Pure, seeded factory of synthetic CometChat messages (SPEC §1b) as JSON text, in sentAt order
// with a few late ones: mostly text (some non-ASCII, escapes, mentions), media with attachments,
// custom messages; to groups and to users; thread, edit and reaction facts in data.metadata;
// sender and receiver details on some. One planted defect per invalid record.
//
// Times: the history ends at BENCH_NOW, the fixed "now" the bench probes and tests validate with,
// and starts 170 days before it, inside the default 180-day retention: every valid message is one
// CometChat keeps, so the retention rule runs on each message without skipping any.
import type { ReasonCode } from '../src/entities/reasons.js';
import { createMix, mix32, type KindRenderer, type MixOptions, type RecordFactory, type RingEntry } from './generate-mix.js';
import { ADJ, FIRST, LAST, NOUN } from './generate-records.js';

/** 2026-01-01: the --now of bench/probes/validate-probe.ts and import-probe.ts (and test/helpers/run.ts NOW). */
export const BENCH_NOW = 1_767_225_600;
const DAY = 86_400;
/** The first message: 170 days before BENCH_NOW (retention 180 days, late ones go back ≤ 1 hour). */
export const MESSAGES_FROM = BENCH_NOW - 170 * DAY;
/** No message is later than this (the clock stops here: a 12+ GB export ends with equal times). */
export const MESSAGES_UNTIL = BENCH_NOW - DAY;
/** Senders and receivers are user_<n> / group_<n> (base 36), as the users and members generators name them. */
export const WORKSPACE_USERS = 20_000;
export const WORKSPACE_GROUPS = 500;

/** The defects planted in messages; each gives exactly this reason. No muid defects: a map key would supply or mask them. */
export const MESSAGE_INVALID_REASONS = [
  'EMPTY_MESSAGE_TEXT',
  'MISSING_ATTACHMENTS',
  'INVALID_ATTACHMENT',
  'MISSING_CUSTOM_DATA',
  'INVALID_MESSAGE_TYPE',
  'INVALID_CATEGORY',
  'INVALID_RECEIVER_TYPE',
  'MISSING_SENDER',
  'INVALID_RECEIVER',
  'MISSING_SENT_AT',
  'SENT_IN_FUTURE',
  'INVALID_SENDER_DETAILS',
] as const satisfies readonly ReasonCode[];

/** Words as JSON string bodies: mostly ASCII, some raw UTF-8 (accents, emoji), escaped quotes. */
const WORDS = ['the', 'release', 'is', 'ready', 'for', 'review', 'can', 'you', 'check', 'my', 'latest', 'draft',
  'meeting', 'moved', 'to', 'tomorrow', 'at', 'noon', 'thanks', 'sounds', 'good', 'see', 'docs', 'link',
  'deploy', 'failed', 'again', 'on', 'staging', 'fixed', 'it', 'lunch', 'anyone', 'café', 'naïve', '👍',
  '🎉', 'ok', 'great', 'work', 'team', 'ticket', 'closed', 'please', 'update', 'the', 'board', 'I\'ll',
  '\\"quick\\"', 'question', 'about', 'invoices', 'weekend', 'plans', 'new', 'hire', 'starts', 'Monday'];
const MEDIA = [
  { type: 'image', mime: 'image/jpeg', ext: 'jpg', stem: 'IMG' },
  { type: 'image', mime: 'image/png', ext: 'png', stem: 'Screenshot' },
  { type: 'file', mime: 'application/pdf', ext: 'pdf', stem: 'Report' },
  { type: 'video', mime: 'video/mp4', ext: 'mp4', stem: 'VID' },
  { type: 'audio', mime: 'audio/mpeg', ext: 'mp3', stem: 'Voice' },
] as const;
const REACTIONS = ['"👍"', '"❤️"', '"😂"', '"\\ud83c\\udf89"'];

export function createMessageFactory(options: MixOptions): RecordFactory {
  return createMix(options, (below) => messageRenderer(options.seed, below));
}

function messageRenderer(seed: number, below: (n: number) => number): KindRenderer {
  let clockMs = MESSAGES_FROM * 1000;
  /** sentAt (whole seconds) of the last new valid message: what the out-of-order count compares with. */
  let previous = -Infinity;
  const user = (): string => `user_${below(WORKSPACE_USERS).toString(36)}`;
  const group = (): string => `group_${below(WORKSPACE_GROUPS).toString(36)}`;
  const personName = (): string => `${FIRST[below(FIRST.length)]} ${LAST[below(LAST.length)]}`;
  const words = (n: number): string => Array.from({ length: n }, () => WORDS[below(WORDS.length)]).join(' ');
  /** Source systems' ids: Mongo-style hex or "Msg-<n>" (kept as given: case matters for a muid). */
  const muidOf = (i: number): string => (mix32(seed ^ i) & 1) === 0
    ? `65${mix32(seed + 1).toString(16).padStart(8, '0')}${i.toString(16).padStart(14, '0')}`
    : `Msg-${i.toString(36).toUpperCase()}`;

  /** sentAt in a random accepted form; `ms` is a time in milliseconds. */
  const timeField = (ms: number): string => {
    const roll = below(100);
    if (roll < 65) return `${Math.floor(ms / 1000)}`;
    if (roll < 80) return `${ms}`;
    if (roll < 90) return `"${Math.floor(ms / 1000)}"`;
    if (roll < 97) return `"${new Date(ms).toISOString()}"`;
    return `{"$date":${ms}}`;
  };

  /** The receiver: [receiverType, receiver, details field or ''] (details on a few, consistent). */
  const receiverOf = (): [string, string, string] => {
    if (below(100) < 60) {
      const guid = group();
      const details = below(100) < 5 ? `,"receiverGroupDetails":{"guid":"${guid}","name":"${ADJ[below(ADJ.length)]} ${NOUN[below(NOUN.length)]}","type":"public"}` : '';
      return ['group', guid, details];
    }
    const uid = user();
    return ['user', uid, below(100) < 5 ? `,"receiverUserDetails":{"uid":"${uid}","name":"${personName()}"}` : ''];
  };

  /** data's fields before metadata, and the message fields (category, type, mentions) that go with them. */
  const content = (muid: string): { fields: string; data: string } => {
    const roll = below(100);
    if (roll < 10) {
      const m = MEDIA[below(MEDIA.length)]!;
      const files = Array.from({ length: 1 + (below(100) < 15 ? 1 : 0) }, (_, n) => {
        const file = `${m.stem}_${1000 + below(9000)}${n === 0 ? '' : `_${n}`}.${m.ext}`;
        return `{"name":"${file}","mimeType":"${m.mime}","extension":"${m.ext}","url":"https://files.example.com/${muid}/${file}","size":"${1024 + below(8_000_000)}"}`;
      }).join(',');
      const caption = below(100) < 30 ? `"text":"${words(2 + below(6))}",` : '';
      return { fields: `,"type":"${m.type}"`, data: `${caption}"attachments":[${files}]` };
    }
    if (roll < 15) {
      const type = ['location', 'poll', 'meeting'][below(3)]!;
      const custom = type === 'location'
        ? `{"latitude":${(below(180_000_000) / 1e6 - 90).toFixed(6)},"longitude":${(below(360_000_000) / 1e6 - 180).toFixed(6)}}`
        : type === 'poll'
          ? `{"question":"${words(3 + below(5))}?","options":["yes","no","maybe"]}`
          : `{"title":"${ADJ[below(ADJ.length)]} sync","startsAt":${Math.floor(clockMs / 1000) + below(7 * DAY)},"durationMinutes":${15 * (1 + below(6))}}`;
      return { fields: `,"category":"custom","type":"${type}"`, data: `"customData":${custom}` };
    }
    const category = below(100) < 50 ? ',"category":"message","type":"text"' : '';
    if (roll < 18) {
      const mentioned = user();
      return {
        fields: `${category},"mentionedUserDetails":{"${mentioned}":{"uid":"${mentioned}","name":"${personName()}"}}`,
        data: `"text":"<@uid:${mentioned}> ${words(3 + below(12))}"`,
      };
    }
    // Mostly short chat lines; a few long ones and multi-line ones.
    const n = below(100) < 90 ? 2 + below(14) : 20 + below(60);
    const text = below(100) < 5 ? `${words(n)}\\n${words(1 + below(8))}` : words(n);
    return { fields: category, data: `"text":"${text}"` };
  };

  /** data.metadata on some: a thread parent, a reply count, reactions (emoji → uids). */
  const metadata = (i: number): string => {
    const roll = below(100);
    if (roll < 6 && i > 0) return `,"metadata":{"parentMuid":"${muidOf(below(i))}"}`;
    if (roll < 9) return `,"metadata":{"replyCount":${1 + below(20)}}`;
    if (roll < 14) return `,"metadata":{"reactions":{${REACTIONS[below(REACTIONS.length)]}:["${user()}","${user()}"]}}`;
    return '';
  };

  return {
    valid(i) {
      // A few messages arrive late (an export not sorted by sentAt): up to an hour before the clock.
      const late = below(100) === 0;
      const ms = late ? clockMs - 60_000 - below(3_600_000) : clockMs;
      if (!late) clockMs = Math.min(clockMs + below(1000), MESSAGES_UNTIL * 1000);
      const seconds = Math.floor(ms / 1000);
      const outOfOrder = seconds < previous;
      previous = seconds;
      const muid = muidOf(i);
      const sender = user();
      const [receiverType, receiver, receiverDetails] = receiverOf();
      const { fields, data } = content(muid);
      const senderDetails = below(100) < 10 ? `,"senderUserDetails":{"uid":"${sender}","name":"${personName()}","avatar":"https://cdn.example.com/avatars/${sender}.png"}` : '';
      const receipts = receiverType === 'user' && below(100) < 30 ? `,"deliveredAt":${seconds + 1 + below(5)},"readAt":${seconds + 5 + below(600)}` : '';
      const tags = below(100) < 3 ? ',"tags":["imported"]' : '';
      const head = `{"muid":"${muid}","sender":"${sender}","receiverType":"${receiverType}","receiver":"${receiver}"${fields},"data":{${data}`;
      // data.metadata is what a conflicting repeat changes (an edit): last in data, so it can be extended.
      const varying = metadata(i);
      const tail = `},"sentAt":${timeField(ms)}${receipts}${tags}${senderDetails}${receiverDetails}}`;
      return { key: muid, json: head + varying + tail, head, varying, tail, ...(outOfOrder ? { outOfOrder: true as const } : {}) };
    },

    invalid(i) {
      const reason = MESSAGE_INVALID_REASONS[below(MESSAGE_INVALID_REASONS.length)]!;
      const muid = muidOf(i);
      const sender = reason === 'MISSING_SENDER' ? '' : `,"sender":"${user()}"`;
      const receiverType = reason === 'INVALID_RECEIVER_TYPE' ? 'channel' : 'group';
      const receiver = reason === 'INVALID_RECEIVER' ? `group.${below(WORKSPACE_GROUPS)}` : group();
      let fields = '';
      let data = `{"text":"${words(2 + below(8))}"}`;
      if (reason === 'EMPTY_MESSAGE_TEXT') data = '{"text":"   "}';
      if (reason === 'MISSING_ATTACHMENTS') fields = ',"type":"image"';
      if (reason === 'INVALID_ATTACHMENT') {
        fields = ',"type":"file"';
        data = '{"attachments":[{"name":"notes.txt","mimeType":"text/plain","extension":"txt"}]}';
      }
      if (reason === 'MISSING_CUSTOM_DATA') fields = ',"category":"custom","type":"location"';
      if (reason === 'INVALID_MESSAGE_TYPE') fields = ',"category":"message","type":"sticker"';
      if (reason === 'INVALID_CATEGORY') fields = ',"category":"system"';
      const now = Math.floor(clockMs / 1000);
      const sentAt = reason === 'MISSING_SENT_AT' ? '' : `,"sentAt":${reason === 'SENT_IN_FUTURE' ? BENCH_NOW + DAY + below(365 * DAY) : now}`;
      const details = reason === 'INVALID_SENDER_DETAILS' ? `,"senderUserDetails":{"uid":"${user()}_x","name":"${personName()}"}` : '';
      return { key: muid, json: `{"muid":"${muid}"${sender},"receiverType":"${receiverType}","receiver":"${receiver}"${fields},"data":${data}${sentAt}${details}}`, reason };
    },

    // Same muid, different (still valid) content: the message was edited after an earlier export.
    vary: (entry: RingEntry, i: number) => entry.varying === ''
      ? `,"metadata":{"editedAt":${BENCH_NOW - DAY - (i % 1000)}}`
      : `${entry.varying.slice(0, -1)},"editedAt":${BENCH_NOW - DAY - (i % 1000)}}`,
  };
}
