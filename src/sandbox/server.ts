// The sandbox HTTP server: owns sockets, statistics and fault decisions, and hands each request
// to the platform module whose paths it matches (CometChat now; Rocket.Chat can be mounted next).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createCometChatRoutes } from './cometchat-import.js';
import { createRocketChatRoutes } from './rocketchat-import.js';
import { decideFault, faultsEnabled, NO_FAULT, type FaultDecision } from './faults.js';
import { MAX_BODY_BYTES, readBody, sendError } from './http-util.js';
import { handleIntrospection, INTROSPECTION_PREFIX } from './introspection.js';
import { resolveSandboxOptions, type SandboxOptions } from './options.js';
import type { PlatformRoutes } from './platform.js';
import { createStatsCollector, type SandboxStats } from './stats.js';

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/v3': what a client passes as --base-url. */
  baseUrl: string;
  stats(): SandboxStats;
  /**
   * id -> accepted record (a parsed copy of what is stored), in acceptance order. Rocket.Chat kinds:
   * 'rocketchat-imports' (one per accepted startImport), 'rocketchat-users' / 'rocketchat-channels'
   * (entries selected for import, as sent; ids as {"id"} in the short form), keyed by position.
   */
  accepted(kind: 'members' | 'users' | 'groups' | 'messages' | 'rocketchat-imports' | 'rocketchat-users' | 'rocketchat-channels'): Map<string, unknown>;
  /** Forgets accepted records, statistics, rate windows and the fault sequence. */
  reset(): void;
  /** Stops listening and destroys every socket (idle keep-alive ones too) at once. */
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const o = resolveSandboxOptions(options);
  const stats = createStatsCollector({ maxEntities: o.maxEntities });
  const deps = { stats, now: o.now };
  const cometchat = createCometChatRoutes(o, deps);
  const rocketchat = createRocketChatRoutes(o.rocketchat, deps);
  const platforms: PlatformRoutes[] = [cometchat, rocketchat];
  const faultsOn = faultsEnabled(o.faults);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requestIndex = 0; // arrival order of platform requests: what fault decisions key on

  const snapshot = (): SandboxStats => {
    let maxInWindow = 0;
    for (const p of platforms) maxInWindow = Math.max(maxInWindow, p.maxRequestsInWindow());
    const counts = cometchat.acceptedCounts();
    return stats.snapshot({
      maxRequestsInWindow: maxInWindow,
      accepted: { members: counts['members'] ?? 0, users: counts['users'] ?? 0, groups: counts['groups'] ?? 0, messages: counts['messages'] ?? 0 },
    });
  };
  const acceptedRecords = (kind: string): IterableIterator<[string, string]> | undefined => {
    for (const p of platforms) {
      const found = p.acceptedRecords(kind);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const reset = (): void => {
    for (const p of platforms) p.reset();
    stats.clear();
    requestIndex = 0;
  };
  const introspection = { stats: snapshot, acceptedRecords, reset };

  function handle(platform: PlatformRoutes, req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, fault: FaultDecision): void {
    platform.handle(req, res, path, body, fault);
  }

  function dispatch(platform: PlatformRoutes, req: IncomingMessage, res: ServerResponse, path: string, fault: FaultDecision): void {
    const read = platform.readsOwnBody === true ? (done: (body: undefined) => void) => done(undefined) : (done: (body: string | undefined) => void) => readBody(req, MAX_BODY_BYTES, done);
    read((body) => {
      if (fault.delayMs <= 0) {
        handle(platform, req, res, path, body, fault);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) handle(platform, req, res, path, body, fault);
      }, fault.delayMs);
      timers.add(timer);
    });
  }

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.startsWith(INTROSPECTION_PREFIX)) {
      handleIntrospection(req, res, path, introspection);
      return;
    }
    stats.requestStarted();
    // 'close' follows both a finished answer and a connection lost first (reset, stall, client).
    res.once('close', () => stats.requestEnded(res.headersSent ? res.statusCode : 0));
    const platform = platforms.find((p) => p.matches(path));
    if (platform === undefined) {
      req.resume();
      sendError(res, 404, 'ERR_NOT_FOUND', `Nothing here: ${path}.`);
      return;
    }
    const fault = faultsOn ? decideFault(o.faults, requestIndex++) : NO_FAULT;
    if (fault.kind === 'stall') {
      // Never answered, body never read: the client sees a server that stopped (close() ends it).
      stats.stalled();
      return;
    }
    dispatch(platform, req, res, path, fault);
  });
  // Longer than clients' idle timeouts, so benchmarks never race a server-side keep-alive close.
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    stats.connectionOpened();
    socket.once('close', () => {
      sockets.delete(socket);
      stats.connectionClosed();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    baseUrl: `${url}/v3`,
    stats: snapshot,
    accepted: (kind) => parseRecords(acceptedRecords(kind)),
    reset,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** Records are kept as JSON text; callers get fresh parsed copies, in acceptance order. */
function parseRecords(texts: Iterable<[string, string]> | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (texts !== undefined) for (const [id, text] of texts) out.set(id, JSON.parse(text));
  return out;
}
