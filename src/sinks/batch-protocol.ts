// What a batch target tells the delivery driver: where and how to send a batch, and a pure
// classifier that turns each reply into a decision the driver acts on.

import type { ChatmigrateError } from '../errors.js';
import type { HttpReply } from './http-pool.js';
import type { PendingRecord, RecordOutcome } from './sink.js';

/** The fatal verdict's code: the credentials were refused, or the target answered unusably. */
export type FatalCode = 'CM_AUTH' | 'CM_TARGET';

/**
 * A reply's decision, Vector-style: ok (every entity has a final outcome), partial (some entities
 * must be re-sent), retry (re-send the whole request), fatal (stop the run), rejectAll (the request
 * itself was refused: every entity gets that code, no retry).
 */
export type Classification =
  | { kind: 'ok'; outcomes: Map<string, RecordOutcome> }
  | {
      kind: 'partial';
      outcomes: Map<string, RecordOutcome>;
      retryKeys: string[];
      reason: string;
      throttled: boolean;
      waitMs: number | undefined;
    }
  | { kind: 'retry'; reason: string; throttled: boolean; waitMs: number | undefined }
  | { kind: 'fatal'; errorCode: FatalCode; reason: string; message: string }
  | { kind: 'rejectAll'; code: string; message: string };

export type FatalVerdict = Extract<Classification, { kind: 'fatal' }>;

export interface BatchProtocol {
  /** Names the target in log messages, e.g. "cometchat". */
  name: string;
  /** What a request does, for messages, e.g. "POST /data_import/members". */
  operation: string;
  /** Request path, including the API root's own path (e.g. /v3/data_import/members). */
  path: string;
  headers: Readonly<Record<string, string>>;
  /** The request body of these records (called just before the request is written). */
  encode(records: readonly PendingRecord[]): string | Uint8Array;
  /** Pure: the decision for one reply to a request that carried `keys`. */
  classify(reply: HttpReply, keys: readonly string[], nowMs: number): Classification;
  /** Removes credentials from any text shown to people (server messages may echo them). */
  scrub(text: string): string;
  /** The error that stops the run for a fatal verdict (messages scrubbed). */
  fatalError(verdict: FatalVerdict): ChatmigrateError;
  /** What to check when the target cannot be reached or a request cannot be formed (names the flags). */
  checkHint: string;
}
