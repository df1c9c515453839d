// Shapes shared by the benchmark suites, the runner (`npm run bench`) and the checker (`bench:check`).

import type { BenchSettings } from './bench-settings.js';

export interface BenchContext {
  settings: BenchSettings;
  log(line: string): void;
  /** Records one line of the suite's setup (data, sizes, threads, pinning) for the table and JSON. */
  setup(line: string): void;
}

/** What `bench:check` compares for a row: a machine-independent figure and which way is better. */
export interface BenchGuard {
  /** The guarded figure: a ratio against the same-run floor, or a figure that is one by nature (B/key). */
  value: number;
  better: 'higher' | 'lower';
  /** Allowed relative regression before the check fails (0.15 = 15%); baseline.json may override it. */
  tolerance: number;
}

export interface BenchRow {
  /** The suite that produced the row (set by the runner). */
  suite?: string;
  /** Stable metric id, e.g. `validate/ndjson/workers-2`: the key in bench/baseline.json. */
  id: string;
  bench: string;
  case: string;
  /** The figure the bench is about, e.g. MB/s or records/s. */
  value: number;
  unit: string;
  /** The same-run baseline figure on the same data (the floor), when the bench has one. */
  baseline?: number;
  /** value / baseline (or the bench's own ratio), the number that is comparable across machines. */
  ratio?: number;
  /** What the ratio (or value) must reach (a target from the issue / README). */
  target?: number;
  pass?: boolean;
  notes?: string;
  /** Present when `bench:check` guards this row against regressions. */
  guard?: BenchGuard;
}

export interface BenchSuite {
  name: string;
  question: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** One suite's part of bench/results/*.json. */
export interface SuiteResult {
  name: string;
  question: string;
  setup: string[];
  seconds: number;
}

/** The whole file `npm run bench` writes (bench/results/latest.json by default). */
export interface BenchResults {
  schema: 1;
  machine: { node: string; cpus: number; cpu: string; platform: string; date: string; taskset: boolean };
  settings: BenchSettings;
  /** The wall-time budget of the default suite and what this run took. */
  budget: { seconds: number; elapsedSeconds: number };
  suites: SuiteResult[];
  rows: BenchRow[];
}
