// Seeded NDJSON exports of users, groups or messages with a known mix (valid, invalid with a known
// reason, exact duplicates, conflicting duplicates; for messages also outside retention and out of
// sentAt order), and what an import of them must end in. Written from SPEC §1b, independently of
// the validator under test.

import { createRandom } from './random.js';
import { NOW } from './run.js';

export type TestKind = 'users' | 'groups' | 'messages';

export interface KindExport {
  /** NDJSON text. */
  text: string;
  /** Keys of the valid records, first occurrences, in input order (as CometChat normalizes them). */
  keys: string[];
  read: number;
  /** Reason code of each invalid record. */
  invalid: string[];
  duplicates: number;
  conflicts: number;
  /** Messages older than 180 days before NOW. */
  retention: number;
  /** New valid messages earlier than the one before them. */
  outOfOrder: number;
}

const DAY = 86_400;

/** A valid record of `kind` number `i`, its key, and (messages) its sentAt. */
function validRecord(kind: TestKind, i: number, sentAt: number, rnd: () => number): { record: Record<string, unknown>; key: string } {
  if (kind === 'users') {
    return { record: { uid: `User_${i}`, name: `User ${i}`, createdAt: 1_600_000_000 + i, tags: ['imported'], metadata: { n: i } }, key: `user_${i}` };
  }
  if (kind === 'groups') {
    const type = ['public', 'private', 'password'][i % 3]!;
    return { record: { guid: `Team-${i}`, name: `Team ${i}`, type, ...(type === 'password' ? { password: `pw${i}` } : {}), owner: `owner${i % 7}`, createdAt: 1_600_000_000 + i }, key: `team-${i}` };
  }
  const toGroup = rnd() < 0.5;
  const sender = `u${i % 13}`;
  const receiver = toGroup ? `g${i % 5}` : `u${(i + 1) % 13}`;
  const record: Record<string, unknown> = {
    muid: `Msg-${i}`, // kept as given: not lowercased
    sender,
    receiverType: toGroup ? 'group' : 'user',
    receiver,
    sentAt,
    data: { text: `hello ${i}`, metadata: { thread: i % 4 === 0 ? `Msg-${i - 1}` : undefined } },
    senderUserDetails: { name: `Sender ${sender}` },
    ...(toGroup ? { receiverGroupDetails: { name: `Group ${receiver}`, type: 'public' } } : { receiverUserDetails: { name: `Receiver ${receiver}` } }),
  };
  if (i % 9 === 0) {
    record['type'] = 'image';
    (record['data'] as Record<string, unknown>)['attachments'] = [{ name: `p${i}.png`, mimeType: 'image/png', extension: 'png', url: `https://files.example/p${i}.png`, size: '1024' }];
  }
  return { record, key: `Msg-${i}` };
}

/** An invalid record of `kind` and the reason chatmigrate must give. */
function invalidRecord(kind: TestKind, i: number, sentAt: number): { record: Record<string, unknown>; reason: string } {
  const pick = i % 3;
  if (kind === 'users') {
    if (pick === 0) return { record: { uid: `bad_${i}` }, reason: 'MISSING_NAME' };
    if (pick === 1) return { record: { uid: `bad ${i}`, name: 'x' }, reason: 'INVALID_UID' };
    return { record: { uid: `bad_${i}`, name: 'x', avatar: 'h'.repeat(3001) }, reason: 'LIMIT_EXCEEDED' };
  }
  if (kind === 'groups') {
    if (pick === 0) return { record: { guid: `bad_${i}`, name: 'x', type: 'secret' }, reason: 'INVALID_GROUP_TYPE' };
    if (pick === 1) return { record: { guid: `bad_${i}`, name: 'x', type: 'password' }, reason: 'MISSING_PASSWORD' };
    return { record: { name: 'x', type: 'public' }, reason: 'MISSING_GUID' };
  }
  const base = { muid: `Bad-${i}`, sender: 'u1', receiverType: 'user', receiver: 'u2', sentAt, receiverUserDetails: { name: 'R' }, senderUserDetails: { name: 'S' } };
  if (pick === 0) return { record: { ...base, data: { text: '   ' } }, reason: 'EMPTY_MESSAGE_TEXT' };
  if (pick === 1) return { record: { ...base, type: 'video', data: { text: 'clip' } }, reason: 'MISSING_ATTACHMENTS' };
  return { record: { ...base, sentAt: NOW + DAY, data: { text: 'later' } }, reason: 'SENT_IN_FUTURE' };
}

/** `count` records; ~4% invalid, ~4% exact duplicates, ~1% conflicts; messages ~3% too old, ~3% out of order. */
export function kindExport(kind: TestKind, count: number, seed: number): KindExport {
  const rnd = createRandom(seed);
  const lines: string[] = [];
  const out: KindExport = { text: '', keys: [], read: count, invalid: [], duplicates: 0, conflicts: 0, retention: 0, outOfOrder: 0 };
  const valid: Array<Record<string, unknown>> = [];
  let clock = NOW - 100 * DAY;
  let previous = -Infinity;
  for (let i = 0; i < count; i++) {
    const roll = rnd();
    clock += 1 + Math.floor(rnd() * 600);
    if (roll < 0.04) {
      const { record, reason } = invalidRecord(kind, i, clock);
      out.invalid.push(reason);
      lines.push(JSON.stringify(record));
    } else if (roll < 0.08 && valid.length > 0) {
      out.duplicates++;
      lines.push(JSON.stringify(valid[Math.floor(rnd() * valid.length)]));
    } else if (roll < 0.09 && valid.length > 0) {
      out.duplicates++;
      out.conflicts++;
      const copy = { ...valid[Math.floor(rnd() * valid.length)]! };
      if (kind === 'messages') copy['data'] = { ...(copy['data'] as object), text: 'edited' };
      else copy['name'] = 'Renamed';
      lines.push(JSON.stringify(copy));
    } else if (kind === 'messages' && roll < 0.12) {
      out.retention++;
      lines.push(JSON.stringify(validRecord(kind, i, NOW - 400 * DAY, rnd).record));
    } else {
      // Some messages arrive before their time (an export not sorted by sentAt).
      const sentAt = kind === 'messages' && roll < 0.15 ? clock - 5000 : clock;
      const { record, key } = validRecord(kind, i, sentAt, rnd);
      if (kind === 'messages') {
        if (sentAt < previous) out.outOfOrder++;
        previous = sentAt;
      }
      valid.push(record);
      out.keys.push(key);
      lines.push(JSON.stringify(record));
    }
  }
  out.text = lines.join('\n') + '\n';
  return out;
}
