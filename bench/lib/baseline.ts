// bench/baseline.json and the regression check against it, as pure functions: results in,
// baseline or verdicts out. The guarded figures are machine-independent (ratios against the
// same-run floor, bytes per key, RSS ratios), so a baseline from one machine can judge another.

import type { BenchSettings } from './bench-settings.js';
import type { BenchResults } from './types.js';

export interface BaselineMetric {
  /** The guarded figure when the baseline was taken. */
  value: number;
  better: 'higher' | 'lower';
  /** Allowed relative regression: higher-is-better may fall to value × (1 − tolerance), lower-is-better rise to value × (1 + tolerance). */
  tolerance: number;
  /** What the figure is, for people reading the file. */
  unit: string;
  suite: string;
  case: string;
}

export interface Baseline {
  schema: 1;
  about: string;
  /** Where the figures come from. */
  source: { date: string; node: string; cpus: number; cpu: string };
  /** The runner settings the metrics were measured with; `bench:check` re-runs exactly these. */
  settings: BenchSettings;
  metrics: Record<string, BaselineMetric>;
}

export const BASELINE_ABOUT =
  'Written by `npm run bench:baseline -- --results FILE` (take FILE from a quiet run of `npm run bench`). `npm run bench:check` fails when a metric is worse than ' +
  'value × (1 − tolerance) (better: higher) or value × (1 + tolerance) (better: lower). Edit a tolerance here to widen or narrow one guard.';

/** A baseline from a results file; `tolerance` overrides every suite's suggested tolerance. */
export function createBaseline(results: BenchResults, tolerance?: number): Baseline {
  const metrics: Record<string, BaselineMetric> = {};
  for (const row of results.rows) {
    if (!row.guard) continue;
    if (!Number.isFinite(row.guard.value)) throw new Error(`metric ${row.id} has no finite value (${row.guard.value}): not a usable baseline`);
    metrics[row.id] = {
      value: Number(row.guard.value.toPrecision(4)), // 4 digits: far finer than any tolerance
      better: row.guard.better,
      tolerance: tolerance ?? row.guard.tolerance,
      unit: row.ratio !== undefined && row.guard.value === row.ratio ? `ratio: ${row.unit} ÷ same-run baseline` : row.unit,
      suite: row.suite ?? row.bench,
      case: row.case,
    };
  }
  const m = results.machine;
  return { schema: 1, about: BASELINE_ABOUT, source: { date: m.date, node: m.node, cpus: m.cpus, cpu: m.cpu }, settings: results.settings, metrics };
}

/** A/B mode: `info` shown, not guarded; `busy` worse than allowed, but timed by the clock on a busy machine, so not judged. */
export type Verdict = 'ok' | 'REGRESSED' | 'MISSING' | 'skipped' | 'new' | 'info' | 'busy';

export interface CheckRow {
  id: string;
  better: 'higher' | 'lower';
  baseline: number | undefined;
  now: number | undefined;
  /** The worst value still accepted. */
  allowed: number | undefined;
  tolerance: number | undefined;
  verdict: Verdict;
}

/** Compares every baseline metric with the results; metrics only in the results are listed as new. */
export function compareWithBaseline(results: BenchResults, baseline: Baseline): CheckRow[] {
  const now = new Map(results.rows.filter((r) => r.guard).map((r) => [r.id, r.guard!]));
  const ran = new Set(results.settings.suites);
  const rows: CheckRow[] = [];
  for (const [id, m] of Object.entries(baseline.metrics)) {
    const allowed = m.better === 'higher' ? m.value * (1 - m.tolerance) : m.value * (1 + m.tolerance);
    const guard = now.get(id);
    const base = { id, better: m.better, baseline: m.value, allowed, tolerance: m.tolerance };
    if (!guard) {
      // A suite that was not run is not a regression; a suite that ran without the metric is.
      rows.push({ ...base, now: undefined, verdict: ran.has(m.suite) ? 'MISSING' : 'skipped' });
      continue;
    }
    const v = guard.value;
    const ok = Number.isFinite(v) && (m.better === 'higher' ? v >= allowed : v <= allowed);
    rows.push({ ...base, now: v, verdict: ok ? 'ok' : 'REGRESSED' });
  }
  for (const [id, g] of now) {
    if (!(id in baseline.metrics)) rows.push({ id, better: g.better, baseline: undefined, now: g.value, allowed: undefined, tolerance: undefined, verdict: 'new' });
  }
  return rows;
}

export function checkFailed(rows: readonly CheckRow[]): boolean {
  return rows.some((r) => r.verdict === 'REGRESSED' || r.verdict === 'MISSING');
}

/** Settings that differ between the baseline and the results (their metrics are then not comparable). */
export function settingsDifferences(a: BenchSettings, b: BenchSettings): string[] {
  const keys = ['size', 'large', 'keys', 'reps', 'formats', 'workers', 'quotaSeconds'] as const;
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: baseline ${JSON.stringify(a[k])}, results ${JSON.stringify(b[k])}`);
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '—';
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3);
}

export function formatCheckTable(rows: readonly CheckRow[]): string {
  const lines = [
    '| metric | better | baseline | now | allowed | tolerance | verdict |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.id} | ${r.better} | ${fmt(r.baseline)} | ${fmt(r.now)} | ${r.allowed === undefined ? '—' : `${r.better === 'higher' ? '≥' : '≤'} ${fmt(r.allowed)}`} | ${r.tolerance === undefined ? '—' : `${Math.round(r.tolerance * 100)}%`} | ${r.verdict} |`),
  ];
  return lines.join('\n');
}
