// What every running command does around its work: turn SIGINT/SIGTERM into an orderly stop (a
// second signal exits at once), then write the report, print the summary and the stopping error,
// and answer the exit code.

import { ChatmigrateError, EXIT, toChatmigrateError, type ErrorCode } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { assertWritableLater, writeJsonFileAtomic } from '../accounting/write-json-file.js';
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
      process.exit(EXIT.interrupted);
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

/** The files replaced by atomic renames (the report at the end, the checkpoint as it goes) are checked at the start. */
export async function checkOutputPaths(paths: { report?: string | undefined; checkpoint?: string | undefined }): Promise<void> {
  if (paths.report !== undefined) await assertWritableLater(paths.report, '--report');
  if (paths.checkpoint !== undefined) await assertWritableLater(paths.checkpoint, '--checkpoint');
}
