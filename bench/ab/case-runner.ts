// Measures the cases of the A/B suites: both builds interleaved rep by rep (ab-context.ts), every
// sample kept per metric and build, figures estimated from them (figures timed by the clock only
// from measurements no other work disturbed). A guarded figure that comes out
// regressed is measured again with more reps, pooled with the first ones, before it counts: one
// unlucky round on a shared machine is not a regression, a slower build stays slower.

import { median } from '../lib/measure.js';
import { DISTURBED, interleave, type AbBuild, type AbCase, type AbMetric, type AbMetricSpec } from './ab-context.js';

export interface CaseSamples {
  case: AbCase;
  this: Record<string, number[]>;
  ref: Record<string, number[]>;
}

/** The figure of `values` (one build's samples of one metric) as `spec` says. */
export function estimate(spec: Pick<AbMetricSpec, 'better' | 'estimate'>, values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  if (spec.estimate === 'median') return median([...values]);
  return spec.better === 'higher' ? Math.max(...values) : Math.min(...values);
}

/** Runs `reps` interleaved rounds of the case, adding to `into` (a case measured before) when given. */
export async function measureCase(c: AbCase, builds: readonly [AbBuild, AbBuild], reps: number, into?: CaseSamples): Promise<CaseSamples> {
  const samples: CaseSamples = into ?? { case: c, this: {}, ref: {} };
  const round = async () => {
    const runs = await interleave(builds, reps, (build) => c.measure(build));
    for (const role of ['this', 'ref'] as const) {
      for (const values of runs[role]) {
        for (const [id, v] of Object.entries(values)) (samples[role][id] ??= []).push(v);
      }
    }
  };
  await (c.around ? c.around(round) : round());
  return samples;
}

/** A build's samples of one metric; of a clock-timed one, only those no other work disturbed. */
function usable(s: CaseSamples, role: 'this' | 'ref', spec: AbMetricSpec): number[] {
  const values = s[role][spec.id] ?? [];
  const marks = s[role][DISTURBED];
  return spec.clock && marks ? values.filter((_, i) => marks[i] !== 1) : values;
}

export function figuresOf(s: CaseSamples): AbMetric[] {
  return s.case.metrics.map((spec) => {
    const mine = usable(s, 'this', spec);
    const theirs = usable(s, 'ref', spec);
    const { estimate: how, ...rest } = spec;
    const figure: AbMetric = { ...rest, this: estimate(spec, mine), ref: estimate(spec, theirs), samples: Math.min(mine.length, theirs.length) };
    if (spec.clock && (mine.length === 0 || theirs.length === 0)) {
      // Every run of one build was disturbed: its best run is still shown, not judged.
      figure.this = estimate(spec, s.this[spec.id] ?? []);
      figure.ref = estimate(spec, s.ref[spec.id] ?? []);
      figure.busy = true;
    }
    return figure;
  });
}

/** Measurements of both builds that other work disturbed, and all of them (cases with clock-timed figures). */
export function disturbedCount(s: CaseSamples): { disturbed: number; runs: number } {
  const marks = [...(s.this[DISTURBED] ?? []), ...(s.ref[DISTURBED] ?? [])];
  return { disturbed: marks.filter((m) => m === 1).length, runs: marks.length };
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(1) : n.toFixed(3);
}

/** One log line per case: each figure of both builds, and how many measurements other work disturbed. */
export function describeCase(s: CaseSamples): string {
  const figures = figuresOf(s).map((m) => `${m.unit} this ${fmt(m.this)}, ref ${fmt(m.ref)} (${(m.this / m.ref).toFixed(2)}x)${m.busy ? ' (busy)' : ''}`);
  const { disturbed, runs } = disturbedCount(s);
  return `${s.case.label}: ${figures.join('; ')}${disturbed > 0 ? `; ${disturbed} of ${runs} measurements disturbed by other work` : ''}`;
}

/** Reps of a confirmation round: twice the first round's, so the pooled figures rest on three times the samples. */
export function confirmationReps(c: AbCase): number {
  return Math.max(2, 2 * c.reps);
}
