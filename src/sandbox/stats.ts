// Counters the sandbox keeps about the traffic it saw, each updated in O(1) per event.

export interface SandboxStats {
  requests: number;
  byStatus: Record<string, number>;
  entitiesReceived: number;
  maxEntitiesPerRequest: number;
  maxOpenConnections: number;
  maxInFlight: number;
  /** Most requests admitted by the rate limiter within any one window of windowMs. */
  maxRequestsInWindow: number;
  /** Sockets destroyed by fault injection. */
  resets: number;
  /** Requests left unanswered on purpose (faults.stallAfter). */
  stalled: number;
  /** Entities sent again after they had been accepted. */
  duplicateDeliveries: number;
  accepted: { members: number; users: number; groups: number };
}

export interface StatsCollector {
  connectionOpened(): void;
  connectionClosed(): void;
  requestStarted(): void;
  /** `status` 0 means the request ended without an answer (reset, stall, client gone). */
  requestEnded(status: number): void;
  entities(count: number): void;
  reset(): void;
  stalled(): void;
  duplicate(): void;
  /** Forgets everything except what is open right now (open sockets stay counted). */
  clear(): void;
  snapshot(extra: { maxRequestsInWindow: number; accepted: SandboxStats['accepted'] }): SandboxStats;
}

export function createStatsCollector(): StatsCollector {
  let requests = 0;
  let byStatus: Record<string, number> = {};
  let entitiesReceived = 0;
  let maxEntitiesPerRequest = 0;
  let open = 0;
  let maxOpen = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let resets = 0;
  let stalled = 0;
  let duplicates = 0;

  return {
    connectionOpened() {
      open++;
      if (open > maxOpen) maxOpen = open;
    },
    connectionClosed() {
      open--;
    },
    requestStarted() {
      requests++;
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
    },
    requestEnded(status) {
      inFlight--;
      if (status > 0) byStatus[status] = (byStatus[status] ?? 0) + 1;
    },
    entities(count) {
      entitiesReceived += count;
      if (count > maxEntitiesPerRequest) maxEntitiesPerRequest = count;
    },
    reset() {
      resets++;
    },
    stalled() {
      stalled++;
    },
    duplicate() {
      duplicates++;
    },
    clear() {
      requests = 0;
      byStatus = {};
      entitiesReceived = 0;
      maxEntitiesPerRequest = 0;
      maxOpen = open;
      maxInFlight = inFlight;
      resets = 0;
      stalled = 0;
      duplicates = 0;
    },
    snapshot(extra) {
      return {
        requests,
        byStatus: { ...byStatus },
        entitiesReceived,
        maxEntitiesPerRequest,
        maxOpenConnections: maxOpen,
        maxInFlight,
        maxRequestsInWindow: extra.maxRequestsInWindow,
        resets,
        stalled,
        duplicateDeliveries: duplicates,
        accepted: { ...extra.accepted },
      };
    },
  };
}
