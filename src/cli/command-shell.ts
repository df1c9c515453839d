// What every running command does around its work: turn SIGINT/SIGTERM into an orderly stop (a
// second signal exits at once), then write the report, print the summary and the stopping error,
// and answer the exit code.

import { ChatmigrateError, EXIT, toChatmigrateError, type ErrorCode } from '../errors.js';
import type { Logger } from '../run/logger.js';
import { writeJsonFileAtomic } from '../run/write-json-file.js';
import { printError } from './print-error.js';

/** Runs `work` with an AbortSignal that the first SIGINT/SIGTERM aborts. */
export async function withStopSignals<T>(logger: Logger, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    if (++signals > 1) {
      process.stderr.write(`\nchatmigrate: second ${name}: exiting now without waiting\n`);
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

/** Writes the report (atomically), prints the summary, the error that stopped the run and --json. */
export async function finishReport(report: FinishedReport, out: { reportPath: string | undefined; summary: string; json: boolean }): Promise<number> {
  if (out.reportPath) {
    try {
      await writeJsonFileAtomic(out.reportPath, report);
    } catch (err) {
      printError(toChatmigrateError(err));
      return EXIT.fatal;
    }
  }
  if (out.summary !== '') process.stderr.write(out.summary + '\n');
  const e = report.error;
  if (e) printError(new ChatmigrateError(e.code as ErrorCode, e.message, e.hint ? { hint: e.hint } : {}));
  if (out.json) process.stdout.write(JSON.stringify(report) + '\n');
  return report.exitCode;
}
