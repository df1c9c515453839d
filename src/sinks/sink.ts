// The contract between the pipeline and a delivery sink: records in, one final outcome per record out.

/** One validated record ready to send. */
export interface PendingRecord {
  /** The entity id the target keys the record by (for CometChat members: memberId). */
  key: string;
  /** Canonical JSON text of the normalized record; spliced into the request body as is. */
  json: string;
  /** Position of the record in the input, so checkpoints and the rejects file can point at it. */
  index: number;
}

export type RecordOutcome =
  /** `id`: the id the target gave the record (CometChat messages), when the sink was asked for ids. */
  | { kind: 'imported'; id?: string }
  | { kind: 'alreadyPresent'; code: string }
  /** The server's per-entity code and message; never retried. */
  | { kind: 'rejected'; code: string; message: string };

export interface DeliveryStats {
  /** HTTP requests that reached the server (every attempt, retries included): a reply, or a failure after the request was written. */
  requests: number;
  /** Re-sends (whole or partial) after a request that reached the server. */
  retries: number;
  /** Times the target said "too many requests" (HTTP 429 or a per-entity ERR_TOO_MANY_REQUESTS). */
  throttled: number;
  /** Attempts whose connection failed (refused, DNS, connect timeout): nothing was sent, not counted in `requests`. */
  connectFailures: number;
  /** Entities put on the wire, re-sends included. */
  sentEntities: number;
  /** Highest number of requests in flight at once. */
  maxInFlight: number;
}

export interface DeliveryCallbacks {
  /** Called exactly once per record, as soon as its final outcome is known. */
  onOutcome(record: PendingRecord, outcome: RecordOutcome): void;
  /** Every record of the batch has its final outcome (the checkpoint hook). */
  onBatchSettled?(batch: readonly PendingRecord[]): void;
  /**
   * These records go on the wire now (a first send or a re-send), called synchronously just
   * before the request is written: the delivery journal records exactly what may have arrived.
   */
  onSend?(records: readonly PendingRecord[]): void;
  /**
   * The request that carried these records was refused as a whole before anything in it was
   * processed (auth refused, rate limited), or its connection failed before anything was written:
   * they did not arrive, whatever onSend recorded.
   */
  onRefused?(records: readonly PendingRecord[]): void;
}

export interface Sink {
  /**
   * Hand over a batch (≤ batchSize records). Resolves once it has been admitted into the in-flight
   * window — callers await it before reading more input, which is how backpressure reaches the
   * parser. Rejects (or makes later calls/drain reject) with a ChatmigrateError on a fatal failure
   * (auth, target unreachable, retries exhausted).
   */
  submit(batch: PendingRecord[]): Promise<void>;
  /** Wait until everything submitted has settled; rejects with the first fatal error. */
  drain(): Promise<void>;
  /** Stop sending: abort in-flight requests after graceMs, close the pool. Records never settled are reported by `unsettled()`. */
  close(graceMs?: number): Promise<void>;
  /** Every record handed to submit() that has no final outcome (admitted or still waiting for admission). */
  unsettled(): PendingRecord[];
  stats(): DeliveryStats;
}

/** The former name of Sink, kept while callers move over. */
export type Target = Sink;

/** The pino-compatible subset the delivery layer logs through (fixed messages, data in fields). */
export interface DeliveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}
