// Rocket.Chat's import REST endpoints (/api/v1/startImport, getImportFileData, getImportProgress)
// as a sandbox platform: X-User-Id/X-Auth-Token auth, the `run-import` permission, Rocket.Chat's
// per-endpoint per-client rate limit with its headers, and the operation's replies.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { readSelection } from '../rocketchat-import/selection-reader.js';
import { sendInjectedError, type FaultDecision } from './faults.js';
import { sendJson } from './http-util.js';
import type { PlatformDeps, PlatformRoutes } from './platform.js';
import { createRocketChatOperation } from './rocketchat-operation.js';
import type { ResolvedRocketChatOptions } from './rocketchat-options.js';

const PREFIX = '/api/v1/';
const ENDPOINTS: Record<string, 'GET' | 'POST'> = { startImport: 'POST', getImportFileData: 'GET', getImportProgress: 'GET' };

/** The seed's "No Permission" body, exactly. */
export const NO_PERMISSION_BODY = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]; // node lowercases header names: matching is case-insensitive
  return Array.isArray(v) ? v[0] : v;
}

function failure(code: string, text: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { success: false, error: `${text} [${code}]`, errorType: code, ...(details === undefined ? {} : { details }) };
}

export function createRocketChatRoutes(o: ResolvedRocketChatOptions, deps: PlatformDeps): PlatformRoutes {
  const { stats, now } = deps;
  const operation = createRocketChatOperation(o);
  // Fixed windows like Rocket.Chat's limiter: the count resets windowMs after a window's first call.
  const windows = new Map<string, { start: number; count: number }>();
  let maxInWindow = 0;
  let startRepliesToLose = o.startRepliesLost;

  /** Returns the rate headers, or undefined after answering 429. */
  function rateLimit(res: ServerResponse, key: string, nowMs: number): OutgoingHttpHeaders | undefined {
    if (o.rateLimit === 0) return {};
    let w = windows.get(key);
    if (w === undefined || nowMs >= w.start + o.rateWindowMs) {
      w = { start: nowMs, count: 0 };
      windows.set(key, w);
    }
    const reset = w.start + o.rateWindowMs;
    if (w.count >= o.rateLimit) {
      const seconds = Math.max(1, Math.ceil((reset - nowMs) / 1000));
      sendJson(res, 429, { success: false, error: `Error, too many requests. Please slow down. You must wait ${seconds} seconds before trying this endpoint again. [too-many-requests]` }, {
        'x-ratelimit-limit': String(o.rateLimit),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      });
      return undefined;
    }
    w.count++;
    if (w.count > maxInWindow) maxInWindow = w.count;
    return { 'x-ratelimit-limit': String(o.rateLimit), 'x-ratelimit-remaining': String(o.rateLimit - w.count), 'x-ratelimit-reset': String(reset) };
  }

  /** 'admin', 'plain' or undefined (not logged in). Tokens are compared, never echoed. */
  function whoIs(req: IncomingMessage): { role: 'admin' | 'plain'; userId: string } | undefined {
    const userId = header(req, 'x-user-id');
    const token = header(req, 'x-auth-token');
    if (!userId || !token) return undefined;
    if (userId === o.userId && token === o.authToken) return { role: 'admin', userId };
    if (o.plainUsers.some((u) => u.userId === userId && u.authToken === token)) return { role: 'plain', userId };
    return undefined;
  }

  function startImport(req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders): void {
    const check = operation.checkBody();
    readSelection(req, check.handlers, 'request body').then(
      () => {
        const problem = check.problem();
        if (problem !== undefined) {
          sendJson(res, 400, failure('invalid-params', problem), headers);
        } else if (!o.operationPrepared) {
          sendJson(res, 400, failure('error-operation-not-found', 'Import Operation Not Found', { method: 'startImport' }), headers);
        } else {
          operation.start(check.accepted());
          if (startRepliesToLose > 0) {
            // The import runs, but the client never hears so.
            startRepliesToLose--;
            stats.reset();
            req.socket.destroy();
            return;
          }
          sendJson(res, 200, { success: true }, headers);
        }
      },
      (err: Error) => {
        req.resume();
        sendJson(res, 400, { success: false, error: `${err.message} [error-invalid-body]`, errorType: 'error-invalid-body' }, headers);
      },
    );
  }

  function handle(req: IncomingMessage, res: ServerResponse, path: string, _body: string | undefined, fault: FaultDecision): void {
    const name = path.slice(PREFIX.length);
    const method = Object.hasOwn(ENDPOINTS, name) ? ENDPOINTS[name] : undefined;
    if (method === undefined || req.method !== method) {
      req.resume();
      sendJson(res, 404, { success: false, error: `API endpoint "${path}" not found [error-not-found]` });
      return;
    }
    const who = whoIs(req);
    if (who === undefined) {
      req.resume();
      sendJson(res, 401, { status: 'error', message: 'You must be logged in to do this.' });
      return;
    }
    const nowMs = now();
    const headers = rateLimit(res, `${who.userId}\u0000${name}`, nowMs);
    if (headers === undefined) {
      req.resume();
      return;
    }
    stats.admitted(nowMs, 0);
    if (fault.kind === 'reset') {
      stats.reset();
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'error' || fault.kind === 'spurious429') {
      req.resume();
      sendInjectedError(res, fault.kind === 'error' ? fault : { ...fault, errorStatus: 503, errorHtml: false });
      return;
    }
    if (who.role !== 'admin') {
      req.resume();
      sendJson(res, 403, NO_PERMISSION_BODY, headers);
      return;
    }
    if (name === 'startImport') {
      startImport(req, res, headers);
      return;
    }
    req.resume();
    if (!o.operationPrepared) {
      sendJson(res, 400, failure('error-operation-not-found', 'Import Operation Not Found', { method: name }), headers);
    } else if (name === 'getImportFileData') {
      sendJson(res, 200, operation.fileData(), headers);
    } else {
      sendJson(res, 200, operation.progress(), headers);
    }
  }

  return {
    name: 'rocketchat',
    readsOwnBody: true,
    matches: (path) => path.startsWith(PREFIX),
    handle,
    acceptedRecords: (kind) => operation.records(kind),
    maxRequestsInWindow: () => maxInWindow,
    acceptedCounts: () => operation.counts(),
    reset() {
      operation.reset();
      windows.clear();
      maxInWindow = 0;
      startRepliesToLose = o.startRepliesLost;
    },
  };
}
