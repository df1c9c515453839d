// The Rocket.Chat source, in two uses.
//
// 1. Members (`validate|import --from rocketchat INPUT --rooms ROOMS --users USERS`, SPEC §2.4):
//    loads the rooms and users into compact tables, then maps each subscription of INPUT to a
//    member (map-subscription.ts). Ids go on as they are; the record core lowercases and judges them.
//
// 2. A whole workspace (`migrate --from rocketchat`, SPEC §2.5), in four phases that share one
//    id rule (toCometChatId) and one set of decisions about rooms and users:
//
//      const { tables, placeholders } = await loadRocketChatWorkspace(
//        { users, rooms, messages }, { fileUrl, sentAfter: now - retentionDays * 86400 }, log);
//      const map = createWorkspaceMappers(tables, { nowSeconds, fileUrl, deletedUserName });
//      phase users:    input = Readable.from(usersPhaseInput(tables)), mapper map.users
//      phase groups:   input = the rooms export,          mapper map.groups
//      phase members:  input = the subscriptions export,  mapper map.members
//      phase messages: input = the messages export,       mapper map.messages
//
//    loadRocketChatWorkspace reads users, then rooms, then scans the messages once to make a
//    placeholder user for every user a message needs but the users export lacks (deleted users);
//    `placeholders` counts them and their messages, for the report. The users phase reads the
//    tables' own NDJSON (usersPhaseInput), not the users export: it holds no `services`. Skip
//    rules per phase: workspace-rules.ts (rooms, users), map-member.ts, map-message.ts.
//
// The mappings read tables that live on the main thread, so these sources' blocks are decoded
// there (--workers does not apply): sharing the tables with workers would need SharedArrayBuffer
// tables and a loader per worker, for little gain. One record costs one JSON.parse, a few table
// look-ups and the usual validation, far above the delivery quota's pace (bench/RESULTS.md).

import type { Log } from '../../log.js';
import type { RecordMapper } from '../mapped-record.js';
import { loadRocketChatTables, type TableFiles } from './load-tables.js';
import type { RocketChatTables } from './lookup-tables.js';
import { mapGroup } from './map-group.js';
import { mapMember } from './map-member.js';
import { mapMessage } from './map-message.js';
import { mapSubscription } from './map-subscription.js';
import { mapUser } from './map-user.js';
import type { WorkspaceOptions } from './workspace-records.js';

/** Reads the rooms and users exports, then maps subscriptions to members. */
export async function createSubscriptionMapper(files: TableFiles, nowSeconds: number, log: Log): Promise<RecordMapper> {
  const tables = await loadRocketChatTables(files, log);
  return (value) => mapSubscription(value, tables, nowSeconds);
}

export interface WorkspaceMappers {
  /** Phase 1: a line of usersPhaseInput (or a users document) → a user. */
  users: RecordMapper;
  /** Phase 2: a rooms document → a group. */
  groups: RecordMapper;
  /** Phase 3: a subscriptions document → a member. */
  members: RecordMapper;
  /** Phase 4: a messages document → a message. */
  messages: RecordMapper;
}

/** One mapper per phase over the loaded (sealed) tables; pure, so any phase can be re-run. */
export function createWorkspaceMappers(tables: RocketChatTables, options: WorkspaceOptions): WorkspaceMappers {
  return {
    users: (value) => mapUser(value, tables, options),
    groups: (value) => mapGroup(value, tables),
    members: (value) => mapMember(value, tables, options),
    messages: (value) => mapMessage(value, tables, options),
  };
}

export { loadRocketChatTables } from './load-tables.js';
export { loadRocketChatWorkspace, type LoadedWorkspace, type WorkspaceFiles } from './load-workspace.js';
export { mapSubscription } from './map-subscription.js';
export { createRocketChatTables, type RocketChatTables } from './lookup-tables.js';
export { toCometChatId } from './cometchat-id.js';
export { usersPhaseInput } from './users-phase-input.js';
export { checkFileUrlTemplate } from './message-content.js';
export { DEFAULT_DELETED_USER_NAME, type WorkspaceOptions } from './workspace-records.js';
export { type PlaceholderCounts, type PlaceholderScanOptions } from './placeholder-scan.js';
export { classifyRoom, ROOM_RULES, USER_RULES, userState, type RoomClass, type UserState } from './workspace-rules.js';
export { MEMBER_RULES } from './map-member.js';
export { MESSAGE_RULES } from './map-message.js';
