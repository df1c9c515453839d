// The `import --to rocketchat` report (JSON) and its human summary. Counts add up per kind:
// read = invalid + duplicates + skipped + selected, and the totals follow SPEC §4's
// read = invalid + skipped + duplicates + valid (valid = selected).

import { ERROR_CODES, EXIT, type ErrorCode, type ExitCode } from '../errors.js';
import { formatDuration, formatInt } from '../accounting/report.js';
import { VERSION } from '../version.js';
import type { KindCounts } from './selection.js';

/** As the member pipeline's: 'some-invalid' is a finished run that did not bring everything (exit 3). */
export type RocketChatRunStatus = 'ok' | 'some-invalid' | 'failed' | 'interrupted';

export interface RocketChatReport {
  tool: 'chatmigrate';
  version: string;
  /** validate: a dry run (selection judged and counted, nothing sent). */
  command: 'import' | 'validate';
  target: 'rocketchat';
  /** Where the selection came from: a file, stdin, or the server's getImportFileData. */
  input: { name: string; source: 'file' | 'stdin' | 'server'; bytes: number };
  read: number;
  invalid: number;
  skipped: number;
  duplicates: number;
  valid: number;
  selection: { users: KindCounts; channels: KindCounts; /** Memory of the user_id/channel_id dedupe indexes. */ dedupeIndexBytes: number };
  /** Whether startImport was sent at all (false: the run stopped before it). */
  startImportSent: boolean;
  /** The startImport body form the server accepted (null: none was accepted). */
  form: 'array' | 'short' | null;
  /** True when the array form was refused (invalid-params) and the short form was sent. */
  fellBack: boolean;
  /** The last getImportProgress answer seen. */
  import: { step: string; count: { total: number; completed: number; error: number } } | null;
  requests: number;
  retries: number;
  throttled: number;
  durationMs: number;
  startedAt: string;
  finishedAt: string;
  status: RocketChatRunStatus;
  exitCode: ExitCode;
  error?: { code: ErrorCode; message: string; hint?: string };
}

export function buildRocketChatReport(parts: Omit<RocketChatReport, 'tool' | 'version' | 'target' | 'read' | 'invalid' | 'skipped' | 'duplicates' | 'valid' | 'exitCode'>): RocketChatReport {
  const { users, channels } = parts.selection;
  // The stopping error's own exit code (SPEC §4): 1 fatal, 2 config, 130 interrupted; a finished
  // import is 3 when entries were invalid (not sent) or the server counted import errors.
  const someNotImported = users.invalid + channels.invalid > 0 || (parts.import?.count.error ?? 0) > 0;
  const finished = parts.status === 'ok' || parts.status === 'some-invalid';
  const exitCode = parts.error !== undefined ? ERROR_CODES[parts.error.code].exit : !finished ? EXIT.fatal : someNotImported ? EXIT.someRejected : EXIT.ok;
  const status: RocketChatRunStatus = finished && parts.error === undefined ? (someNotImported ? 'some-invalid' : 'ok') : parts.status;
  return {
    tool: 'chatmigrate',
    version: VERSION,
    command: parts.command,
    target: 'rocketchat',
    input: parts.input,
    read: users.read + channels.read,
    invalid: users.invalid + channels.invalid,
    skipped: users.skipped + channels.skipped,
    duplicates: users.duplicates + channels.duplicates,
    valid: users.selected + channels.selected,
    selection: parts.selection,
    startImportSent: parts.startImportSent,
    form: parts.form,
    fellBack: parts.fellBack,
    import: parts.import,
    requests: parts.requests,
    retries: parts.retries,
    throttled: parts.throttled,
    durationMs: parts.durationMs,
    startedAt: parts.startedAt,
    finishedAt: parts.finishedAt,
    status,
    exitCode,
    ...(parts.error === undefined ? {} : { error: parts.error }),
  };
}

function kindLine(label: string, c: KindCounts): string {
  const by = Object.entries(c.skippedBy).map(([rule, n]) => `${rule} ${formatInt(n)}`).join(', ');
  return `  ${label}: ${formatInt(c.read)} read = ${formatInt(c.selected)} selected + ${formatInt(c.skipped)} skipped${by ? ` (${by})` : ''} + ${formatInt(c.duplicates)} duplicates + ${formatInt(c.invalid)} invalid`;
}

export function formatRocketChatSummary(r: RocketChatReport, reportPath?: string): string {
  const lines = [
    `chatmigrate ${r.command} --to rocketchat: ${r.status}${r.command === 'validate' ? ' (dry run: nothing sent)' : ''}  (${formatDuration(r.durationMs)}, selection from ${r.input.source === 'server' ? 'the server' : r.input.name})`,
    kindLine('users', r.selection.users),
    kindLine('channels', r.selection.channels),
    ...(r.command === 'validate' ? [] : [`  startImport: ${r.form === null ? (r.startImportSent ? 'not accepted' : 'not sent') : `${r.form} form${r.fellBack ? ' (after the array form was refused)' : ''}`}; requests ${formatInt(r.requests)} (${formatInt(r.retries)} retries, ${formatInt(r.throttled)} throttled)`]),
  ];
  if (r.import !== null) lines.push(`  import: ${r.import.step}, ${formatInt(r.import.count.completed)}/${formatInt(r.import.count.total)} completed, ${formatInt(r.import.count.error)} errors`);
  if (reportPath) lines.push(`  report: ${reportPath}`);
  if (r.exitCode === EXIT.someRejected) {
    const why: string[] = [];
    if (r.invalid > 0) why.push(`${formatInt(r.invalid)} invalid selection entries ${r.command === 'validate' ? 'would not be sent' : 'were not sent'} (see the log)`);
    if (r.import !== null && r.import.count.error > 0) why.push(`the server counted ${formatInt(r.import.count.error)} import errors`);
    lines.push(`  not everything ${r.command === 'validate' ? 'importable' : 'imported'}: ${why.join('; ')}`);
  }
  if (r.status === 'interrupted') lines.push('  interrupted: an import already started keeps running on the server (see Administration → Import)');
  return lines.join('\n');
}
