// The users phase's input, made from the tables rather than read from the users export: one NDJSON
// line per user (export order, repeated ids once) and one per placeholder user. It holds only the
// fields the mapping reads, so a user's `services` (password hashes, login tokens) is never parsed,
// and a rejects line quotes no secret. Deterministic: the same exports give the same bytes, so a
// checkpoint of the users phase matches it again on --resume.

import { USER_APP, USER_BOT, USER_INACTIVE, type RocketChatTables, type UserView } from './lookup-tables.js';

const CHUNK_CHARS = 64 * 1024;

/** NDJSON chunks of about 64 KB. */
export function* usersPhaseInput(tables: RocketChatTables): Generator<Buffer> {
  let chunk = '';
  for (const user of tables.users.users()) {
    chunk += JSON.stringify(userDocument(user)) + '\n';
    if (chunk.length >= CHUNK_CHARS) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  for (const p of tables.users.placeholders()) {
    const doc: Record<string, unknown> = { _id: p.id };
    if (p.username !== undefined) doc['username'] = p.username;
    doc['deletedUser'] = true;
    chunk += JSON.stringify(doc) + '\n';
    if (chunk.length >= CHUNK_CHARS) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') yield Buffer.from(chunk);
}

/** A users document as the tables keep it (dates to the second). */
export function userDocument(user: UserView): Record<string, unknown> {
  const doc: Record<string, unknown> = { _id: user.id };
  if (user.username !== undefined) doc['username'] = user.username;
  if (user.ownName !== undefined) doc['name'] = user.ownName;
  doc['type'] = user.flags & USER_APP ? 'app' : (user.otherType ?? (user.flags & USER_BOT ? 'bot' : 'user'));
  doc['active'] = (user.flags & USER_INACTIVE) === 0;
  doc['roles'] = user.roles ?? ['user'];
  if (user.avatar !== undefined) doc['avatarUrl'] = user.avatar;
  if (user.createdAt > 0) doc['createdAt'] = dateOf(user.createdAt);
  if (user.lastLogin > 0) doc['lastLogin'] = dateOf(user.lastLogin);
  if (user.updatedAt > 0) doc['_updatedAt'] = dateOf(user.updatedAt);
  return doc;
}

function dateOf(seconds: number): { $date: string } {
  return { $date: new Date(seconds * 1000).toISOString() };
}
