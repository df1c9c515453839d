// The floor every throughput figure is divided by: split the file into lines on bytes and
// JSON.parse each record, one thread pinned to core 1 (probes/parse-baseline). Measured in the
// same run on the same file as the figure it normalizes, interleaved with it, so machine noise
// hits both alike.

import type { BenchInput } from './bench-data.js';
import { median, runProbe } from './measure.js';

/** The core the single-threaded probes are pinned to (the sandbox gets core 0). */
export const PROBE_CORE = 1;

export interface Throughput {
  mbPerSecond: number;
  recordsPerSecond: number;
  ms: number;
}

/** Throughput of one probe run over `input`, from the ms the probe measured itself (start-up excluded). */
export function throughputOf(input: BenchInput, output: Record<string, unknown>): Throughput {
  const ms = output['ms'] as number;
  return { ms, mbPerSecond: input.bytes / 1e6 / (ms / 1000), recordsPerSecond: input.expected.read / (ms / 1000) };
}

/** One floor measurement on `input`. */
export async function measureFloorOnce(input: BenchInput): Promise<Throughput> {
  const r = await runProbe('parse-baseline', [input.path], { core: PROBE_CORE });
  if (r.output['records'] !== input.expected.read) {
    throw new Error(`the floor probe parsed ${String(r.output['records'])} records of ${input.path}, the generator wrote ${input.expected.read}`);
  }
  return throughputOf(input, r.output);
}

/** Median of several throughput measurements, field by field. */
export function medianThroughput(runs: readonly Throughput[]): Throughput {
  return {
    mbPerSecond: median(runs.map((r) => r.mbPerSecond)),
    recordsPerSecond: median(runs.map((r) => r.recordsPerSecond)),
    ms: median(runs.map((r) => r.ms)),
  };
}

/** Runs `reps` rounds of [floor, ...measure()] alternately; returns the median floor and each round's results. */
export async function interleaveWithFloor<T>(input: BenchInput, reps: number, measure: () => Promise<T>): Promise<{ floor: Throughput; rounds: T[] }> {
  const floors: Throughput[] = [];
  const rounds: T[] = [];
  for (let i = 0; i < reps; i++) {
    floors.push(await measureFloorOnce(input));
    rounds.push(await measure());
  }
  return { floor: medianThroughput(floors), rounds };
}
