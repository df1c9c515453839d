// The sandbox's Rocket.Chat import operation: what getImportFileData serves, the startImport body
// check in either form (ajv-like messages, streamed entry by entry), the progress steps a started
// import walks through, and what was selected (for tests to inspect).

import type { SelectionHandlers, SelectionKind } from '../rocketchat-import/selection-walker.js';
import type { ResolvedRocketChatOptions, RocketChatBodyForm } from './rocketchat-options.js';

/** Rocket.Chat's progress steps of a running import, in order (ProgressStep in the importer). */
export const IMPORT_STEPS = [
  'importer_importing_started',
  'importer_importing_users',
  'importer_importing_channels',
  'importer_importing_messages',
  'importer_finishing',
] as const;

const USER_FIELDS: ReadonlyArray<[string, 'string' | 'boolean']> = [
  ['user_id', 'string'], ['username', 'string'], ['email', 'string'], ['is_deleted', 'boolean'],
  ['is_bot', 'boolean'], ['do_import', 'boolean'], ['is_email_taken', 'boolean'],
];
const CHANNEL_FIELDS: ReadonlyArray<[string, 'string' | 'boolean']> = [
  ['channel_id', 'string'], ['name', 'string'], ['is_archived', 'boolean'], ['do_import', 'boolean'],
  ['is_private', 'boolean'], ['is_direct', 'boolean'],
];

/** What one accepted startImport selected. */
export interface AcceptedImport {
  form: RocketChatBodyForm;
  users: { received: number; selected: number; all: boolean };
  channels: { received: number; selected: number; all: boolean };
}

export interface BodyCheck {
  handlers: SelectionHandlers;
  /** undefined when the body is valid for this server's form, else the ajv-like message. */
  problem(): string | undefined;
  accepted(): AcceptedImport;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entryProblem(kind: SelectionKind, index: number, value: unknown): string | undefined {
  const at = `/input/${kind}/${index}`;
  if (!isObject(value)) return `${at} must be object`;
  for (const [field, type] of kind === 'users' ? USER_FIELDS : CHANNEL_FIELDS) {
    if (!(field in value)) return `${at} must have required property '${field}'`;
    if (typeof value[field] !== type) return `${at}/${field} must be ${type}`;
  }
  if (kind === 'channels' && 'creator' in value && value['creator'] !== undefined && typeof value['creator'] !== 'string') return `${at}/creator must be string`;
  return undefined;
}

export function createRocketChatOperation(o: ResolvedRocketChatOptions) {
  let fileDataCalls = 0;
  let started: { polls: number; total: number } | undefined;
  const imports: AcceptedImport[] = [];
  const stored: Record<SelectionKind, string[]> = { users: [], channels: [] };
  const selectedCounts: Record<SelectionKind, number> = { users: 0, channels: 0 };

  function checkBody(): BodyCheck {
    let problem: string | undefined;
    const forms: Partial<Record<SelectionKind, { form: string; wrapped: boolean }>> = {};
    const acc: AcceptedImport = { form: o.bodyForm, users: { received: 0, selected: 0, all: false }, channels: { received: 0, selected: 0, all: false } };
    const pending: Record<SelectionKind, string[]> = { users: [], channels: [] };
    const keep = (kind: SelectionKind, text: string): void => {
      if (stored[kind].length + pending[kind].length < o.maxStoredEntries) pending[kind].push(text);
    };
    const handlers: SelectionHandlers = {
      form(kind, form, wrapped) {
        forms[kind] = { form, wrapped };
        if (!wrapped) problem ??= `must have required property 'input'`;
        else if (form !== o.bodyForm) problem ??= `/input/${kind} must be ${o.bodyForm === 'array' ? 'array' : 'object'}`;
      },
      entry(kind, value) {
        const n = acc[kind].received++;
        if (problem !== undefined || o.bodyForm !== 'array') return;
        problem = entryProblem(kind, n, value);
        if (problem === undefined && (value as Record<string, unknown>)['do_import'] === true) {
          acc[kind].selected++;
          keep(kind, JSON.stringify(value));
        }
      },
      shortAll(kind, all) {
        if (typeof all !== 'boolean') problem ??= `/input/${kind}/all must be boolean`;
        else acc[kind].all = all;
      },
      shortId(kind, id) {
        const n = acc[kind].received++;
        if (typeof id !== 'string') problem ??= `/input/${kind}/list/${n} must be string`;
        else if (problem === undefined) {
          acc[kind].selected++;
          keep(kind, JSON.stringify({ id }));
        }
      },
    };
    return {
      handlers,
      problem() {
        if (problem !== undefined) return problem;
        if (o.bodyForm === 'array') {
          for (const kind of ['users', 'channels'] as const) if (forms[kind] === undefined) return `/input must have required property '${kind}'`;
        }
        return undefined;
      },
      accepted() {
        // Only a valid body is recorded: the stored entries then describe accepted imports only.
        for (const kind of ['users', 'channels'] as const) {
          for (const text of pending[kind]) stored[kind].push(text);
          selectedCounts[kind] += acc[kind].selected;
        }
        return acc;
      },
    };
  }

  return {
    /** getImportFileData's answer for this call. */
    fileData(): Record<string, unknown> {
      if (fileDataCalls++ < o.fileDataWaits) return { waiting: true, success: true };
      return { ...o.fileData, success: true };
    },
    checkBody,
    start(acc: AcceptedImport): void {
      imports.push(acc);
      const users = acc.users.all ? o.fileData.users.length : acc.users.selected;
      const channels = acc.channels.all ? o.fileData.channels.length : acc.channels.selected;
      started = { polls: 0, total: users + channels };
    },
    /** getImportProgress's answer; every call after startImport moves one step on. */
    progress(): Record<string, unknown> {
      if (started === undefined) {
        return { key: 'sandbox', name: 'Sandbox', step: 'importer_user_selection', count: { total: 0, completed: 0, error: 0 }, success: true };
      }
      const poll = ++started.polls;
      const total = started.total;
      if (poll >= o.progressPolls) {
        const failed = o.importFails;
        const completed = failed ? Math.floor(total / 2) : total;
        return { key: 'sandbox', name: 'Sandbox', step: failed ? 'importer_import_failed' : 'importer_done', count: { total, completed, error: failed ? total - completed : 0 }, success: true };
      }
      const share = poll / o.progressPolls;
      const step = IMPORT_STEPS[Math.min(IMPORT_STEPS.length - 1, Math.floor(share * IMPORT_STEPS.length))] as string;
      return { key: 'sandbox', name: 'Sandbox', step, count: { total, completed: Math.floor(total * share), error: 0 }, success: true };
    },
    records(kind: string): IterableIterator<[string, string]> | undefined {
      if (kind === 'rocketchat-users') return pairs(stored.users);
      if (kind === 'rocketchat-channels') return pairs(stored.channels);
      if (kind === 'rocketchat-imports') return pairs(imports.map((i) => JSON.stringify(i)));
      return undefined;
    },
    counts(): Record<string, number> {
      return { 'rocketchat-imports': imports.length, 'rocketchat-users': selectedCounts.users, 'rocketchat-channels': selectedCounts.channels };
    },
    reset(): void {
      fileDataCalls = 0;
      started = undefined;
      imports.length = 0;
      stored.users = [];
      stored.channels = [];
      selectedCounts.users = 0;
      selectedCounts.channels = 0;
    },
  };
}

export type RocketChatOperation = ReturnType<typeof createRocketChatOperation>;

function* pairs(texts: string[]): IterableIterator<[string, string]> {
  for (let i = 0; i < texts.length; i++) yield [String(i), texts[i] as string];
}
