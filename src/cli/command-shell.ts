// What every running command does around its work: turn SIGINT/SIGTERM into an orderly stop (a
// second signal ends the process at once, whatever it is waiting on), then write the report,
// print the summary and the stopping error, and answer the exit code.

import { ChatmigrateError, EXIT, toChatmigrateError, type ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { writeJsonFileAtomic } from '../accounting/write-json-file.js';
import { printError } from './print-error.js';

/** Runs `work` with an AbortSignal that the first SIGINT/SIGTERM aborts. */
export async function withStopSignals<T>(logger: Logger, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(
        `\nchatmigrate: second ${name}: exiting now without waiting: no report is written; a --checkpoint keeps its last save (at most --checkpoint-interval-ms old), so --resume still works\n`,
      );
      endBySignal(name);
    }
    logger.warn({ signal: name }, 'stopping: finishing requests in flight');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Ends the process now, by the signal itself. Not process.exit(): before exiting it joins libuv's
 * thread pool, and a pool thread can be blocked for good in a write to a pipe nobody drains or a
 * read from a FIFO nobody writes (the run is waiting on exactly that), so the exit would wait
 * forever. With our handlers gone the signal's default action ends the process in the kernel,
 * and the parent sees it was ended by that signal (a shell shows 130 for SIGINT, 143 for SIGTERM).
 */
function endBySignal(name: NodeJS.Signals): void {
  // With no listener left, Node closes its signal watcher and libuv restores the default action.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.kill(process.pid, name);
  // Not reached on Linux or macOS: a signal sent to oneself is delivered before kill() returns.
  process.exit(EXIT.interrupted);
}

interface FinishedReport {
  exitCode: number;
  error?: { code: string; message: string; hint?: string } | undefined;
}

/**
 * Writes the report (atomically), prints the summary, the error that stopped the run and --json.
 * A report that cannot be written still leaves the summary and --json: the counts are not lost.
 * `summary` is given what to show on its report line: the path, or that the file was not written.
 */
export async function finishReport(
  report: FinishedReport,
  out: { reportPath: string | undefined; summary: (reportLine: string | undefined) => string; json: boolean },
): Promise<number> {
  const e = report.error;
  const runError = e && new ChatmigrateError(e.code as ErrorCode, e.message, e.hint ? { hint: e.hint } : {});
  // Refused for its configuration (e.g. --resume with another input): nothing ran, so there is no
  // summary to show, and a report written now would replace the real run's report at that path.
  if (runError && report.exitCode === EXIT.usage) {
    printError(runError);
    return report.exitCode;
  }
  let writeFailure: ChatmigrateError | undefined;
  if (out.reportPath) {
    try {
      await writeJsonFileAtomic(out.reportPath, report);
    } catch (err) {
      writeFailure = toChatmigrateError(err);
    }
  }
  // Losing the report is a failure of its own, unless the run already ended worse.
  const exitCode = writeFailure && (report.exitCode === EXIT.ok || report.exitCode === EXIT.someRejected) ? EXIT.fatal : report.exitCode;
  const summary = out.summary(writeFailure ? 'NOT written (see the error below)' : out.reportPath);
  if (summary !== '') process.stderr.write(summary + '\n');
  if (runError) printError(runError);
  if (writeFailure) printError(writeFailure);
  if (out.json) {
    // --json then stands in for the lost file, with the exit code the process really ends with.
    const shown = writeFailure ? { ...report, exitCode, ...(e ? {} : { error: { code: writeFailure.code, message: writeFailure.message } }) } : report;
    process.stdout.write(JSON.stringify(shown) + '\n');
  }
  return exitCode;
}
