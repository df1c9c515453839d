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
  /** Requests whose valid entities were stored before a 500 answer (faults.partialApplyRate). */
  partialApplies: number;
  /** Import requests and the entities they carried, by endpoint (kind): only kinds that got one. */
  byKind: Record<string, { requests: number; entities: number }>;
  /** Admitted requests (past auth and the rate limiter) whose body held exactly maxEntities entities. */
  fullRequests: number;
  /** Sandbox-clock ms of the first and last admitted request; null until one is admitted. */
  firstRequestAt: number | null;
  lastRequestAt: number | null;
  accepted: { members: number; users: number; groups: number; messages: number };
  /** CPU time (user + system) the sandbox process used since it started or was last reset: benchmarks divide it by the entities received. */
  cpuMs: number;
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
  partialApply(): void;
  /** An import request reached the endpoint of `kind` carrying `entities` entities (0: no entity map). */
  kindRequest(kind: string, entities: number): void;
  /**
   * A request passed auth and the rate limiter at `nowMs` (sandbox clock) carrying `entities`
   * entities (0 when its body held no entity map). Benchmarks derive the budget used from these.
   */
  admitted(nowMs: number, entities: number): void;
  /** Forgets everything except what is open right now (open sockets stay counted). */
  clear(): void;
  snapshot(extra: { maxRequestsInWindow: number; accepted: SandboxStats['accepted'] }): SandboxStats;
}

export interface StatsCollectorOptions {
  /** Entities per request the sandbox accepts: a request holding exactly this many is "full". */
  maxEntities: number;
}

export function createStatsCollector(options: StatsCollectorOptions): StatsCollector {
  const { maxEntities } = options;
  let requests = 0;
  let byStatus: Record<string, number> = {};
  let entitiesReceived = 0;
  let maxEntitiesPerRequest = 0;
  let open = 0;
  let maxOpen = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let resets = 0;
  let cpuAtClear = process.cpuUsage();
  let stalled = 0;
  let duplicates = 0;
  let partialApplies = 0;
  let byKind: Record<string, { requests: number; entities: number }> = {};
  let fullRequests = 0;
  let firstRequestAt: number | null = null;
  let lastRequestAt: number | null = null;

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
    partialApply() {
      partialApplies++;
    },
    kindRequest(kind, entities) {
      const k = (byKind[kind] ??= { requests: 0, entities: 0 });
      k.requests++;
      k.entities += entities;
    },
    admitted(nowMs, entities) {
      if (entities === maxEntities) fullRequests++;
      firstRequestAt ??= nowMs;
      lastRequestAt = nowMs;
    },
    clear() {
      cpuAtClear = process.cpuUsage();
      requests = 0;
      byStatus = {};
      entitiesReceived = 0;
      maxEntitiesPerRequest = 0;
      maxOpen = open;
      maxInFlight = inFlight;
      resets = 0;
      stalled = 0;
      duplicates = 0;
      partialApplies = 0;
      byKind = {};
      fullRequests = 0;
      firstRequestAt = null;
      lastRequestAt = null;
    },
    snapshot(extra) {
      const cpu = process.cpuUsage(cpuAtClear);
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
        partialApplies,
        byKind: structuredClone(byKind),
        fullRequests,
        firstRequestAt,
        lastRequestAt,
        accepted: { ...extra.accepted },
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
    },
  };
}
