// Questions (issue 14), for users and messages beside members: (1) does `validate` with the
// default workers keep up with the bare split + JSON.parse floor on the same NDJSON? (2) With no
// quota, how fast does `import` deliver into the local sandbox against the floor and against
// validate on the same data, measured like import-throughput's members rows (client --workers 0
// pinned to one core, sandbox on the other)? Members run here too, on the same footing (same
// sizes, workers and sandbox flags; the validate row reads the validate suite's cached file), so
// the three kinds compare within one run. Messages go in sentAt order, one request at a time (the driver forces it for a kind with
// an order), so their import is bound by request latency; the rows say so and set the figure
// against CometChat's own bound for any kind: 60 requests/min × 50 = 50 records/s.
//
// Messages are dated inside the default 180-day retention before the probes' fixed --now
// (bench/generate-messages.ts), so the client's retention rule runs on every message and skips
// none. The sandbox gets --retention-days 0: it judges retention by the wall clock, which moves on
// past the fixed --now (a cached input would age out of its window), and --allow-unknown: the
// senders and receivers stand for users and groups imported before.

import { cpus } from 'node:os';
import type { ExportKind } from '../generate.js';
import type { BenchInput } from '../lib/bench-data.js';
import { bytesOf } from '../lib/bench-settings.js';
import { interleaveWithFloor, PROBE_CORE, throughputOf } from '../lib/floor.js';
import { median, runProbe } from '../lib/measure.js';
import { startSandboxProcess, type SandboxProcess } from '../lib/sandbox-process.js';
import { describeInput, kindInput, sizeLabel } from '../lib/throughput-data.js';
import type { BenchContext, BenchRow, BenchSuite } from '../lib/types.js';
import { COMETCHAT_LIMITS } from '../../src/sinks/cometchat/limits.js';
import { defaultWorkerCount } from '../../src/transforms/block-processor.js';
import { checkCounts } from './validate-throughput.js';
import { defaultWorkersRows } from '../lib/default-workers-validate.js';

export const MEASURED_KINDS: readonly ExportKind[] = ['members', 'users', 'messages'];
const KEY = 'bench-key';
const CONNECTIONS = 4;
const VALIDATE_TOLERANCE = 0.15;
/** Two processes on two cores: noisier than the single-core ratios (as import-throughput). */
const IMPORT_TOLERANCE = 0.2;
/**
 * Import inputs: a fifth of --size (20 MB by default). Messages go one request at a time, so
 * theirs is the suite's longest run; a fifth keeps the suite inside the default suite's budget.
 * The ratios do not depend on the size once a run lasts seconds.
 */
const IMPORT_SHARE = 0.2;
/** CometChat's quota for any import endpoint: 60 requests a minute of ≤ 50 records (SPEC §1b). */
export const QUOTA_RECORDS_PER_SECOND = (COMETCHAT_LIMITS.requestsPerMinute * COMETCHAT_LIMITS.maxEntitiesPerRequest) / 60;

/** checkCounts, plus what only messages have: out-of-order messages counted, none skipped by retention. */
export function checkKindCounts(o: Record<string, unknown>, input: BenchInput): void {
  checkCounts(o, input.expected);
  const e = input.expected;
  if (e.outOfOrder !== undefined && (o['outOfOrder'] !== e.outOfOrder || o['skipped'] !== 0)) {
    throw new Error(`validate counted outOfOrder ${String(o['outOfOrder'])}, skipped ${String(o['skipped'])}; the generator expected ${e.outOfOrder} and 0`);
  }
}

export const kindsThroughput: BenchSuite = {
  name: 'kinds',
  question: 'users and messages beside members: validate (default workers) vs the split + JSON.parse floor (≥ 0.75×); import into the sandbox without quota vs the floor and vs validate (messages one request at a time; CometChat\'s quota allows 50 records/s)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    for (const kind of MEASURED_KINDS) rows.push(...(await validateRows(ctx, kind)));
    const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', '0', '--compact-records', '--allow-unknown', '--retention-days', '0'], 0);
    try {
      for (const kind of MEASURED_KINDS) rows.push(...(await importRows(ctx, kind, sandbox)));
    } finally {
      await sandbox.stop();
    }
    return rows;
  },
};

async function validateRows(ctx: BenchContext, kind: ExportKind): Promise<BenchRow[]> {
  const input = await kindInput(kind, 'ndjson', bytesOf(ctx.settings.size));
  ctx.setup(`validate ${kind}: ${describeInput('ndjson', input)}; floor pinned to core ${PROBE_CORE}, validate --kind ${kind} with the default --workers (${defaultWorkerCount()} here) unpinned on ${cpus().length} cores; ${ctx.settings.reps} alternating reps, medians`);
  return defaultWorkersRows(ctx, input, {
    id: `validate/${kind}/ndjson/workers-default`,
    rssId: `validate-rss/${kind}/ndjson/workers-default`,
    bench: 'validate-kinds',
    label: `${kind} ndjson ${sizeLabel(input.bytes)}`,
    args: ['--kind', kind],
    check: (output) => checkKindCounts(output, input),
    tolerance: VALIDATE_TOLERANCE,
  });
}

async function importRows(ctx: BenchContext, kind: ExportKind, sandbox: SandboxProcess): Promise<BenchRow[]> {
  const input = await kindInput(kind, 'ndjson', Math.round(bytesOf(ctx.settings.size) * IMPORT_SHARE));
  const ordered = kind === 'messages';
  const entity = kind.slice(0, -1);
  const connections = ordered ? 1 : CONNECTIONS;
  ctx.setup(`import ${kind}: ${describeInput('ndjson', input)}; client (--kind ${kind}, --workers 0, ${ordered ? 'one request at a time: messages are sent in order' : `${CONNECTIONS} connections`}) pinned to core ${PROBE_CORE}, \`chatmigrate sandbox --compact-records --allow-unknown --retention-days 0\` pinned to core 0; floor and validate --workers 0 on core ${PROBE_CORE}; ${ctx.settings.reps} alternating reps, medians`);
  const { floor, rounds } = await interleaveWithFloor(input, ctx.settings.reps, async () => {
    await sandbox.reset();
    const r = await runProbe('import-probe', [input.path, sandbox.baseUrl, KEY, '--kind', kind, '--rpm', '0', '--connections', String(CONNECTIONS), '--workers', '0'], { core: PROBE_CORE });
    const stats = (await sandbox.stats()) as { accepted: Record<string, number>; maxOpenConnections: number; entitiesReceived: number; cpuMs: number };
    if (r.output['imported'] !== input.expected.valid || stats.accepted[kind] !== input.expected.valid) {
      throw new Error(`import ${kind} delivered ${String(r.output['imported'])}, sandbox accepted ${String(stats.accepted[kind])}, expected ${input.expected.valid}`);
    }
    const v = await runProbe('validate-probe', [input.path, '--kind', kind, '--workers', '0'], { core: PROBE_CORE });
    checkKindCounts(v.output, input);
    const perRecord = (output: Record<string, unknown>) => ((output['cpuMs'] as number) * 1000) / input.expected.read;
    return {
      imp: throughputOf(input, r.output),
      val: throughputOf(input, v.output),
      latency: r.output['latency'] as { p50Ms: number; p99Ms: number },
      sockets: r.output['socketsOpened'] as number,
      cpu: { imp: perRecord(r.output), val: perRecord(v.output), sandbox: (stats.cpuMs * 1000) / stats.entitiesReceived },
    };
  });
  const value = median(rounds.map((r) => r.imp.recordsPerSecond));
  const validate = median(rounds.map((r) => r.val.recordsPerSecond));
  const p50 = median(rounds.map((r) => r.latency.p50Ms));
  const p99 = median(rounds.map((r) => r.latency.p99Ms));
  const sockets = Math.max(...rounds.map((r) => r.sockets));
  const cpuImport = median(rounds.map((r) => r.cpu.imp));
  const cpuValidate = median(rounds.map((r) => r.cpu.val));
  const cpuSandbox = median(rounds.map((r) => r.cpu.sandbox));
  const vsFloor = value / floor.recordsPerSecond;
  const vsValidate = value / validate;
  const cpuRatio = cpuValidate / cpuImport;
  const vsQuota = value / QUOTA_RECORDS_PER_SECOND;
  ctx.log(`import ${kind} (no quota${ordered ? ', one request at a time' : ''}): ${Math.round(value)} records/s = ${vsFloor.toFixed(2)}x the floor (${Math.round(floor.recordsPerSecond)}/s), ${vsValidate.toFixed(2)}x validate --workers 0 (${Math.round(validate)}/s), ${vsQuota.toFixed(0)}x CometChat's quota (${QUOTA_RECORDS_PER_SECOND}/s); latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; ${sockets} sockets`);
  ctx.log(`import ${kind} client CPU ${cpuImport.toFixed(2)} µs/record vs validate ${cpuValidate.toFixed(2)} (${cpuRatio.toFixed(2)}x); sandbox CPU ${cpuSandbox.toFixed(2)} µs/${entity}`);
  const c = `${kind} ndjson ${sizeLabel(input.bytes)}, ${ordered ? 'one request at a time (ordered)' : `${connections} connections`}, no quota`;
  const order = ordered ? '; messages are sent in order, one request at a time (each waits for the one before), so this is request latency bound' : '';
  return [
    { id: `import/${kind}/no-quota/vs-floor`, bench: 'import-kinds', case: c, value, unit: 'records/s', baseline: floor.recordsPerSecond, ratio: vsFloor, notes: `latency p50 ${p50.toFixed(1)} ms${order}`, guard: { value: vsFloor, better: 'higher', tolerance: IMPORT_TOLERANCE } },
    { id: `import/${kind}/no-quota/vs-validate`, bench: 'import-kinds-vs-validate', case: c, value, unit: 'records/s', baseline: validate, ratio: vsValidate, notes: `validate --workers 0 on the same core (the import suite's members row has the 0.8 target)${order}`, guard: { value: vsValidate, better: 'higher', tolerance: IMPORT_TOLERANCE } },
    { id: `import/${kind}/no-quota/vs-quota`, bench: 'import-kinds-vs-quota', case: c, value, unit: 'records/s', baseline: QUOTA_RECORDS_PER_SECOND, ratio: vsQuota, notes: `baseline = CometChat's quota bound, ${COMETCHAT_LIMITS.requestsPerMinute} requests/min × ${COMETCHAT_LIMITS.maxEntitiesPerRequest} = ${QUOTA_RECORDS_PER_SECOND} records/s; ratio = headroom of the client and the local sandbox over it; not guarded (the sandbox's speed is in it)` },
    { id: `import/${kind}/no-quota/client-cpu`, bench: 'import-kinds-client-cpu', case: c, value: cpuImport, unit: 'µs CPU per record (client)', baseline: cpuValidate, ratio: cpuRatio, notes: `ratio = validate CPU per record / import client CPU per record, same data, same core; sandbox ${cpuSandbox.toFixed(2)} µs CPU per ${entity}`, guard: { value: cpuRatio, better: 'higher', tolerance: IMPORT_TOLERANCE } },
    { id: `import/${kind}/no-quota/latency-p50`, bench: 'import-kinds-latency', case: `${c}, p50`, value: p50, unit: 'ms', notes: 'client-side, not guarded (absolute time)' },
    { id: `import/${kind}/no-quota/latency-p99`, bench: 'import-kinds-latency', case: `${c}, p99`, value: p99, unit: 'ms', notes: 'client-side, not guarded (absolute time)' },
    { id: `import/${kind}/no-quota/sockets`, bench: 'import-kinds-sockets', case: c, value: sockets, unit: 'sockets', target: connections, pass: sockets <= connections, notes: ordered ? 'messages: one connection whatever --connections says' : `--connections ${CONNECTIONS}` },
  ];
}
