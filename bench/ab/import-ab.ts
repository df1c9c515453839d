// A/B questions: (1) with no quota, does this build's `import` deliver as many records per second
// into the sandbox as the ref's, at no more client CPU per record? (2) Under a quota, does it use
// as much of the budget, in as full batches? Both builds' clients talk to the same sandbox, this
// build's, so only the client differs; client on the probe core, sandbox on core 0, as in the
// import suite.

import { benchInput } from '../lib/bench-data.js';
import { bytesOf } from '../lib/bench-settings.js';
import { PROBE_CORE } from '../lib/floor.js';
import { median } from '../lib/measure.js';
import { startSandboxProcess } from '../lib/sandbox-process.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import { checkReportCounts, interleave, netOf, runBuild, type AbContext, type AbMetric, type AbSuite } from './ab-context.js';

const KEY = 'bench-key';
const CONNECTIONS = 4;
/** Two processes on two cores: noisier than one pinned thread (as the import suite's guard). */
const IMPORT_TOLERANCE = 0.2;
/** Shares of a budget: a drop of 2 points is already a real change. */
const QUOTA_TOLERANCE = 0.02;

export const importAb: AbSuite = {
  name: 'import',
  question: 'import records/s and client CPU per record into the same sandbox without quota, budget and full-batch shares under a quota: this build vs the ref',
  async run(ctx) {
    const input = await throughputInput('ndjson', Math.min(bytesOf(ctx.settings.size), 300e6));
    ctx.setup(`no quota: ${describeInput('ndjson', input)}; each build's client (--workers 0, ${CONNECTIONS} connections) pinned to core ${PROBE_CORE}; this build's \`chatmigrate sandbox --compact-records\` on core 0, reset before each run; time and CPU less the build's fixed cost; ${ctx.settings.reps} reps per build, alternating; medians`);
    const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', '0', '--compact-records'], 0, undefined, true);
    let runs;
    try {
      runs = await interleave(ctx.builds, ctx.settings.reps, async (build) => {
        await sandbox.reset();
        const r = await runBuild(build, 'import', [input.path, '--base-url', sandbox.baseUrl, '--rpm', '0', '--connections', String(CONNECTIONS), '--workers', '0'], { core: PROBE_CORE, env: { COMETCHAT_API_KEY: KEY } });
        checkReportCounts(build, r.report, input.expected);
        const stats = (await sandbox.stats()) as { accepted: { members: number } };
        if (r.report.imported !== input.expected.valid || stats.accepted.members !== input.expected.valid) {
          throw new Error(`${build.role} build (${build.label}) imported ${String(r.report.imported)}, the sandbox accepted ${stats.accepted.members}, expected ${input.expected.valid}`);
        }
        const net = netOf(ctx, build, r);
        return { recordsPerSecond: input.expected.read / (net.ms / 1000), cpuUsPerRecord: (net.cpuMs * 1000) / input.expected.read };
      });
    } finally {
      await sandbox.stop();
    }
    const speed = { this: median(runs.this.map((r) => r.recordsPerSecond)), ref: median(runs.ref.map((r) => r.recordsPerSecond)) };
    const cpu = { this: median(runs.this.map((r) => r.cpuUsPerRecord)), ref: median(runs.ref.map((r) => r.cpuUsPerRecord)) };
    ctx.log(`import (no quota): this ${Math.round(speed.this)} records/s, ref ${Math.round(speed.ref)} (${(speed.this / speed.ref).toFixed(2)}x); client CPU this ${cpu.this.toFixed(2)} µs/record, ref ${cpu.ref.toFixed(2)}`);
    return [
      { id: 'import/no-quota/records-per-second', suite: 'import', unit: 'records/s', better: 'higher', tolerance: IMPORT_TOLERANCE, ...speed },
      { id: 'import/no-quota/client-cpu', suite: 'import', unit: 'µs CPU per record (client)', better: 'lower', tolerance: IMPORT_TOLERANCE, ...cpu },
      ...(await quotaRuns(ctx)),
    ];
  },
};

/** One quota-bound run per build, each against a fresh sandbox enforcing the same limit. */
async function quotaRuns(ctx: AbContext): Promise<AbMetric[]> {
  const rpm = 20;
  const windowMs = 1000;
  const requests = Math.round((ctx.settings.quotaSeconds * 1000 * rpm) / windowMs);
  const input = await benchInput({ format: 'ndjson', count: requests * 50, seed: 78 });
  ctx.setup(`quota: ${requests} requests of 50 members under ${rpm} requests per ${windowMs} ms (client and a fresh sandbox of this build enforce the same limit), 8 connections, one run per build`);
  const runs = await interleave(ctx.builds, 1, async (build) => {
    const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', String(rpm), '--window-ms', String(windowMs), '--compact-records'], 0, undefined, true);
    try {
      const r = await runBuild(build, 'import', [input.path, '--base-url', sandbox.baseUrl, '--rpm', String(rpm), '--rate-window-ms', String(windowMs), '--connections', '8'], { core: PROBE_CORE, env: { COMETCHAT_API_KEY: KEY } });
      if (r.report.imported !== input.expected.valid) throw new Error(`${build.role} build (${build.label}) imported ${String(r.report.imported)} of ${input.expected.valid} under the quota`);
      const stats = (await sandbox.stats()) as { requests: number; fullRequests?: number; firstRequestAt?: number; lastRequestAt?: number };
      const span = (stats.lastRequestAt ?? 0) - (stats.firstRequestAt ?? 0) + windowMs;
      return { used: stats.requests / ((rpm * span) / windowMs), full: (stats.fullRequests ?? 0) / stats.requests };
    } finally {
      await sandbox.stop();
    }
  });
  const used = { this: runs.this[0]!.used, ref: runs.ref[0]!.used };
  const full = { this: runs.this[0]!.full, ref: runs.ref[0]!.full };
  ctx.log(`import under ${rpm} req/${windowMs} ms: budget used this ${(used.this * 100).toFixed(1)}%, ref ${(used.ref * 100).toFixed(1)}%; full batches this ${(full.this * 100).toFixed(1)}%, ref ${(full.ref * 100).toFixed(1)}%`);
  return [
    { id: 'import/quota/budget-used', suite: 'import', unit: 'share of budget used', better: 'higher', tolerance: QUOTA_TOLERANCE, ...used },
    { id: 'import/quota/full-batches', suite: 'import', unit: 'share of full batches', better: 'higher', tolerance: QUOTA_TOLERANCE, ...full },
  ];
}
