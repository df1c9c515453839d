// The verdicts of `bench:check --against`, as pure functions: each metric of this build against
// the same metric of the ref, measured in the same run. Fails only on a regression of this build
// beyond the metric's tolerance; faster or leaner than the ref is never a failure.

import type { AbMetric } from '../ab/ab-context.js';
import type { CheckRow } from './baseline.js';

export interface AbRow extends CheckRow {
  unit: string;
  /** this ÷ ref. */
  change: number;
}

/**
 * `tolerance` overrides every metric's own (`--tolerance`). A clock-timed figure with no run of a
 * build that other work left alone (`busy`) is reported as `busy` when worse than allowed, not judged.
 */
export function compareBuilds(metrics: readonly AbMetric[], tolerance?: number): AbRow[] {
  return metrics.map((m) => {
    const tol = tolerance ?? m.tolerance;
    const allowed = m.better === 'higher' ? m.ref * (1 - tol) : m.ref * (1 + tol);
    const ok = Number.isFinite(m.this) && Number.isFinite(m.ref) && (m.better === 'higher' ? m.this >= allowed : m.this <= allowed);
    const verdict = m.guarded === false ? 'info' : ok ? 'ok' : m.busy ? 'busy' : 'REGRESSED';
    return { id: m.id, unit: m.unit, better: m.better, baseline: m.ref, now: m.this, change: m.this / m.ref, allowed, tolerance: tol, verdict };
  });
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '—';
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3);
}

export function formatAbTable(rows: readonly AbRow[]): string {
  return [
    '| metric | unit | better | ref | this | this ÷ ref | allowed | tolerance | verdict |',
    '|---|---|---|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.unit} | ${r.better} | ${fmt(r.baseline)} | ${fmt(r.now)} | ${Number.isFinite(r.change) ? r.change.toFixed(2) : String(r.change)} | ${r.verdict === 'info' ? '—' : `${r.better === 'higher' ? '≥' : '≤'} ${fmt(r.allowed)}`} | ${r.verdict === 'info' ? '—' : `${Math.round((r.tolerance ?? 0) * 100)}%`} | ${r.verdict} |`,
    ),
  ].join('\n');
}
