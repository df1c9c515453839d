// Turns what stopped a run into the error the report and the exit code carry, with the input
// position and a hint for bad input.

import { ChatmigrateError, toChatmigrateError } from '../errors.js';
import { MalformedInputError, WrongShapeError } from '../sources/formats.js';
import { FormatError } from '../sources/record-reader.js';

/** Bad input (not bad delivery): what was read before it is still delivered. */
export function isInputFailure(e: ChatmigrateError): boolean {
  return e.code === 'CM_INPUT_MALFORMED' || e.code === 'CM_INPUT_FORMAT' || e.code === 'CM_INPUT_UNREADABLE';
}

/**
 * `lineDelimited`: the input has one record per line (a bad line could be skipped).
 * `checkpointed`: the run keeps a checkpoint (import --checkpoint, every phase of migrate), so
 * the way on is --resume, whatever flag the command named it by.
 */
export function describeFailure(err: unknown, inputName: string, lineDelimited = false, checkpointed = false): ChatmigrateError {
  if (err instanceof WrongShapeError) {
    // Not a broken record: the whole input has another form than the one it is read as.
    return new ChatmigrateError('CM_INPUT_FORMAT', `${inputName}: not in the form it is read as, at byte ${err.offset}: ${err.message}`, {
      hint: 'leave --from out to detect the form, or give the one that fits (--from array, map, cometchat or ndjson)',
    });
  }
  if (err instanceof MalformedInputError) {
    const where = `byte ${err.offset}${err.line > 0 ? `, line ${err.line}` : ''}`;
    const fix = `fix or remove the bad record and run again${checkpointed ? ' with --resume' : ''}; records before it were processed (see the report)`;
    return new ChatmigrateError('CM_INPUT_MALFORMED', `${inputName}: malformed input at ${where}: ${err.message}`, {
      hint: lineDelimited
        ? `${fix}; or add --on-malformed skip to reject such lines (into the rejects file, with their text) and go on`
        : `${fix}. One JSON document cannot skip a broken record (--on-malformed applies to line-delimited input)`,
    });
  }
  if (err instanceof FormatError) {
    return new ChatmigrateError('CM_INPUT_FORMAT', `${inputName}: ${err.message}`, {
      hint: /compressed|zip archive/.test(err.message) ? 'chatmigrate reads JSON, plain or gzip-compressed' : 'check the file, or force the format with --from (auto-detection reads only the first bytes)',
    });
  }
  return toChatmigrateError(err);
}
