// The one registry of run-stopping errors: stable codes, what each means, and its exit code.
// Bad records are never errors (they are outcomes with reason codes, see record/reasons.ts);
// only configuration, unreadable input, auth and exhausted retries stop a run.

export const EXIT = {
  ok: 0,
  fatal: 1,
  usage: 2,
  someRejected: 3,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every code a run can stop with, its exit code and a one-line meaning (listed in the README). */
export const ERROR_CODES = {
  CM_USAGE: { exit: EXIT.usage, meaning: 'a flag or argument is unknown, missing or has a bad value' },
  CM_CONFIG: { exit: EXIT.usage, meaning: 'the configuration is incomplete or contradictory (e.g. no API key)' },
  CM_INPUT_UNREADABLE: { exit: EXIT.fatal, meaning: 'the input file cannot be opened or read, or is not valid gzip' },
  CM_INPUT_MALFORMED: { exit: EXIT.fatal, meaning: 'the input is not well-formed JSON / NDJSON (byte offset and line given)' },
  CM_INPUT_EMPTY: { exit: EXIT.fatal, meaning: 'the input held no records at all (an empty stream usually means the command before the pipe failed); --allow-empty accepts it' },
  CM_INPUT_FORMAT: { exit: EXIT.fatal, meaning: 'the input format could not be recognised, or does not match --from' },
  CM_AUTH: { exit: EXIT.fatal, meaning: 'the target refused the credentials (never retried)' },
  CM_RETRIES_EXHAUSTED: { exit: EXIT.fatal, meaning: 'a request kept failing after every retry' },
  CM_TARGET: { exit: EXIT.fatal, meaning: 'the target answered in a way that stops the run (e.g. a malformed reply)' },
  CM_UNREACHABLE: { exit: EXIT.fatal, meaning: 'no connection to the target could ever be made (address, port, DNS or TLS): check --base-url' },
  CM_OUTPUT: { exit: EXIT.fatal, meaning: 'a report, rejects or checkpoint file cannot be written' },
  CM_CHECKPOINT_CORRUPT: { exit: EXIT.fatal, meaning: 'the checkpoint file is damaged or truncated' },
  CM_RESUME_MISMATCH: { exit: EXIT.usage, meaning: 'resume was asked with a different input or options than the checkpoint' },
  CM_INTERRUPTED: { exit: EXIT.interrupted, meaning: 'stopped by SIGINT/SIGTERM; state saved' },
  CM_INTERNAL: { exit: EXIT.fatal, meaning: 'a bug in chatmigrate: please report it with the log' },
} as const satisfies Record<string, { exit: ExitCode; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ChatmigrateError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  /** What the operator can do next, shown after the message. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChatmigrateError';
    this.code = code;
    this.exitCode = ERROR_CODES[code].exit;
    this.hint = options.hint;
  }
}

/** The hint of a usage error raised below the command; the CLI names the command's own --help instead. */
export const OPTIONS_HINT = 'run `chatmigrate COMMAND --help` for the options';

/** Usage errors name the flag, what was expected and what was given. */
export function usageError(flag: string, expected: string, given: unknown): ChatmigrateError {
  const shown = typeof given === 'string' ? JSON.stringify(given) : String(given);
  return new ChatmigrateError('CM_USAGE', `${flag} expects ${expected}, got ${shown}`, { hint: OPTIONS_HINT });
}

/** The same error with the generic options hint pointed at `command`'s own help. */
export function withCommandHint(err: unknown, command: string): unknown {
  if (!(err instanceof ChatmigrateError) || err.hint !== OPTIONS_HINT) return err;
  const named = new ChatmigrateError(err.code, err.message, { hint: `run \`chatmigrate ${command} --help\` for its options`, cause: err.cause });
  named.stack = err.stack;
  return named;
}

export function isChatmigrateError(err: unknown): err is ChatmigrateError {
  return err instanceof ChatmigrateError;
}

/** Any thrown value as a ChatmigrateError (unknown errors are internal bugs). */
export function toChatmigrateError(err: unknown): ChatmigrateError {
  if (err instanceof ChatmigrateError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ChatmigrateError('CM_INTERNAL', message, { cause: err });
}
