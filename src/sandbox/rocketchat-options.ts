// Options of the sandbox's Rocket.Chat import endpoints: public shape, documented defaults, one check.

import { ChatmigrateError } from '../errors.js';

export type RocketChatBodyForm = 'array' | 'short';

export interface RocketChatSelectionData {
  users: unknown[];
  channels: unknown[];
  message_count?: number;
}

export interface RocketChatSandboxOptions {
  /** The admin (holds `run-import`); defaults 'sandbox-admin' / 'sandbox-token'. */
  userId?: string;
  authToken?: string;
  /** Logged-in users without `run-import`: their calls get the 403 "No Permission" body. */
  plainUsers?: ReadonlyArray<{ userId: string; authToken: string }>;
  /** The startImport body form this server accepts; the other answers 400 invalid-params. Default 'array' (3.0+ documented). */
  bodyForm?: RocketChatBodyForm;
  /** An import file has been uploaded and prepared (default true); false: 400 error-operation-not-found. */
  operationPrepared?: boolean;
  /** getImportFileData answers {"waiting": true} this many times before the selection (default 0). */
  fileDataWaits?: number;
  /** What getImportFileData answers once ready (default: a small built-in selection). */
  fileData?: RocketChatSelectionData;
  /** getImportProgress polls after startImport until the final step (default 3). */
  progressPolls?: number;
  /** End the import with importer_import_failed instead of importer_done. */
  importFails?: boolean;
  /**
   * The first N accepted startImport calls start the import and then lose their reply (the
   * connection is dropped): a client must find the import running rather than start it again.
   */
  startRepliesLost?: number;
  /** Calls per endpoint per client in one window (Rocket.Chat's default 10); 0 = unlimited. */
  rateLimit?: number;
  /** Rate window length (default 60000: Rocket.Chat's per-minute limit; tests use short windows). */
  rateWindowMs?: number;
  /** Entries kept for introspection (counts stay exact beyond it); default 100000. */
  maxStoredEntries?: number;
}

export type ResolvedRocketChatOptions = Readonly<{
  userId: string;
  authToken: string;
  plainUsers: ReadonlyArray<{ userId: string; authToken: string }>;
  bodyForm: RocketChatBodyForm;
  operationPrepared: boolean;
  fileDataWaits: number;
  fileData: RocketChatSelectionData;
  progressPolls: number;
  importFails: boolean;
  startRepliesLost: number;
  rateLimit: number;
  rateWindowMs: number;
  maxStoredEntries: number;
}>;

/** A small selection in the documented shape: one of each case the selection rules know. */
export const DEFAULT_FILE_DATA: RocketChatSelectionData = Object.freeze({
  users: [
    { user_id: 'testbh', username: 'testbh', email: 'testbh@example.com', is_deleted: false, is_bot: false, do_import: true, is_email_taken: false },
    { user_id: 'rocket.cat', username: 'rocket.cat', email: '', is_deleted: false, is_bot: true, do_import: true, is_email_taken: false },
    { user_id: 'gone.user', username: 'gone.user', email: 'gone@example.com', is_deleted: true, is_bot: false, do_import: true, is_email_taken: false },
  ],
  channels: [
    { channel_id: 'WDuJLFkjwk6L7LdFC', name: 'dlp', is_archived: false, do_import: true, is_private: false, is_direct: false },
    { channel_id: 'old-room', name: 'old-room', is_archived: true, do_import: true, is_private: true, is_direct: false },
    { channel_id: '__directMessages__', name: 'Direct Messages', is_archived: false, do_import: true, is_private: true, is_direct: true },
  ],
  message_count: 42,
});

function bad(option: string, expected: string, given: unknown): ChatmigrateError {
  return new ChatmigrateError('CM_CONFIG', `sandbox option rocketchat.${option} expects ${expected}, got ${typeof given === 'string' ? JSON.stringify(given) : String(given)}`);
}

function int(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw bad(option, `an integer from ${min} to ${max}`, value);
  return value;
}

function secret(option: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  // Never echo a credential back.
  if (typeof value !== 'string' || value === '') throw new ChatmigrateError('CM_CONFIG', `sandbox option rocketchat.${option} expects a non-empty string`);
  return value;
}

export function resolveRocketChatOptions(o: RocketChatSandboxOptions = {}): ResolvedRocketChatOptions {
  const bodyForm = o.bodyForm ?? 'array';
  if (bodyForm !== 'array' && bodyForm !== 'short') throw bad('bodyForm', '"array" or "short"', bodyForm);
  const plainUsers = (o.plainUsers ?? []).map((u, i) => ({ userId: secret(`plainUsers[${i}].userId`, u.userId, ''), authToken: secret(`plainUsers[${i}].authToken`, u.authToken, '') }));
  const fileData = o.fileData ?? DEFAULT_FILE_DATA;
  if (!Array.isArray(fileData.users) || !Array.isArray(fileData.channels)) throw bad('fileData', '{users: [...], channels: [...]}', typeof fileData);
  return Object.freeze({
    userId: secret('userId', o.userId, 'sandbox-admin'),
    authToken: secret('authToken', o.authToken, 'sandbox-token'),
    plainUsers,
    bodyForm,
    operationPrepared: o.operationPrepared ?? true,
    fileDataWaits: int('fileDataWaits', o.fileDataWaits, 0, 0, 1_000_000),
    fileData,
    progressPolls: int('progressPolls', o.progressPolls, 3, 1, 1_000_000),
    importFails: o.importFails ?? false,
    startRepliesLost: int('startRepliesLost', o.startRepliesLost, 0, 0, 1_000_000),
    rateLimit: int('rateLimit', o.rateLimit, 10, 0, 1_000_000_000),
    rateWindowMs: int('rateWindowMs', o.rateWindowMs, 60_000, 1, 24 * 3600 * 1000),
    maxStoredEntries: int('maxStoredEntries', o.maxStoredEntries, 100_000, 0, 100_000_000),
  });
}
