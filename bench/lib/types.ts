// Shapes shared by the benchmark suites and the runner.

export interface BenchContext {
  /** Approximate input size in bytes for size-driven benchmarks. */
  sizeBytes: number;
  /** Repetitions per measurement (medians are reported). */
  reps: number;
  log(line: string): void;
}

export interface BenchRow {
  bench: string;
  case: string;
  /** The figure the bench is about, e.g. MB/s or records/s. */
  value: number;
  unit: string;
  /** The same-run baseline figure on the same data, when the bench has one. */
  baseline?: number;
  /** value / baseline (or the bench's own ratio), the number guarded across machines. */
  ratio?: number;
  /** What the ratio must reach (target from the issue / README). */
  target?: number;
  pass?: boolean;
  notes?: string;
}

export interface BenchSuite {
  name: string;
  question: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}
