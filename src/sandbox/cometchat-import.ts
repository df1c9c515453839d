// CometChat's Data Import endpoints (POST /v3/data_import/{users,groups,members,messages}) as a
// sandbox platform: auth, rate limit, injected faults, wrapper checks, then one outcome per entity.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendInjectedError, type FaultDecision } from './faults.js';
import { sendError, sendText } from './http-util.js';
import { createCometChatStore, IMPORT_KINDS, type ImportKind } from './cometchat-store.js';
import { importGroup, importMember, importUser, isPlainObject, type EntityContext } from './cometchat-entities.js';
import { importMessage } from './cometchat-messages.js';
import { createRateWindow, type RateWindow } from './rate-window.js';
import type { PlatformDeps, PlatformRoutes } from './platform.js';

export interface CometChatRouteOptions {
  apiKey: string;
  rpm: number;
  windowMs: number;
  maxEntities: number;
  authErrorStatus: number;
  nestedReplies: boolean;
  requireKnownGroupsAndUsers: boolean;
  storeFullRecords: boolean;
  /** One rate window per endpoint instead of one shared by all four (CometChat does not say). */
  ratePerEndpoint: boolean;
  /** Messages older than this many days are refused (0 = none). */
  messageRetentionDays: number;
}

const PREFIX = '/v3/data_import/';
const FLAT_OPEN = '":{"success":true,"data":';
const FLAT_CLOSE = '}';
// Some documented examples nest the entity one level deeper: data.<id>.data.data.
const NESTED_OPEN = '":{"success":true,"data":{"data":';
const NESTED_CLOSE = '}}';

interface Endpoint {
  kind: ImportKind;
  formatCode: string;
  entity: string;
  run: typeof importMember;
}

const ENDPOINTS: Record<string, Endpoint> = {
  members: { kind: 'members', formatCode: 'ERR_IMPORT_INVALID_MEMBER_FORMAT', entity: 'member', run: importMember },
  users: { kind: 'users', formatCode: 'ERR_IMPORT_INVALID_USER_FORMAT', entity: 'user', run: importUser },
  groups: { kind: 'groups', formatCode: 'ERR_IMPORT_INVALID_GROUP_FORMAT', entity: 'group', run: importGroup },
  messages: { kind: 'messages', formatCode: 'ERR_IMPORT_INVALID_MESSAGE_FORMAT', entity: 'message', run: importMessage },
};

export function createCometChatRoutes(options: CometChatRouteOptions, deps: PlatformDeps): PlatformRoutes {
  const { stats, now } = deps;
  const store = createCometChatStore();
  const shared = createRateWindow(options.rpm, options.windowMs);
  const windows = Object.fromEntries(
    IMPORT_KINDS.map((kind) => [kind, options.ratePerEndpoint && kind !== 'members' ? createRateWindow(options.rpm, options.windowMs) : shared]),
  ) as Record<ImportKind, RateWindow>;
  // Reused for every entity: only nowSec changes per request.
  const ctx: EntityContext = {
    store,
    nowSec: 0,
    requireKnownGroupsAndUsers: options.requireKnownGroupsAndUsers,
    storeFullRecords: options.storeFullRecords,
    messageRetentionDays: options.messageRetentionDays,
    onDuplicate: () => stats.duplicate(),
  };

  function tooManyRequests(res: ServerResponse, waitMs: number, nowMs: number): void {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    sendError(res, 429, 'ERR_TOO_MANY_REQUESTS', `Too many requests. Please retry after ${seconds} seconds.`, {
      'retry-after': String(seconds),
      'x-rate-limit-reset': String(Math.ceil((nowMs + waitMs) / 1000)),
    });
  }

  /** Auth, rate limit and injected faults; answers and returns false when the request stops here. */
  function gate(req: IncomingMessage, res: ServerResponse, kind: ImportKind, fault: FaultDecision, nowMs: number, entities: number): boolean {
    // The key is compared, never echoed.
    const key = req.headers['apikey'];
    if (key === undefined || key === '') {
      sendError(res, options.authErrorStatus, 'AUTH_ERR_EMPTY_APIKEY', 'The apikey header is missing or empty.');
      return false;
    }
    if (key !== options.apiKey) {
      sendError(res, options.authErrorStatus, 'AUTH_ERR_APIKEY_NOT_FOUND', 'The API key given does not belong to this app.');
      return false;
    }
    if (fault.kind === 'spurious429') {
      tooManyRequests(res, 1000, nowMs);
      return false;
    }
    const waitMs = windows[kind].tryAdmit(nowMs);
    if (waitMs > 0) {
      tooManyRequests(res, waitMs, nowMs);
      return false;
    }
    stats.admitted(nowMs, entities);
    // Injected failures happen after admission: the request reached the service and used quota.
    if (fault.kind === 'reset') {
      stats.reset();
      req.socket.destroy();
      return false;
    }
    if (fault.kind === 'error') {
      sendInjectedError(res, fault);
      return false;
    }
    return true;
  }

  /** One outcome per entity, spliced from per-entity JSON texts (~10x cheaper than stringifying objects). */
  function importAll(endpoint: Endpoint, entities: Record<string, unknown>, keys: string[], nowMs: number): string {
    ctx.nowSec = Math.floor(nowMs / 1000);
    const run = endpoint.run;
    const open = options.nestedReplies ? NESTED_OPEN : FLAT_OPEN;
    const close = options.nestedReplies ? NESTED_CLOSE : FLAT_CLOSE;
    let reply = '{"data":{';
    for (let i = 0; i < keys.length; i++) {
      const id = keys[i] as string;
      const outcome = run(id, entities[id], ctx);
      if (i > 0) reply += ',';
      if (typeof outcome === 'string') {
        // An accepted id matched [a-z0-9_-]: it needs no escaping.
        reply += '"' + id + open + outcome + close;
      } else {
        reply += JSON.stringify(id) + ':' + JSON.stringify({ success: false, error: { code: outcome.code, message: outcome.message } });
      }
    }
    return reply + '}}';
  }

  function handle(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, fault: FaultDecision): void {
    const name = path.slice(PREFIX.length);
    const endpoint = Object.hasOwn(ENDPOINTS, name) ? ENDPOINTS[name] : undefined;
    if (endpoint === undefined) {
      sendError(res, 404, 'ERR_NOT_FOUND', `No data import endpoint at ${path}.`);
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, 405, 'ERR_METHOD_NOT_ALLOWED', 'Data import endpoints accept POST only.', { allow: 'POST' });
      return;
    }
    if (body === undefined) {
      sendError(res, 413, 'ERR_BAD_REQUEST', 'The request body is too large.');
      return;
    }
    // Parsed first, so the entity statistics cover every request the client sent.
    const parsed = parseWrapper(body, endpoint.kind);
    stats.kindRequest(endpoint.kind, parsed.keys?.length ?? 0);
    if (parsed.keys !== undefined) stats.entities(parsed.keys.length);
    const nowMs = now();
    if (!gate(req, res, endpoint.kind, fault, nowMs, parsed.keys?.length ?? 0)) return;

    const { entities, keys } = parsed;
    if (parsed.malformed) {
      sendError(res, 400, 'ERR_BAD_REQUEST', 'The request body is not valid JSON.');
    } else if (entities === undefined || keys === undefined || keys.length === 0) {
      sendError(res, 400, endpoint.formatCode, `The value for ${name} property should be a non-empty object of ${endpoint.entity} objects keyed by id.`);
    } else if (keys.length > options.maxEntities) {
      sendError(res, 400, 'ERR_BAD_REQUEST', `At most ${options.maxEntities} ${name} can be imported in one request; got ${keys.length}.`);
    } else {
      const reply = importAll(endpoint, entities, keys, nowMs);
      if (fault.kind === 'partialApply') {
        // The valid rows are stored, and the reply is lost in a server error (vendor recipe).
        stats.partialApply();
        sendError(res, 500, 'ERR_EXCEPTION', 'An exception occurred while processing the request (injected by the sandbox after storing the valid entities).');
      } else sendText(res, 200, reply, 'application/json');
    }
  }

  return {
    name: 'cometchat',
    matches: (path) => path.startsWith(PREFIX),
    handle,
    acceptedRecords: (kind) => (Object.hasOwn(ENDPOINTS, kind) ? store.records(kind as ImportKind) : undefined),
    maxRequestsInWindow: () => Math.max(...IMPORT_KINDS.map((kind) => windows[kind].maxInWindow)),
    acceptedCounts: () => Object.fromEntries(IMPORT_KINDS.map((kind) => [kind, store.count(kind)])),
    reset() {
      store.clear();
      for (const kind of IMPORT_KINDS) windows[kind].reset();
    },
  };
}

interface ParsedWrapper {
  malformed: boolean;
  /** The map of entities when the body is `{"<kind>": {...}}`. */
  entities?: Record<string, unknown>;
  keys?: string[];
}

/** Parses the body once; the wrapper must be an object holding an object of entities. */
function parseWrapper(body: string, kind: ImportKind): ParsedWrapper {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { malformed: true };
  }
  const wrapped = isPlainObject(parsed) ? parsed[kind] : undefined;
  if (!isPlainObject(wrapped)) return { malformed: false };
  return { malformed: false, entities: wrapped, keys: Object.keys(wrapped) };
}
