// The contract between the sandbox server and each platform it imitates (CometChat today,
// Rocket.Chat next): the server owns sockets, statistics and fault decisions; a platform owns
// its paths, auth, rate limit, validation and replies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultDecision } from './faults.js';
import type { StatsCollector } from './stats.js';

export interface PlatformDeps {
  stats: StatsCollector;
  /** Milliseconds clock (injectable for tests). */
  now: () => number;
}

export interface PlatformRoutes {
  readonly name: string;
  /** The platform reads (streams) the request body itself; `handle` then gets `body` undefined. */
  readonly readsOwnBody?: boolean;
  /** True for request paths (query string removed) this platform answers. */
  matches(path: string): boolean;
  /**
   * Answers one request whose body has been read. `fault` is the injected failure drawn for it;
   * the platform applies it where the real service would fail (after auth, around its limiter).
   */
  handle(req: IncomingMessage, res: ServerResponse, path: string, body: string | undefined, fault: FaultDecision): void;
  /** [id, JSON text] of accepted records of one kind (e.g. 'members') in acceptance order, or undefined if the platform has no such kind. */
  acceptedRecords(kind: string): IterableIterator<[string, string]> | undefined;
  /** The busiest rate window this platform's limiter has seen. */
  maxRequestsInWindow(): number;
  /** Accepted counts for the statistics, by kind. */
  acceptedCounts(): Record<string, number>;
  /** Forget everything accepted and the rate window. */
  reset(): void;
}
