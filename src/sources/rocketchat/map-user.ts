// Users phase of a workspace migration: one users document (or placeholder line) → one CometChat
// user. The document is found in the tables by its `_id` and mapped from there (workspace-records.ts),
// so the user a member or a message names is exactly the one this phase imports. The phase's input
// is best the tables' own NDJSON (users-phase-input.ts): it never holds a user's `services`.

import type { MappedRecord } from '../mapped-record.js';
import { idText } from './extended-json.js';
import type { RocketChatTables } from './lookup-tables.js';
import { placeholderRecord, userRecord, type WorkspaceOptions } from './workspace-records.js';
import { userState } from './workspace-rules.js';

export function mapUser(value: unknown, tables: RocketChatTables, options: WorkspaceOptions): MappedRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'NOT_AN_OBJECT', message: 'the user is not a JSON object' };
  }
  const id = idText((value as Record<string, unknown>)['_id']);
  if (id === undefined) return { kind: 'invalid', reason: 'MISSING_UID', message: 'the user has no _id' };
  const state = userState(id, tables);
  switch (state.kind) {
    case 'user':
      return { kind: 'record', record: userRecord(tables.user(id)!, options) };
    case 'placeholder':
      return { kind: 'record', record: placeholderRecord(tables.users.placeholder(id)!, options) };
    case 'missing':
      return { kind: 'invalid', reason: 'USER_NOT_FOUND', message: `user ${JSON.stringify(id)} is not in the users export the tables were loaded from` };
    default:
      return state;
  }
}
