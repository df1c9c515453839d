// Times one run inside a probe: wall time and CPU time (user + system, this thread and its
// workers: with the probe pinned to one core, its busy time), in milliseconds.

export interface Timed<T> {
  result: T;
  ms: number;
  cpuMs: number;
  systemMs: number;
}

export async function timed<T>(run: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await run();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, ms, cpuMs: (cpu.user + cpu.system) / 1000, systemMs: cpu.system / 1000 };
}
