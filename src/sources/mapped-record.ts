// What a source's mapping step (between JSON.parse and validation) makes of one input document:
// a record of the kind being read, a skip by one of the source's rules, or an invalid document.

import type { ReasonCode } from '../entities/reasons.js';

export type MappedRecord =
  | { kind: 'record'; record: unknown }
  | { kind: 'skip'; rule: string }
  | { kind: 'invalid'; reason: ReasonCode; message: string };

/** Runs on the thread that holds the source's tables (the main thread). */
export type RecordMapper = (value: unknown) => MappedRecord;
