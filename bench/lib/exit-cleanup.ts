// Cleanup that must run however a benchmark tool ends: normal exit, an uncaught error, process.exit,
// Ctrl-C (SIGINT), SIGTERM or SIGHUP. Tasks are synchronous (they run from the 'exit' event, where
// nothing asynchronous happens any more) and run once each, newest first.

const tasks = new Set<() => void>();
let installed = false;

const SIGNALS: Array<[NodeJS.Signals, number]> = [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]];

function runAll(): void {
  const pending = [...tasks].reverse();
  tasks.clear();
  for (const task of pending) {
    try {
      task();
    } catch (err) {
      process.stderr.write(`cleanup failed: ${(err as Error).message}\n`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const [signal, number] of SIGNALS) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up\n`);
      runAll();
      process.exit(128 + number);
    });
  }
}

/** Registers `task` to run when the process ends; the returned function unregisters it (once done by hand). */
export function onExit(task: () => void): () => void {
  install();
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}
