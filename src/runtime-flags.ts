// How the chatmigrate executable starts Node (its shebang line, src/cli/main.ts, must say the
// same: a test checks), kept here so benchmarks can start their probes exactly alike.
//
// --single-threaded-gc: with one allocation-heavy worker thread per core, V8's parallel GC
//   helpers competed with the workers themselves (2 cores: each worker at half speed without it).
// --max-semi-space-size=4: the main thread's young generation at 4 MB instead of 16: −18 MB peak
//   RSS on a 1 GB input, validate as fast, import ~4% slower (bench/RESULTS.md).
// MALLOC_ARENA_MAX=2: glibc gives each thread its own malloc arena; two are enough for the main
//   thread and the workers (−30 MB peak RSS with 2 workers, same speed).

export const NODE_FLAGS = ['--single-threaded-gc', '--max-semi-space-size=4'] as const;
export const RUNTIME_ENV = { MALLOC_ARENA_MAX: '2' } as const;
