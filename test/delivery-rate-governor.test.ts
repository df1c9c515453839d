// Unit tests for the rate governor on a fake clock: sliding-window cap, full budget use, global pause.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as flush } from 'node:timers/promises';
import { createRateGovernor, createRateWindow, type Clock, type Timer } from '../src/sinks/rate-governor.js';

/** A fake clock and timer queue; `advanceTo` fires due timers in time order, letting promises settle between. */
function createFakeTime(): Clock & Timer & { advanceTo(t: number): Promise<void>; sleep(ms: number): Promise<void> } {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const fake = {
    now: () => now,
    set(fn: () => void, ms: number) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clear(handle: unknown) {
      timers.delete(handle as number);
    },
    sleep(ms: number) {
      return new Promise<void>((resolve) => fake.set(resolve, ms));
    },
    async advanceTo(t: number) {
      await flush();
      for (let guard = 0; guard < 1_000_000; guard++) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (next === undefined || entry[1].at < next[1].at) next = entry;
        if (next === undefined || next[1].at > t) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
        await flush();
      }
      now = t;
    },
  };
  return fake;
}

/** Largest number of stamps inside any half-open window [t, t + windowMs). */
function maxInAnyWindow(stamps: number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < stamps.length; hi++) {
    while (stamps[hi]! - stamps[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Time for the budget of n windows to be spent, as a share of the ideal n x windowMs (1 = every slot used on time). */
function budgetUse(stamps: number[], rpm: number, windowMs: number): number {
  const n = Math.floor((stamps.length - 1) / rpm);
  return (n * windowMs) / (stamps[n * rpm]! - stamps[0]!);
}

/**
 * `senders` loops that acquire, then hold the "request" for requestMs, until finish(). Each request
 * "arrives" at the server after a deterministic pseudo-random latency below requestMs (a server
 * cannot answer before it has received), which is what the server's window counts.
 */
async function runSenders(options: { rpm: number; windowMs: number; guardMs?: number; senders: number; requestMs: number; reportReplies?: boolean }) {
  const time = createFakeTime();
  const governor = createRateGovernor({ rpm: options.rpm, windowMs: options.windowMs, guardMs: options.guardMs, clock: time, timer: time });
  const stamps: number[] = [];
  const arrivals: number[] = [];
  const stop = new AbortController();
  let seed = 12345;
  const latency = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    // Mostly fast, sometimes almost the whole request time (a cold connection, a GC pause).
    return seed % 7 === 0 ? options.requestMs * 0.95 : (seed % 1000) / 1000 * options.requestMs * 0.2;
  };
  const loops = Array.from({ length: options.senders }, async () => {
    try {
      for (;;) {
        const answered = await governor.acquire(stop.signal);
        stamps.push(time.now());
        arrivals.push(time.now() + latency());
        if (options.requestMs > 0) await time.sleep(options.requestMs);
        if (options.reportReplies ?? true) answered();
      }
    } catch {
      // aborted at the end of the run
    }
  });
  /** Stop the loops: abort waiters, let sleeping "requests" end so their next acquire sees the abort. */
  const finish = async (): Promise<void> => {
    stop.abort(new Error('done'));
    await time.advanceTo(time.now() + options.requestMs + 1);
    await Promise.all(loops);
    arrivals.sort((a, b) => a - b);
  };
  return { time, governor, stamps, arrivals, finish };
}

test('never more than rpm arrivals in any sliding window, and the budget is used in full', async () => {
  const rpm = 10;
  const windowMs = 1000;
  const run = await runSenders({ rpm, windowMs, senders: 4, requestMs: 8 });
  await run.time.advanceTo(20_000);
  await run.finish();
  assert.ok(maxInAnyWindow(run.stamps, windowMs) <= rpm, `max starts in a window: ${maxInAnyWindow(run.stamps, windowMs)}`);
  assert.ok(maxInAnyWindow(run.arrivals, windowMs) <= rpm, `max arrivals in a window: ${maxInAnyWindow(run.arrivals, windowMs)}`);
  assert.ok(run.stamps.length >= 190 && run.stamps.length <= 210, `granted ${run.stamps.length}`);
  const use = budgetUse(run.stamps, rpm, windowMs);
  assert.ok(use >= 0.98 && use <= 1, `budget use ${use}`);
  assert.equal(run.governor.granted, run.stamps.length);
});

test('control: counting starts alone (no arrival allowance) lets late arrivals overfill a window', async () => {
  // Proves the previous test can fail: with guard 0 and no reply times, arrivals cross windows.
  const run = await runSenders({ rpm: 10, windowMs: 1000, guardMs: 0, senders: 4, requestMs: 40, reportReplies: false });
  await run.time.advanceTo(20_000);
  await run.finish();
  assert.ok(maxInAnyWindow(run.stamps, 1000) <= 10);
  assert.ok(maxInAnyWindow(run.arrivals, 1000) > 10, `max arrivals ${maxInAnyWindow(run.arrivals, 1000)}`);
});

test('a long run at 60/min uses ≥98% of the budget, even when replies never report back', async () => {
  const rpm = 60;
  const windowMs = 60_000;
  for (const reportReplies of [true, false]) {
    const run = await runSenders({ rpm, windowMs, senders: 8, requestMs: 700, reportReplies });
    await run.time.advanceTo(30 * windowMs);
    await run.finish();
    assert.ok(maxInAnyWindow(run.arrivals, windowMs) <= rpm);
    const use = budgetUse(run.stamps, rpm, windowMs);
    // With replies the cost is one round trip per window (~98.8%); without, the 1 s guard (~98.4%).
    assert.ok(use >= 0.98 && use <= 1, `budget use ${use} (replies ${reportReplies})`);
  }
});

test('a throttle pause stops every sender until its end, then they resume', async () => {
  const run = await runSenders({ rpm: 0, windowMs: 1000, senders: 3, requestMs: 10 });
  await run.time.advanceTo(100);
  run.governor.pauseFor(500); // as a 429 with Retry-After would ask, from t = 100 to t = 600
  await run.time.advanceTo(1000);
  await run.finish();
  const during = run.stamps.filter((t) => t > 100 && t < 600);
  assert.deepEqual(during, []);
  assert.ok(run.stamps.filter((t) => t <= 100).length >= 3 * 10, 'senders ran before the pause');
  assert.equal(run.stamps.filter((t) => t === 600).length, 3, 'all three resume at the pause end');
  assert.ok(run.stamps.filter((t) => t > 600).length > 30);
});

test('pure window: pause and window combine, replies tighten the arrival bound', () => {
  const w = createRateWindow(2, 1000);
  w.recordStart(0);
  w.recordStart(10);
  assert.equal(w.delayAt(20), 980);
  w.pauseUntil(1500);
  assert.equal(w.delayAt(20), 1480);
  w.pauseUntil(1200); // a shorter pause never shortens the current one
  assert.equal(w.pausedUntil, 1500);
  assert.equal(w.delayAt(1500), 0);

  const g = createRateWindow(2, 1000, 100);
  const t0 = g.recordStart(0);
  const t1 = g.recordStart(10);
  assert.equal(g.delayAt(20), 1080); // no reply yet: start + guard + window
  g.answered(t0, 30);
  assert.equal(g.delayAt(20), 1010); // reply at 30: the server had it by then
  g.answered(t0, 500); // a later report never loosens the bound
  assert.equal(g.delayAt(20), 1010);
  const t2 = g.recordStart(1030); // slot of t0 reused
  g.answered(t1, 12);
  // Next slot is t1's (bound 12), but t0 left the ring with bound 30: the larger one rules.
  assert.equal(g.delayAt(1030), 0);
  assert.equal(g.delayAt(1029), 1);
  g.answered(t0, 0); // out of the ring: ignored
  assert.equal(t2, 2);

  const unlimited = createRateWindow(0, 1000);
  for (let i = 0; i < 1000; i++) unlimited.recordStart(i);
  assert.equal(unlimited.delayAt(1000), 0);
});

test('acquire is FIFO, abortable, and close rejects waiters', async () => {
  const time = createFakeTime();
  const governor = createRateGovernor({ rpm: 1, windowMs: 1000, guardMs: 0, clock: time, timer: time });
  const order: string[] = [];
  (await governor.acquire())();
  const ac = new AbortController();
  const a = governor.acquire().then(() => order.push('a'));
  const b = governor.acquire(ac.signal).then(
    () => order.push('b'),
    (err: Error) => order.push(`b:${err.message}`),
  );
  const c = governor.acquire().then(
    () => order.push('c'),
    (err: Error) => order.push(`c:${err.message}`),
  );
  ac.abort(new Error('aborted'));
  await time.advanceTo(1000);
  assert.deepEqual(order, ['b:aborted', 'a']);
  governor.close(new Error('closed'));
  await Promise.all([a, b, c]);
  assert.deepEqual(order, ['b:aborted', 'a', 'c:closed']);
  await assert.rejects(governor.acquire(), /closed/);
  assert.equal(governor.waiting, 0);
});
