// A/B questions: (1) with no quota, does this build's `import` deliver as many records per second
// into the sandbox as the ref's, at no more client CPU per record? (2) Under a quota, does it use
// as much of the budget, in as full batches? Both builds' clients talk to a sandbox of this
// build, so only the client differs; client on the probe core, sandbox on core 0, as in the
// import suite.

import { benchInput } from '../lib/bench-data.js';
import { bytesOf } from '../lib/bench-settings.js';
import { PROBE_CORE } from '../lib/floor.js';
import { startSandboxProcess, type SandboxProcess } from '../lib/sandbox-process.js';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import { checkReportCounts, DISTURBED, disturbed, netOf, runBuild, type AbSuite } from './ab-context.js';

const KEY = 'bench-key';
const CONNECTIONS = 4;
/** Two processes on two cores: noisier than one pinned thread (as the import suite's guard). */
const IMPORT_TOLERANCE = 0.2;
/** Shares of a budget: a drop of 2 points is already a real change. */
const QUOTA_TOLERANCE = 0.02;
const RPM = 20;
const WINDOW_MS = 1000;

export const importAb: AbSuite = {
  name: 'import',
  question: 'import records/s and client CPU per record into the same sandbox without quota; budget and full-batch shares under a quota: this build vs the ref',
  async cases(ctx) {
    const input = await throughputInput('ndjson', Math.min(bytesOf(ctx.settings.size), 300e6));
    ctx.setup(`no quota: ${describeInput('ndjson', input)}; each build's client (--workers 0, ${CONNECTIONS} connections) pinned to core ${PROBE_CORE}; this build's \`chatmigrate sandbox --compact-records\` on core 0, reset before each run; time and CPU less the build's fixed cost; ${ctx.settings.reps} rep(s) per build, alternating; best rep`);
    const requests = Math.round((ctx.settings.quotaSeconds * 1000 * RPM) / WINDOW_MS);
    const quotaInput = await benchInput({ format: 'ndjson', count: requests * 50, seed: 78 });
    ctx.setup(`quota: ${requests} requests of 50 members under ${RPM} requests per ${WINDOW_MS} ms (client and a fresh sandbox of this build enforce the same limit), 8 connections, one run per build`);
    let sandbox: SandboxProcess | undefined;
    const speed = 'import/no-quota/records-per-second';
    const cpu = 'import/no-quota/client-cpu';
    const used = 'import/quota/budget-used';
    const full = 'import/quota/full-batches';
    return [
      {
        label: 'import without quota',
        reps: ctx.settings.reps,
        metrics: [
          { id: speed, suite: 'import', unit: 'records/s', better: 'higher', tolerance: IMPORT_TOLERANCE, estimate: 'best', clock: true },
          { id: cpu, suite: 'import', unit: 'µs CPU per record (client)', better: 'lower', tolerance: IMPORT_TOLERANCE, estimate: 'best' },
        ],
        async around(round) {
          sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', '0', '--compact-records'], 0, undefined, true);
          try {
            await round();
          } finally {
            await sandbox.stop();
          }
        },
        async measure(build) {
          await sandbox!.reset();
          const r = await runBuild(build, 'import', [input.path, '--base-url', sandbox!.baseUrl, '--rpm', '0', '--connections', String(CONNECTIONS), '--workers', '0'], { core: PROBE_CORE, env: { COMETCHAT_API_KEY: KEY } });
          checkReportCounts(build, r.report, input.expected);
          const stats = (await sandbox!.stats()) as { accepted: { members: number }; cpuMs: number };
          if (r.report.imported !== input.expected.valid || stats.accepted.members !== input.expected.valid) {
            throw new Error(`${build.role} build (${build.label}) imported ${String(r.report.imported)}, the sandbox accepted ${stats.accepted.members}, expected ${input.expected.valid}`);
          }
          const net = netOf(ctx, r);
          // The sandbox's CPU since its reset is ours too, not other work's.
          return { [speed]: input.expected.read / (net.ms / 1000), [cpu]: (net.cpuMs * 1000) / input.expected.read, [DISTURBED]: disturbed(r, stats.cpuMs) };
        },
      },
      {
        label: `import under ${RPM} requests per ${WINDOW_MS} ms`,
        reps: 1,
        metrics: [
          { id: used, suite: 'import', unit: 'share of budget used', better: 'higher', tolerance: QUOTA_TOLERANCE, estimate: 'best', clock: true },
          { id: full, suite: 'import', unit: 'share of full batches', better: 'higher', tolerance: QUOTA_TOLERANCE, estimate: 'best', clock: true },
        ],
        async measure(build) {
          const quota = await startSandboxProcess(['--api-key', KEY, '--rpm', String(RPM), '--window-ms', String(WINDOW_MS), '--compact-records'], 0, undefined, true);
          try {
            const r = await runBuild(build, 'import', [quotaInput.path, '--base-url', quota.baseUrl, '--rpm', String(RPM), '--rate-window-ms', String(WINDOW_MS), '--connections', '8'], { core: PROBE_CORE, env: { COMETCHAT_API_KEY: KEY } });
            if (r.report.imported !== quotaInput.expected.valid) throw new Error(`${build.role} build (${build.label}) imported ${String(r.report.imported)} of ${quotaInput.expected.valid} under the quota`);
            const stats = (await quota.stats()) as { requests: number; fullRequests?: number; firstRequestAt?: number; lastRequestAt?: number; cpuMs: number };
            const span = (stats.lastRequestAt ?? 0) - (stats.firstRequestAt ?? 0) + WINDOW_MS;
            return { [used]: stats.requests / ((RPM * span) / WINDOW_MS), [full]: (stats.fullRequests ?? 0) / stats.requests, [DISTURBED]: disturbed(r, stats.cpuMs) };
          } finally {
            await quota.stop();
          }
        },
      },
    ];
  },
};
