// Questions: (1) with no quota, how fast does `import` deliver into the local sandbox compared
// with the split + JSON.parse floor and with `validate` on the same data (target ≥ 0.8×), at what
// request latency and with how many sockets? The client is pinned to one core and the sandbox to
// the other; client runs use one thread (--workers 0). Because the sandbox shares the machine,
// the client's own cost is also measured as CPU time per record against validate's, next to the
// HTTP floor: what a bare undici client spends per 50-record request (probes/http-floor-probe),
// which bounds how close to validate any import can get here. (2) Under a quota, does a run use
// ≥ 98% of its budget with ≥ 99% full batches, never exceeding it? A 1 s window stands in for the
// minute.

import { benchInput } from '../lib/bench-data.js';
import { bytesOf } from '../lib/bench-settings.js';
import { interleaveWithFloor, PROBE_CORE, throughputOf } from '../lib/floor.js';
import { median, runProbe } from '../lib/measure.js';
import { startSandboxProcess, startServerProcess } from '../lib/sandbox-process.js';
import { probePath } from '../lib/measure.js';
import { describeInput, sizeLabel, throughputInput } from '../lib/throughput-data.js';
import type { BenchContext, BenchRow, BenchSuite } from '../lib/types.js';

const KEY = 'bench-key';
export const IMPORT_RATIO_TARGET = 0.8;
export const BUDGET_USE_TARGET = 0.98;
export const FULL_BATCH_TARGET = 0.99;
const CONNECTIONS = 4;
/** Two processes on two cores: noisier than the single-core ratios. */
const IMPORT_TOLERANCE = 0.2;
/** Shares of a budget: a drop of 2 points is already a real change. */
const QUOTA_TOLERANCE = 0.02;

export const importSuite: BenchSuite = {
  name: 'import',
  question: 'import records/s into the sandbox without quota vs the floor and vs validate (≥ 0.8×), request latency p50/p99, sockets; under a quota: budget used (≥ 98%), full batches (≥ 99%)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    // The sandbox keeps every accepted record in memory, so the unlimited run uses a bounded size.
    const input = await throughputInput('ndjson', Math.min(bytesOf(ctx.settings.size), 300e6));
    ctx.setup(`no quota: ${describeInput('ndjson', input)}; client (--workers 0, ${CONNECTIONS} connections) pinned to core ${PROBE_CORE}, \`chatmigrate sandbox --compact-records\` pinned to core 0; floor and validate --workers 0 on core ${PROBE_CORE}; ${ctx.settings.reps} alternating reps, medians; latency client-side (undici diagnostics channels: request created → response complete); client CPU per record from process.cpuUsage; HTTP floor: bare undici Pool, ${CONNECTIONS} connections, one 50-record body of this input, against a server that only reads bodies and answers a fixed 50-entity reply (core 0)`);
    const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', '0', '--compact-records'], 0);
    const floorServer = await startServerProcess([probePath('http-floor-server')], 0);
    try {
      const { floor, rounds } = await interleaveWithFloor(input, ctx.settings.reps, async () => {
        await sandbox.reset();
        const r = await runProbe('import-probe', [input.path, sandbox.baseUrl, KEY, '--rpm', '0', '--connections', String(CONNECTIONS), '--workers', '0'], { core: PROBE_CORE });
        const stats = (await sandbox.stats()) as { accepted: { members: number }; maxOpenConnections: number; entitiesReceived: number; cpuMs: number };
        if (r.output['imported'] !== input.expected.valid || stats.accepted.members !== input.expected.valid) {
          throw new Error(`import delivered ${String(r.output['imported'])}, sandbox accepted ${stats.accepted.members}, expected ${input.expected.valid}`);
        }
        const v = await runProbe('validate-probe', [input.path, '--workers', '0'], { core: PROBE_CORE });
        const f = await runProbe('http-floor-probe', [input.path, floorServer.url, '--connections', String(CONNECTIONS)], { core: PROBE_CORE });
        const latency = r.output['latency'] as { p50Ms: number; p99Ms: number };
        const perRecord = (output: Record<string, unknown>) => ((output['cpuMs'] as number) * 1000) / input.expected.read;
        return {
          imp: throughputOf(input, r.output),
          val: throughputOf(input, v.output),
          latency,
          sockets: r.output['socketsOpened'] as number,
          serverMax: stats.maxOpenConnections,
          cpu: { imp: perRecord(r.output), val: perRecord(v.output), floor: f.output['cpuUsPerRecord'] as number, floorPerRequest: f.output['cpuUsPerRequest'] as number, sandbox: (stats.cpuMs * 1000) / stats.entitiesReceived },
        };
      });
      const value = median(rounds.map((r) => r.imp.recordsPerSecond));
      const validate = median(rounds.map((r) => r.val.recordsPerSecond));
      const p50 = median(rounds.map((r) => r.latency.p50Ms));
      const p99 = median(rounds.map((r) => r.latency.p99Ms));
      const sockets = Math.max(...rounds.map((r) => r.sockets));
      const serverMax = Math.max(...rounds.map((r) => r.serverMax));
      const vsFloor = value / floor.recordsPerSecond;
      const vsValidate = value / validate;
      // Client CPU per record (µs): import, validate on the same data, and the bare HTTP floor.
      const cpuImport = median(rounds.map((r) => r.cpu.imp));
      const cpuValidate = median(rounds.map((r) => r.cpu.val));
      const httpFloor = median(rounds.map((r) => r.cpu.floor));
      const httpFloorPerRequest = median(rounds.map((r) => r.cpu.floorPerRequest));
      const cpuSandbox = median(rounds.map((r) => r.cpu.sandbox));
      const cpuRatio = cpuValidate / cpuImport;
      const ceiling = cpuValidate / (cpuValidate + httpFloor);
      ctx.log(`import (no quota): ${Math.round(value)} records/s = ${vsFloor.toFixed(2)}x the floor (${Math.round(floor.recordsPerSecond)}/s), ${vsValidate.toFixed(2)}x validate (${Math.round(validate)}/s); latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; ${sockets} sockets`);
      ctx.log(`import client CPU ${cpuImport.toFixed(2)} µs/record vs validate ${cpuValidate.toFixed(2)} (${cpuRatio.toFixed(2)}x); bare HTTP ${httpFloor.toFixed(2)} µs/record (${httpFloorPerRequest.toFixed(0)} µs/request): ceiling ${ceiling.toFixed(2)}x validate; sandbox CPU ${cpuSandbox.toFixed(2)} µs/member (at most ${Math.round(1e6 / cpuSandbox)} members/s on its core)`);
      const c = `ndjson ${sizeLabel(input.bytes)}, ${CONNECTIONS} connections, no quota`;
      rows.push(
        { id: 'import/no-quota/vs-floor', bench: 'import', case: c, value, unit: 'records/s', baseline: floor.recordsPerSecond, ratio: vsFloor, guard: { value: vsFloor, better: 'higher', tolerance: IMPORT_TOLERANCE } },
        { id: 'import/no-quota/vs-validate', bench: 'import-vs-validate', case: c, value, unit: 'records/s', baseline: validate, ratio: vsValidate, target: IMPORT_RATIO_TARGET, pass: vsValidate >= IMPORT_RATIO_TARGET, guard: { value: vsValidate, better: 'higher', tolerance: IMPORT_TOLERANCE } },
        { id: 'import/no-quota/client-cpu', bench: 'import-client-cpu', case: c, value: cpuImport, unit: 'µs CPU per record (client)', baseline: cpuValidate, ratio: cpuRatio, notes: 'ratio = validate CPU per record / import client CPU per record, same data, same core; independent of the sandbox\'s speed', guard: { value: cpuRatio, better: 'higher', tolerance: IMPORT_TOLERANCE } },
        { id: 'import/no-quota/http-floor', bench: 'import-http-floor', case: `${CONNECTIONS} connections, 50 records per request`, value: httpFloor, unit: 'µs CPU per record (bare undici client)', baseline: cpuValidate, ratio: ceiling, notes: `${httpFloorPerRequest.toFixed(0)} µs per request; ratio = the ceiling of import vs validate on this machine, validate / (validate + floor): delivery costing nothing beyond the bare HTTP exchange` },
        { id: 'import/no-quota/sandbox-cpu', bench: 'import-sandbox-cpu', case: c, value: cpuSandbox, unit: 'µs CPU per member (sandbox)', baseline: cpuValidate, ratio: cpuValidate / cpuSandbox, notes: `the sandbox's CPU time (process.cpuUsage, its whole process) per entity received: on its own core it can take at most ${Math.round(1e6 / cpuSandbox)} members/s, ${(cpuValidate / cpuSandbox).toFixed(2)}x validate's rate; not guarded (a property of the test server, not of the client)` },
        { id: 'import/no-quota/latency-p50', bench: 'import-latency', case: `${c}, p50`, value: p50, unit: 'ms', notes: 'client-side, not guarded (absolute time)' },
        { id: 'import/no-quota/latency-p99', bench: 'import-latency', case: `${c}, p99`, value: p99, unit: 'ms', notes: 'client-side, not guarded (absolute time)' },
        { id: 'import/no-quota/sockets', bench: 'import-sockets', case: c, value: sockets, unit: 'sockets', target: CONNECTIONS, pass: sockets <= CONNECTIONS, notes: `sockets the client opened (undici:client:connected); the sandbox saw at most ${serverMax} open, its own stats connection included` },
      );
    } finally {
      await sandbox.stop();
      await floorServer.stop();
    }
    rows.push(...(await budgetRun(ctx)));
    return rows;
  },
};

async function budgetRun(ctx: BenchContext): Promise<BenchRow[]> {
  // 20 requests per second: like CometChat's quota, a budget the server is nowhere near saturated
  // by. (The governor times a window from each reply, so a server kept busy by a burst of the
  // whole budget would shift every window by the burst's processing time.)
  const rpm = 20;
  const windowMs = 1000;
  const requests = Math.round((ctx.settings.quotaSeconds * 1000 * rpm) / windowMs);
  const input = await benchInput({ format: 'ndjson', count: requests * 50, seed: 78 });
  ctx.setup(`quota: ${requests} requests of 50 members under ${rpm} requests per ${windowMs} ms (client and sandbox enforce the same limit), 8 connections; the short window stands in for CometChat's minute`);
  const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', String(rpm), '--window-ms', String(windowMs), '--compact-records'], 0);
  try {
    const r = await runProbe('import-probe', [input.path, sandbox.baseUrl, KEY, '--rpm', String(rpm), '--rate-window-ms', String(windowMs), '--connections', '8'], { core: PROBE_CORE });
    const stats = (await sandbox.stats()) as { requests: number; maxRequestsInWindow: number; fullRequests?: number; firstRequestAt?: number; lastRequestAt?: number; byStatus: Record<string, number> };
    const span = (stats.lastRequestAt ?? 0) - (stats.firstRequestAt ?? 0) + windowMs;
    const budget = (rpm * span) / windowMs;
    const used = stats.requests / budget;
    const full = (stats.fullRequests ?? 0) / stats.requests;
    const over = stats.maxRequestsInWindow > rpm || (stats.byStatus['429'] ?? 0) > 0;
    ctx.log(`import under ${rpm} req/${windowMs} ms: ${stats.requests} requests in ${(span / 1000).toFixed(1)} s of budget = ${(used * 100).toFixed(1)}% used, ${(full * 100).toFixed(1)}% full batches, max ${stats.maxRequestsInWindow} in any window, ${stats.byStatus['429'] ?? 0} throttled`);
    if (r.output['imported'] !== input.expected.valid) throw new Error(`budget run delivered ${String(r.output['imported'])} of ${input.expected.valid}`);
    return [
      { id: 'import/quota/budget-used', bench: 'import-budget', case: `${rpm} req per ${windowMs} ms`, value: used, unit: 'share of budget used', target: BUDGET_USE_TARGET, pass: used >= BUDGET_USE_TARGET && !over, notes: `max ${stats.maxRequestsInWindow} in a window`, guard: { value: used, better: 'higher', tolerance: QUOTA_TOLERANCE } },
      { id: 'import/quota/full-batches', bench: 'import-full-batches', case: `${rpm} req per ${windowMs} ms`, value: full, unit: 'share of full batches', target: FULL_BATCH_TARGET, pass: full >= FULL_BATCH_TARGET, guard: { value: full, better: 'higher', tolerance: QUOTA_TOLERANCE } },
    ];
  } finally {
    await sandbox.stop();
  }
}
