// Every input and output of a run, checked once before anything is opened for writing: no output
// is an input or another output, whatever links lead there (path-identity.ts), and each output
// can be written the way it will be (output-writable.ts). The CLI and the library run the same check.

import { ChatmigrateError } from '../errors.js';
import { refuseOverlaps, type RunFile } from './path-identity.js';
import { checkOutputWritable } from './output-writable.js';
import { warnIfShared, type WarnLogger } from './private-files.js';

export type { RunFile } from './path-identity.js';
export { createPrivateDir } from './private-files.js';

/** The paths of a member run (import / validate), as its config holds them. */
export interface PipelinePaths {
  input: string | undefined;
  rooms?: string | undefined;
  users?: string | undefined;
  checkpoint?: string | undefined;
  report?: string | undefined;
  rejects?: string | undefined;
  ids?: string | undefined;
  json?: boolean;
}

/**
 * The files of a member run. `readsStdin`: INPUT `-` (or none) is this process's stdin, not a
 * stream a library caller passed in, so an output must not be that stream either.
 */
export function pipelineFiles(paths: PipelinePaths, readsStdin: boolean): RunFile[] {
  return [
    inputFile(paths.input, readsStdin),
    { flag: '--rooms', role: 'input', path: paths.rooms },
    { flag: '--users', role: 'input', path: paths.users },
    { flag: '--checkpoint', role: 'output', path: paths.checkpoint, write: 'checkpoint' },
    { flag: '--report', role: 'output', path: paths.report, write: 'replaced' },
    { flag: '--rejects', role: 'output', path: paths.rejects, write: 'in-place', ...(paths.checkpoint !== undefined ? { regularFor: '--checkpoint' } : {}) },
    { flag: '--ids', role: 'output', path: paths.ids, write: 'in-place' },
    ...(paths.json === true ? [{ flag: '--json', role: 'output', fd: 1 } as const] : []),
  ];
}

/** The files of a Rocket.Chat selection run: INPUT (absent: the server's), --report, --json. */
export function rocketChatFiles(paths: { input: string | undefined; report: string | undefined; json: boolean }, readsStdin: boolean): RunFile[] {
  return [
    ...(paths.input === undefined ? [] : [inputFile(paths.input, readsStdin)]),
    { flag: '--report', role: 'output', path: paths.report, write: 'replaced' },
    ...(paths.json ? [{ flag: '--json', role: 'output', fd: 1 } as const] : []),
  ];
}

function inputFile(input: string | undefined, readsStdin: boolean): RunFile {
  if (input === undefined || input === '-') return readsStdin ? { flag: 'INPUT', role: 'input', fd: 0 } : { flag: 'INPUT', role: 'input' };
  return { flag: 'INPUT', role: 'input', path: input };
}

/**
 * Refuses overlaps (CM_USAGE, exit 2), then outputs that cannot be written (CM_OUTPUT, exit 1),
 * and warns once per existing output file that others can read.
 */
export async function guardRunFiles(files: readonly RunFile[], logger?: WarnLogger): Promise<void> {
  for (const file of files) if (file.role === 'output' && file.path === '-') throw dashOutput(file.flag);
  refuseOverlaps(files);
  for (const file of files) {
    if (file.role !== 'output' || file.path === undefined) continue;
    const existing = await checkOutputWritable(file);
    if (existing) warnIfShared(logger, file.flag, file.path, existing);
  }
}

/**
 * `--rejects -`: INPUT `-` is stdin, so `-` reads as "the standard stream" here too, yet it would
 * create a file named "-" (awkward to even remove). Refused, with the path that does mean stdout.
 */
function dashOutput(flag: string): ChatmigrateError {
  const stdout = flag === '--report' ? 'for the report on stdout use --json, or ' : flag === '--checkpoint' ? '' : `for ${flag} on stdout write ${flag} /dev/stdout, or `;
  return new ChatmigrateError('CM_USAGE', `${flag} "-" names no file (only INPUT - means a standard stream): it would create a file named "-"`, {
    hint: `${stdout}give a file path (./- if you really mean that name)`,
  });
}
