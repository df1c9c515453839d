// Questions: (1) with no quota, how fast does `import` deliver into the local sandbox compared
// with `validate` on the same data (target ≥ 0.8×)? The client is pinned to one core and the
// sandbox to the other; both client runs use one thread (--workers 0). (2) Under a quota, does a run use ≥ 98% of its budget with ≥ 99% full
// batches, never exceeding it? A short window (1 s) stands in for CometChat's minute.

import { benchInput } from '../lib/bench-data.js';
import { median, runProbe } from '../lib/measure.js';
import { startSandboxProcess } from '../lib/sandbox-process.js';
import type { BenchRow, BenchSuite } from '../lib/types.js';

const KEY = 'bench-key';
export const IMPORT_RATIO_TARGET = 0.8;
export const BUDGET_USE_TARGET = 0.98;
export const FULL_BATCH_TARGET = 0.99;

export const importSuite: BenchSuite = {
  name: 'import',
  question: 'import records/s into the sandbox vs validate on the same data (≥ 0.8×); budget use under a quota (≥ 98%, ≥ 99% full batches)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    // The sandbox keeps every accepted record in memory, so the unlimited run uses a bounded size.
    const bytes = Math.min(ctx.sizeBytes, 300e6);
    const input = await benchInput({ format: 'ndjson', bytes, seed: 77, dupRate: 0.01, invalidRate: 0.01 });
    const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', '0', '--compact-records'], 0);
    try {
      const imp: number[] = [];
      const val: number[] = [];
      for (let i = 0; i < ctx.reps; i++) {
        await sandbox.reset();
        const r = await runProbe('import-probe', [input.path, sandbox.baseUrl, KEY, '--rpm', '0', '--connections', '4', '--workers', '0'], { core: 1 });
        const stats = await sandbox.stats();
        const accepted = (stats['accepted'] as { members: number }).members;
        if (r.output['imported'] !== input.expected.valid || accepted !== input.expected.valid) {
          throw new Error(`import delivered ${String(r.output['imported'])}, sandbox accepted ${accepted}, expected ${input.expected.valid}`);
        }
        imp.push(input.expected.read / ((r.output['ms'] as number) / 1000));
        const v = await runProbe('validate-probe', [input.path, '--workers', '0'], { core: 1 });
        val.push(input.expected.read / ((v.output['ms'] as number) / 1000));
      }
      const value = median(imp);
      const baseline = median(val);
      ctx.log(`import (no quota): ${Math.round(value)} records/s vs validate ${Math.round(baseline)} records/s = ${(value / baseline).toFixed(2)}x`);
      rows.push({ bench: 'import', case: `ndjson ${(input.bytes / 1e6).toFixed(0)} MB, 4 connections, no quota`, value, unit: 'records/s', baseline, ratio: value / baseline, target: IMPORT_RATIO_TARGET, pass: value / baseline >= IMPORT_RATIO_TARGET });
    } finally {
      await sandbox.stop();
    }
    rows.push(...(await budgetRun(ctx)));
    return rows;
  },
};

async function budgetRun(ctx: { log(l: string): void }): Promise<BenchRow[]> {
  // 20 requests per second: like CometChat's quota, a budget the server is nowhere near saturated
  // by. (The governor times a window from each reply, so a server kept busy by a burst of the
  // whole budget would shift every window by the burst's processing time.)
  const rpm = 20;
  const windowMs = 1000;
  const requests = 600; // 30 windows
  const input = await benchInput({ format: 'ndjson', count: requests * 50, seed: 78 });
  const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', String(rpm), '--window-ms', String(windowMs), '--compact-records'], 0);
  try {
    const r = await runProbe('import-probe', [input.path, sandbox.baseUrl, KEY, '--rpm', String(rpm), '--rate-window-ms', String(windowMs), '--connections', '8'], { core: 1 });
    const stats = (await sandbox.stats()) as { requests: number; maxRequestsInWindow: number; fullRequests?: number; firstRequestAt?: number; lastRequestAt?: number; byStatus: Record<string, number> };
    const span = (stats.lastRequestAt ?? 0) - (stats.firstRequestAt ?? 0) + windowMs;
    const budget = (rpm * span) / windowMs;
    const used = stats.requests / budget;
    const full = (stats.fullRequests ?? 0) / stats.requests;
    const over = stats.maxRequestsInWindow > rpm || (stats.byStatus['429'] ?? 0) > 0;
    ctx.log(`import under ${rpm} req/${windowMs} ms: ${stats.requests} requests in ${(span / 1000).toFixed(1)} s of budget = ${(used * 100).toFixed(1)}% used, ${(full * 100).toFixed(1)}% full batches, max ${stats.maxRequestsInWindow} in any window, ${stats.byStatus['429'] ?? 0} throttled`);
    if (r.output['imported'] !== input.expected.valid) throw new Error(`budget run delivered ${String(r.output['imported'])} of ${input.expected.valid}`);
    return [
      { bench: 'import-budget', case: `${rpm} req per ${windowMs} ms`, value: used, unit: 'share of budget used', target: BUDGET_USE_TARGET, pass: used >= BUDGET_USE_TARGET && !over, notes: `max ${stats.maxRequestsInWindow} in a window` },
      { bench: 'import-full-batches', case: `${rpm} req per ${windowMs} ms`, value: full, unit: 'share of full batches', target: FULL_BATCH_TARGET, pass: full >= FULL_BATCH_TARGET },
    ];
  } finally {
    await sandbox.stop();
  }
}
