// The CometChat user and group a Rocket.Chat user, deleted user or room becomes in a workspace
// migration (SPEC §2.5). One builder per entity, shared by the phase that imports it and by the
// details a member carries, so both always say the same thing.
//
// | Rocket.Chat                                   | CometChat user                                   |
// |-----------------------------------------------|--------------------------------------------------|
// | `_id`                                         | uid (toCometChatId)                              |
// | `name ?? username ?? _id` (first with text)   | name, cut to 100 characters                      |
// | `avatarUrl` (absolute http(s) only)           | avatar                                           |
// | `createdAt`, `lastLogin`                      | createdAt, lastActiveAt                          |
// | `active: false`                               | deactivatedAt (see deactivatedAt())              |
// | `type: bot` or role `bot`                     | tags ["bot"]                                     |
// | `roles` (the first one in the role map)       | role (only with a role map: a role must exist)   |
// | `_id`, `username`                             | metadata {rcId, username}                        |
//
// | Rocket.Chat room                              | CometChat group                                  |
// |-----------------------------------------------|--------------------------------------------------|
// | `_id`                                         | guid (toCometChatId)                             |
// | `fname ?? name` (direct: usernames; else id)  | name, cut to 100 characters                      |
// | `t` p, direct of 3+ / c+joinCode / c          | type private / password / public                 |
// | `u._id` (when imported as a user)             | owner                                            |
// | `ts`                                          | createdAt                                        |
// | archived, prid, teamMain, ro, direct of 3+    | tags archived, discussion, team, read-only, group-dm |
// | `_id`, `prid`                                 | metadata {rcId, parentRid}                       |

import { hasText } from '../../entities/values.js';
import { toCometChatId } from './cometchat-id.js';
import { ROOM_TYPE, roomTags, USER_BOT, USER_INACTIVE, type PlaceholderView, type RocketChatTables, type RoomView, type UserView } from './lookup-tables.js';
import { ownerId } from './workspace-rules.js';

export const DEFAULT_DELETED_USER_NAME = 'Deleted user';
const NAME_CHARS = 100;
/** Room for rcId in the 5 KB of metadata: a username longer than this is left out. */
const METADATA_TEXT_CHARS = 1000;
const BOT_TAGS = ['bot'];
const DELETED_TAGS = ['deleted-user'];

export interface WorkspaceOptions {
  /** "Now" in UNIX seconds: the deactivation time of a user whose document carries no date. */
  nowSeconds: number;
  /** `--file-url TEMPLATE` ({fileId}, {name}, {rid}); without it files are not attachments. */
  fileUrl?: string | undefined;
  /** A dump's files step: whether the file was written to --attachments-dir (absent: every file is). */
  fileAvailable?: ((fileId: string) => boolean) | undefined;
  /** `--deleted-user-name`: the name of every placeholder user (default "Deleted user"). */
  deletedUserName?: string | undefined;
  /** Rocket.Chat role → CometChat role; a user takes the first of its roles found here. */
  roles?: Readonly<Record<string, string>> | undefined;
}

/** The CometChat user for a user of the export. */
export function userRecord(user: UserView, options: WorkspaceOptions): Record<string, unknown> {
  const record: Record<string, unknown> = { uid: toCometChatId(user.id), name: displayName([user.ownName, user.username], user.id) };
  if (user.avatar !== undefined) record['avatar'] = user.avatar;
  const role = roleOf(user.roles ?? ['user'], options.roles);
  if (role !== undefined) record['role'] = role;
  if (user.createdAt > 0) record['createdAt'] = user.createdAt;
  if (user.lastLogin > 0) record['lastActiveAt'] = user.lastLogin;
  if (user.flags & USER_INACTIVE) record['deactivatedAt'] = deactivatedAt(user, options.nowSeconds);
  if (user.flags & USER_BOT) record['tags'] = BOT_TAGS;
  record['metadata'] = metadataOf(user.id, user.username);
  return record;
}

/**
 * The stand-in for a message sender (or direct-message partner) missing from the users export.
 * Not deactivated: CometChat may refuse messages of deactivated users (research §1.4).
 */
export function placeholderRecord(user: PlaceholderView, options: WorkspaceOptions): Record<string, unknown> {
  const metadata = metadataOf(user.id, user.username);
  metadata['deletedUser'] = true;
  return { uid: toCometChatId(user.id), name: options.deletedUserName ?? DEFAULT_DELETED_USER_NAME, tags: DELETED_TAGS, metadata };
}

/** The CometChat group for a room the groups phase imports (c, p, direct of 3+). */
export function groupRecord(room: RoomView, tables: RocketChatTables): Record<string, unknown> {
  const g: Record<string, unknown> = { guid: toCometChatId(room.id), name: displayName([room.name], room.id) };
  if (room.type === ROOM_TYPE.c && room.joinCode !== undefined) {
    g['type'] = 'password';
    g['password'] = room.joinCode;
  } else g['type'] = room.type === ROOM_TYPE.c ? 'public' : 'private';
  const owner = ownerId(room.owner, tables);
  if (owner !== undefined) g['owner'] = owner;
  if (room.createdAt > 0) g['createdAt'] = room.createdAt;
  const tags = roomTags(room.flags, room.type === ROOM_TYPE.d);
  if (tags) g['tags'] = tags;
  const metadata: Record<string, unknown> = { rcId: room.id };
  if (room.parent !== undefined) metadata['parentRid'] = room.parent;
  g['metadata'] = metadata;
  return g;
}

/**
 * Rocket.Chat keeps no deactivation time. The document's last change (`_updatedAt`) is the
 * closest known time at or after it; failing that the latest known activity (lastLogin,
 * createdAt). A date from the data keeps re-runs and resumed runs byte-identical; "now" is the
 * last resort, for a document that carries no date at all.
 */
export function deactivatedAt(user: { updatedAt: number; lastLogin: number; createdAt: number }, nowSeconds: number): number {
  const known = Math.max(user.updatedAt, user.lastLogin, user.createdAt);
  return known > 0 ? known : nowSeconds;
}

/** The first candidate with visible text, else the id; cut to CometChat's 100 characters. */
export function displayName(candidates: ReadonlyArray<string | undefined>, id: string): string {
  const name = candidates.find((c) => c !== undefined && hasText(c)) ?? id;
  if (name.length <= NAME_CHARS) return name;
  const points = Array.from(name);
  return points.length <= NAME_CHARS ? name : points.slice(0, NAME_CHARS).join('');
}

function roleOf(roles: readonly string[], map: Readonly<Record<string, string>> | undefined): string | undefined {
  if (map === undefined) return undefined;
  for (const r of roles) if (Object.hasOwn(map, r)) return map[r];
  return undefined;
}

function metadataOf(id: string, username: string | undefined): Record<string, unknown> {
  const m: Record<string, unknown> = { rcId: id };
  if (username !== undefined && username.length <= METADATA_TEXT_CHARS) m['username'] = username;
  return m;
}

