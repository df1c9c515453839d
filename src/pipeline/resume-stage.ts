// Crash safety around the stages (--checkpoint): hash the input as it is read, keep the delivery
// journal, save checkpoints on a cadence; and for a resumed run (--resume), prove that the input
// read again is the one the checkpoint settled before anything beyond it counts or is saved.

import type { Checkpoint } from '../accounting/checkpoint-file.js';
import { createCheckpointer, type Checkpointer } from '../accounting/checkpointer.js';
import { openDeliveryJournal, type DeliveryJournal } from '../accounting/delivery-journal.js';
import type { Ledger } from '../accounting/ledger.js';
import { createHeadKeeper, createPrefixHasher, type PrefixHasher } from '../accounting/prefix-hasher.js';
import type { RejectsWriter } from '../accounting/rejects-writer.js';
import { runIdentity, verifyHead, verifyReplay, type ResumePoint } from '../accounting/resume.js';
import type { RunConfig } from '../config.js';
import type { Log } from '../log.js';
import type { DeliveryStats } from '../sinks/sink.js';
import type { ReadStage } from './read-stage.js';

export interface Safekeeping {
  readonly hasher: PrefixHasher | undefined;
  readonly journal: DeliveryJournal | undefined;
  readonly checkpointer: Checkpointer | undefined;
  /** A resumed run re-reading its settled prefix (nothing is saved until it is proved). */
  readonly replaying: boolean;
  /** Sees every input chunk (the hash, and the head check of a resumed run). */
  onChunk(chunk: Buffer): void;
  /** After each block: the hash follows the re-read prefix, so no read-ahead is held for it. */
  afterBlock(ledger: Ledger): void;
  /** The resume point is reached (`more`: a record follows it) or the input ended: verify the re-read prefix. */
  finishReplay(ledger: Ledger, more: boolean): void;
  /** Opens the journal and starts saving checkpoints (a fresh run marks its checkpoint at once). */
  start(ledger: Ledger, rejects: RejectsWriter | undefined, delivery: (() => DeliveryStats) | undefined): Promise<void>;
}

export interface SafekeepingDeps {
  config: RunConfig;
  resume: ResumePoint | undefined;
  input: ReadStage;
  job: string;
  nowSeconds: number;
  startedAt: number;
  log: Log;
}

export function createSafekeeping(d: SafekeepingDeps): Safekeeping {
  const path = d.config.checkpoint;
  const checkpoint: Checkpoint | undefined = d.resume?.checkpoint;
  const hasher = path ? createPrefixHasher() : undefined;
  const head = path ? createHeadKeeper() : undefined;
  let journal: DeliveryJournal | undefined;
  let checkpointer: Checkpointer | undefined;
  let headChecked = checkpoint === undefined;
  let replaying = checkpoint !== undefined;

  function checkHead(): void {
    if (!headChecked) verifyHead(d.resume!, d.input.name, head!);
    headChecked = true;
  }

  return {
    hasher,
    get journal() {
      return journal;
    },
    get checkpointer() {
      return checkpointer;
    },
    get replaying() {
      return replaying;
    },
    onChunk(chunk) {
      hasher?.push(chunk);
      head?.push(chunk);
      if (!headChecked && head!.kept >= (checkpoint!.input.head?.bytes ?? 0)) checkHead();
    },
    afterBlock(ledger) {
      if (replaying) hasher?.advanceTo(ledger.replayed().byteEnd);
    },
    finishReplay(ledger, more) {
      if (!replaying) return;
      checkHead();
      const { counts, byteEnd } = ledger.replayed();
      verifyReplay(d.resume!, d.input.name, { format: d.input.format, records: counts.read, byteEnd, sha256: hasher!.digestAt(byteEnd), counts, more });
      replaying = false;
      d.log.info({ records: checkpoint!.watermark.records, bytes: byteEnd }, 'resumed: input verified up to the checkpoint');
    },
    async start(ledger, rejects, delivery) {
      if (!path || !hasher || !head) return;
      journal = openDeliveryJournal(path, d.job, d.resume?.nextJournal ?? 0, checkpoint?.journal);
      checkpointer = createCheckpointer({
        path,
        run: { ...(await runIdentity(d.config, d.job, { kind: d.input.kind, retentionDays: d.input.retentionDays })), nowSeconds: d.nowSeconds },
        inputName: d.input.name,
        head,
        ledger,
        hasher,
        journal,
        rejects,
        format: () => d.input.format,
        delivery: () => delivery?.(),
        pendingWindow: () => d.resume?.window.values() ?? [],
        prior: { delivery: checkpoint?.delivery ?? { requests: 0, retries: 0, throttled: 0, sentEntities: 0 }, elapsedMs: checkpoint?.elapsedMs ?? 0 },
        startedAt: d.startedAt,
        intervalMs: d.config.checkpointIntervalMs,
      });
      if (!checkpoint) await checkpointer.save('running');
      checkpointer.startTicking(() => replaying);
    },
  };
}
