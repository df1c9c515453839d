// The property every hostile export must keep (issue 18): a run over it, in process, either ends
// in a report whose counts add up, with every invalid record counted under a registered reason
// and written to the rejects file with it, or stops with a registered error code that is not
// CM_INTERNAL; it never throws anything else, never leaves Object.prototype or Array.prototype
// changed, and ends within a bound. runFuzzCase returns what broke (empty: the property holds).

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { resolveConfig, type RunOptions } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import type { Report } from '../../src/accounting/report.js';
import { ChatmigrateError, ERROR_CODES } from '../../src/errors.js';
import { REASONS } from '../../src/entities/reasons.js';
import { FUZZ_NOW, buildCase, describeCase, otherFormat, type FuzzCase } from './fuzz-exports.js';

/** Codes a run over hostile input may stop with: the input's own, or a --kind its wrapper contradicts. */
export const EXPECTED_STOPS = new Set(['CM_INPUT_MALFORMED', 'CM_INPUT_FORMAT', 'CM_INPUT_EMPTY', 'CM_INPUT_UNREADABLE', 'CM_USAGE']);

export interface FuzzEnv {
  /** A folder of its own for the case's files (emptied before each case). */
  dir: string;
  /** A sandbox for import cases (undefined: imports run as validates). */
  sandbox?: { baseUrl: string; apiKey: string };
  /** A case still running after this long has hung. */
  timeoutMs: number;
}

export interface FuzzResult {
  problems: string[];
  /** How the run ended: a status, or the error code it stopped with. */
  outcome: string;
  ms: number;
}

/** Own keys of the prototypes an input could reach, and sentinels a pollution would set. */
function prototypeState(): string {
  const keys = (o: object) => Reflect.ownKeys(o).map(String).sort().join(',');
  const probe = {} as Record<string, unknown>;
  return JSON.stringify([keys(Object.prototype), keys(Array.prototype), keys(Function.prototype), keys(String.prototype), probe['polluted'], ([] as unknown as Record<string, unknown>)['polluted'], Object.getPrototypeOf(probe) === Object.prototype]);
}

export async function runFuzzCase(c: FuzzCase, env: FuzzEnv): Promise<FuzzResult> {
  const started = performance.now();
  const problems: string[] = [];
  rmSync(env.dir, { recursive: true, force: true });
  mkdirSync(env.dir, { recursive: true });
  const built = buildCase(c);
  const rejects = join(env.dir, 'rejects.ndjson');
  const options: RunOptions = {
    now: FUZZ_NOW,
    progress: false,
    input: '-',
    rejects,
    onMalformed: c.onMalformed,
    workers: c.workers,
    from: c.from === 'auto' ? 'auto' : c.from === 'exact' ? built.written : otherFormat(built.written),
    ...(c.giveKind && c.source !== 'rocketchat' ? { kind: c.kind } : {}),
  };
  if (built.rooms && built.users) {
    options.from = c.from === 'other' ? otherFormat('rocketchat') : 'rocketchat';
    if (options.from === 'rocketchat') {
      options.rooms = join(env.dir, 'rooms.json');
      options.users = join(env.dir, 'users.ndjson');
      writeFileSync(options.rooms, built.rooms);
      writeFileSync(options.users, built.users);
    }
  }
  const importing = c.command === 'import' && env.sandbox !== undefined;
  if (importing) Object.assign(options, { baseUrl: env.sandbox!.baseUrl, apiKey: env.sandbox!.apiKey, rpm: 0, retryMinMs: 5, retryMaxMs: 50, maxRetries: 2 });

  // At most ~2,000 chunks: each gzip chunk costs a thread-pool trip (~75 µs), so 1-byte chunks of
  // a 120 KB gzip input take 9 s, which is slow, not hung (no real pipe delivers single bytes).
  const chunk = Math.max(c.chunk, Math.ceil(built.input.length / 2000));
  const stdin = Readable.from(
    (function* () {
      for (let i = 0; i < built.input.length; i += chunk) yield built.input.subarray(i, i + chunk);
    })(),
  );
  const before = prototypeState();
  const abort = new AbortController();
  let report: Report | undefined;
  let outcome = '';
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      // A run that ignores the abort as well is reported once it has had a second bound.
      timer = setTimeout(() => resolve('hung'), env.timeoutMs);
    }, env.timeoutMs);
  });
  try {
    const run = runPipeline(resolveConfig(importing ? 'import' : 'validate', options), { stdin, signal: abort.signal, graceMs: 1000 });
    const r = await Promise.race([run, hung]);
    if (r === 'hung') {
      problems.push(`hung: no report ${(2 * env.timeoutMs) / 1000} s after the start, even after an abort`);
      run.catch(() => undefined);
    } else report = r;
  } catch (err) {
    if (err instanceof ChatmigrateError && err.code !== 'CM_INTERNAL' && EXPECTED_STOPS.has(err.code)) outcome = err.code;
    else problems.push(`threw ${err instanceof ChatmigrateError ? err.code : (err as Error)?.name}: ${(err as Error)?.message ?? String(err)}\n${(err as Error)?.stack ?? ''}`);
  } finally {
    clearTimeout(timer);
  }
  if (abort.signal.aborted) problems.push(`did not finish within ${env.timeoutMs / 1000} s (aborted)`);
  const after = prototypeState();
  if (after !== before) problems.push(`prototypes changed: ${before} → ${after}`);

  if (report) {
    outcome = report.error?.code ?? report.status;
    problems.push(...checkReport(report, importing));
    // Undamaged bytes read as the format they were written in: every record written is read, once.
    const intact = c.bytes.length === 0 && c.from === 'exact' && (c.source === 'cometchat' || c.target === 'input');
    if (intact && report.error === undefined && report.read !== built.records) problems.push(`read ${report.read} records of the ${built.records} written`);
    problems.push(...checkRejects(report, rejects, importing));
  }
  return { problems, outcome, ms: performance.now() - started };
}

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

/** The report's identities (SPEC §4) and its status, exit code and error. */
export function checkReport(r: Report, importing: boolean): string[] {
  const p: string[] = [];
  try {
    JSON.stringify(r);
  } catch (err) {
    p.push(`the report cannot be written as JSON: ${(err as Error).message}`);
  }
  for (const f of ['read', 'invalid', 'skipped', 'duplicates', 'valid', 'conflicts', 'outOfOrder'] as const) if (!isCount(r[f])) p.push(`${f} is not a count: ${r[f]}`);
  if (r.read !== r.invalid + r.skipped + r.duplicates + r.valid) p.push(`read ${r.read} ≠ invalid ${r.invalid} + skipped ${r.skipped} + duplicates ${r.duplicates} + valid ${r.valid}`);
  if (r.conflicts > r.duplicates) p.push(`conflicts ${r.conflicts} > duplicates ${r.duplicates}`);
  if (r.outOfOrder > r.valid) p.push(`outOfOrder ${r.outOfOrder} > valid ${r.valid}`);
  if (sum(r.skippedBy) !== r.skipped) p.push(`skippedBy ${JSON.stringify(r.skippedBy)} does not add up to skipped ${r.skipped}`);
  const rejected = r.rejected ?? 0;
  if (sum(r.reasons) !== r.invalid + rejected) p.push(`reasons ${JSON.stringify(r.reasons)} do not add up to invalid ${r.invalid} + rejected ${rejected}`);
  const local = Object.entries(r.reasons).filter(([code]) => Object.hasOwn(REASONS, code));
  if (local.reduce((a, [, n]) => a + n, 0) !== r.invalid) p.push(`registered reasons ${JSON.stringify(local)} do not add up to invalid ${r.invalid}`);
  for (const code of Object.keys(r.reasons)) if (!Object.hasOwn(REASONS, code) && !(importing && /^ERR_[A-Z0-9_]+$/.test(code))) p.push(`reason ${code} is not registered`);
  for (const [code, fields] of Object.entries(r.reasonFields)) {
    if (sum(fields) > (r.reasons[code] ?? 0)) p.push(`reasonFields.${code} ${JSON.stringify(fields)} count more than reasons.${code} ${r.reasons[code]}`);
  }
  if (importing) {
    for (const f of ['imported', 'alreadyPresent', 'rejected', 'unsent'] as const) if (!isCount(r[f])) p.push(`${f} is not a count: ${r[f]}`);
    if (r.valid !== r.imported! + r.alreadyPresent! + r.rejected! + r.unsent!) p.push(`valid ${r.valid} ≠ imported + alreadyPresent + rejected + unsent (${r.imported}, ${r.alreadyPresent}, ${r.rejected}, ${r.unsent})`);
    if (r.error === undefined && r.unsent !== 0) p.push(`a finished import left ${r.unsent} unsent`);
  }
  if (r.error) {
    const code = r.error.code;
    if (code === 'CM_INTERNAL') p.push(`stopped with CM_INTERNAL: ${r.error.message}`);
    else if (!Object.hasOwn(ERROR_CODES, code)) p.push(`stopped with an unregistered code ${code}`);
    else if (!EXPECTED_STOPS.has(code)) p.push(`stopped with ${code}, which hostile input should not cause: ${r.error.message}`);
    else if (r.exitCode !== ERROR_CODES[code as keyof typeof ERROR_CODES].exit) p.push(`exit ${r.exitCode} for ${code}`);
    if (r.status !== 'failed') p.push(`status ${r.status} with an error`);
    if (typeof r.error.message !== 'string' || r.error.message === '') p.push('an error without a message');
  } else {
    const bad = r.invalid + rejected > 0;
    if (r.status !== (bad ? 'some-invalid' : 'ok') || r.exitCode !== (bad ? 3 : 0)) p.push(`status ${r.status}, exit ${r.exitCode} with ${r.invalid} invalid and ${rejected} rejected`);
  }
  return p;
}

/** Each invalid record (and conflict, and server rejection) has one rejects line with its code. */
export function checkRejects(r: Report, path: string, importing: boolean): string[] {
  const p: string[] = [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // A run stopped before the file was opened (a bad wrapper, a bad --rooms) has nothing to list.
    return r.read === 0 ? [] : [`no rejects file: ${(err as Error).message}`];
  }
  const byReason: Record<string, number> = {};
  const lines = text.split('\n').filter((l) => l !== '');
  lines.forEach((line, i) => {
    let entry: { reason?: unknown; message?: unknown; position?: { index?: unknown; offset?: unknown } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      p.push(`rejects line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const reason = String(entry.reason);
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    if (!Object.hasOwn(REASONS, reason) && !(importing && /^ERR_[A-Z0-9_]+$/.test(reason))) p.push(`rejects line ${i + 1}: reason ${reason} is not registered`);
    if (typeof entry.message !== 'string' || entry.message === '') p.push(`rejects line ${i + 1}: no message`);
    const pos = entry.position;
    if (!pos || !isCount(pos.index) || !isCount(pos.offset) || (pos.index as number) >= r.read) p.push(`rejects line ${i + 1}: bad position ${JSON.stringify(pos)}`);
  });
  const expected: Record<string, number> = { ...r.reasons };
  if (r.conflicts > 0) expected['DUPLICATE_CONFLICT'] = (expected['DUPLICATE_CONFLICT'] ?? 0) + r.conflicts;
  const norm = (o: Record<string, number>) => JSON.stringify(Object.entries(o).filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (norm(byReason) !== norm(expected)) p.push(`rejects by reason ${norm(byReason)} ≠ report ${norm(expected)} (reasons + conflicts)`);
  return p;
}

export { describeCase };
