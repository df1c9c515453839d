// Saves checkpoints at a steady cadence and on every stop. A save takes its snapshot in one
// synchronous step (watermark, counts, rejects length, window, journal rotation, prefix hash) so
// the parts agree, then makes the rejects file durable and writes the checkpoint atomically.

import type { DeliveryStats } from '../sinks/sink.js';
import { VERSION } from '../version.js';
import { CHECKPOINT_VERSION, saveCheckpoint, type Checkpoint, type WindowEntry } from './checkpoint-file.js';
import type { DeliveryJournal } from './delivery-journal.js';
import type { Ledger } from './ledger.js';
import { HEAD_BYTES, type HeadKeeper, type PrefixHasher } from './prefix-hasher.js';
import type { RejectsWriter } from './rejects-writer.js';

export interface CheckpointerDeps {
  path: string;
  run: Checkpoint['run'];
  inputName: string;
  /** The input's first bytes, for the head hash. */
  head: HeadKeeper;
  ledger: Ledger;
  hasher: PrefixHasher;
  journal: DeliveryJournal;
  rejects: RejectsWriter | undefined;
  /** The format the input is read as, once known. */
  format(): string | undefined;
  /** This run's delivery figures (undefined for validate). */
  delivery(): DeliveryStats | undefined;
  /** Sent records beyond the watermark the ledger has not reached yet (a resumed run's leftovers). */
  pendingWindow(): Iterable<WindowEntry>;
  /** Figures of the runs before this one (a resumed run), added to this run's. */
  prior: { delivery: Checkpoint['delivery']; elapsedMs: number };
  startedAt: number;
  intervalMs: number;
}

export interface Checkpointer {
  /** Starts a save when the interval has passed and none is running. */
  tick(): void;
  /** Ticks on a timer from now on, skipping while `paused()` says so. */
  startTicking(paused: () => boolean): void;
  stopTicking(): void;
  /** Saves now (after any save in progress). */
  save(state: Checkpoint['state']): Promise<void>;
  /** The first failure of a background save, if any: the run must stop. */
  readonly failure: unknown;
  readonly saves: number;
}

export function createCheckpointer(deps: CheckpointerDeps): Checkpointer {
  let last = Date.now();
  let running: Promise<void> | undefined;
  let failure: unknown;
  let saves = 0;

  function snapshot(state: Checkpoint['state']): Checkpoint {
    const { ledger } = deps;
    const watermark = ledger.watermark();
    const stats = deps.delivery();
    const window = ledger.window();
    for (const entry of deps.pendingWindow()) window.push(entry);
    const p = deps.prior.delivery;
    const settled = ledger.settled();
    return {
      chatmigrate: 'checkpoint',
      version: CHECKPOINT_VERSION,
      tool: VERSION,
      savedAt: new Date().toISOString(),
      state,
      run: { ...deps.run, format: deps.format() ?? null },
      input: { name: deps.inputName, head: headUpTo(deps.head, watermark.byteEnd) },
      watermark: { ...watermark, sha256: deps.hasher.digestAt(watermark.byteEnd) },
      counts: settled.counts,
      skippedBy: settled.skippedBy,
      delivery: {
        requests: p.requests + (stats?.requests ?? 0),
        retries: p.retries + (stats?.retries ?? 0),
        throttled: p.throttled + (stats?.throttled ?? 0),
        sentEntities: p.sentEntities + (stats?.sentEntities ?? 0),
      },
      rejects: deps.rejects ? { bytes: deps.rejects.bytes, entries: deps.rejects.written } : null,
      window,
      // Lines written from here on go to the new journal file, which this checkpoint names.
      journal: deps.journal.rotate(),
      elapsedMs: deps.prior.elapsedMs + (Date.now() - deps.startedAt),
    };
  }

  async function write(state: Checkpoint['state']): Promise<void> {
    const checkpoint = snapshot(state);
    // The rejects it counts must be on disk before a checkpoint says so.
    if (deps.rejects) await deps.rejects.sync();
    await saveCheckpoint(deps.path, checkpoint);
    deps.journal.dropBefore(checkpoint.journal);
    saves++;
  }

  function save(state: Checkpoint['state']): Promise<void> {
    const next = (running ?? Promise.resolve()).catch(() => undefined).then(() => write(state));
    running = next.finally(() => {
      if (running === tracked) running = undefined;
    });
    const tracked = running;
    last = Date.now();
    return next;
  }

  let ticker: ReturnType<typeof setInterval> | undefined;
  function tick(): void {
    if (running || failure !== undefined || Date.now() - last < deps.intervalMs) return;
    save('running').catch((err: unknown) => (failure ??= err));
  }

  return {
    tick,
    startTicking(paused) {
      ticker = setInterval(() => {
        if (!paused()) tick();
      }, Math.min(1000, deps.intervalMs));
      ticker.unref();
    },
    stopTicking() {
      if (ticker) clearInterval(ticker);
      ticker = undefined;
    },
    save,
    get failure() {
      return failure;
    },
    get saves() {
      return saves;
    },
  };
}

/** The head hash covers only bytes below the watermark: a bad record after it may be fixed before resuming. */
function headUpTo(head: HeadKeeper, byteEnd: number): { bytes: number; sha256: string } {
  const bytes = Math.min(HEAD_BYTES, byteEnd, head.kept);
  return { bytes, sha256: head.hashOf(bytes) };
}
