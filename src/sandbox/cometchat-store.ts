// What the CometChat stand-in has accepted, and which groups and users exist as a result.
//
// Records are kept as JSON text (one flat string each) or, in compact mode, members and messages
// as one number each: benchmarks push ~250k entities/s through the sandbox, and every object it keeps alive
// is copied by the young-generation GC, which measurably slowed the server.

export type ImportKind = 'members' | 'users' | 'groups' | 'messages';

export const IMPORT_KINDS: readonly ImportKind[] = ['members', 'users', 'groups', 'messages'];

const SCOPES = ['admin', 'moderator', 'participant'] as const;

export interface CometChatStore {
  /** Existing groups (from the groups endpoint or a member's groupDetails) -> createdAt seconds (0 = unknown). */
  readonly groups: Map<string, number>;
  /** Existing users (from the users endpoint, a member's userDetails or a group's owner details). */
  readonly users: Set<string>;
  has(kind: ImportKind, id: string): boolean;
  count(kind: ImportKind): number;
  /** Stores a member: its full JSON text, or (compact) just what its reply data needs. */
  acceptMember(memberId: string, fullText: string | undefined, scope: string, joinedAt: number, uidLength: number): void;
  /** Stores a user, group or message as JSON text. */
  accept(kind: 'users' | 'groups' | 'messages', id: string, text: string): void;
  /** Stores a message (compact): just the id CometChat gave it; listed as {"muid", "id"}. */
  acceptMessageId(muid: string, id: number): void;
  /** CometChat's id for the next message imported: increasing numbers, as text. */
  nextMessageId(): string;
  /** [id, JSON text] of every accepted record of a kind, in acceptance order. */
  records(kind: ImportKind): IterableIterator<[string, string]>;
  addGroup(guid: string, createdAtSec: number): void;
  addUser(uid: string): void;
  clear(): void;
}

export function createCometChatStore(): CometChatStore {
  // Compact members: ((joinedAt * 4 + scope) * 128 + uid length), exact below 2^53; the id
  // itself gives guid and uid back once the uid length is known.
  const members = new Map<string, string | number>();
  const users = new Map<string, string>();
  const groupRecords = new Map<string, string>();
  const messages = new Map<string, string | number>();
  const groups = new Map<string, number>();
  const knownUsers = new Set<string>();
  const maps = { members, users, groups: groupRecords, messages };
  let lastMessageId = 1000;

  function* records(kind: ImportKind): IterableIterator<[string, string]> {
    if (kind === 'messages') {
      for (const [muid, value] of messages) yield [muid, typeof value === 'string' ? value : JSON.stringify({ muid, id: String(value) })];
      return;
    }
    if (kind !== 'members') {
      yield* maps[kind];
      return;
    }
    for (const [id, value] of members) {
      yield [id, typeof value === 'string' ? value : unpackMember(id, value)];
    }
  }

  return {
    groups,
    users: knownUsers,
    has: (kind, id) => maps[kind].has(id),
    count: (kind) => maps[kind].size,
    acceptMember(memberId, fullText, scope, joinedAt, uidLength) {
      const scopeIndex = scope === 'admin' ? 0 : scope === 'moderator' ? 1 : 2;
      members.set(memberId, fullText ?? (joinedAt * 4 + scopeIndex) * 128 + uidLength);
    },
    accept(kind, id, text) {
      maps[kind].set(id, text);
    },
    acceptMessageId(muid, id) {
      messages.set(muid, id);
    },
    records,
    nextMessageId: () => String(++lastMessageId),
    addGroup(guid, createdAtSec) {
      // The first definition wins, as on the real service where a group is created once.
      if (!groups.has(guid)) groups.set(guid, createdAtSec);
    },
    addUser(uid) {
      knownUsers.add(uid);
    },
    clear() {
      members.clear();
      users.clear();
      groupRecords.clear();
      messages.clear();
      lastMessageId = 1000;
      groups.clear();
      knownUsers.clear();
    },
  };
}

/** The compact member record as the JSON text of its reply data. */
function unpackMember(memberId: string, packed: number): string {
  const uidLength = packed % 128;
  const rest = (packed - uidLength) / 128;
  const scopeIndex = rest % 4;
  const joinedAt = (rest - scopeIndex) / 4;
  const uid = memberId.slice(memberId.length - uidLength);
  const guid = memberId.slice(0, memberId.length - uidLength - '_member_'.length);
  return JSON.stringify({ guid, uid, scope: SCOPES[scopeIndex], joinedAt });
}
