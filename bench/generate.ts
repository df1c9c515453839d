// Seeded synthetic export generator (CLI + library): streams CometChat members, users or messages
// in any source format. One file (~330 lines): the options, their checks and the CLI flags that
// name them change together; the records themselves are rendered per kind in generate-*.ts.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ChatmigrateError, EXIT, isChatmigrateError, usageError } from '../src/errors.js';
import type { GeneratedRecord, RecordFactory } from './generate-mix.js';
import { createMessageFactory } from './generate-messages.js';
import { createRecordFactory } from './generate-records.js';
import { createUserFactory } from './generate-users.js';
import { parseByteSize } from '../src/byte-size.js';
import { isMainModule } from './lib/main-module.js';

export type ExportFormat = 'ndjson' | 'array' | 'cometchat' | 'map';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'array', 'cometchat', 'map'];
/** The entity kinds the generator writes (groups: not yet). */
export type ExportKind = 'members' | 'users' | 'messages';
export const EXPORT_KINDS: readonly ExportKind[] = ['members', 'users', 'messages'];

export interface GenerateOptions {
  format: ExportFormat;
  /** Default members. The `cometchat` format wraps the records in {"<kind>": {...}}. */
  kind?: ExportKind;
  count?: number;
  bytes?: number;
  seed?: number;
  dupRate?: number;
  conflictRate?: number;
  invalidRate?: number;
  /**
   * Rich member records: non-ASCII names (raw UTF-8 and \\u escapes), escaped quotes and
   * backslashes, metadata and tags in userDetails. Default false: short ASCII records.
   * Members only: users and messages always carry some non-ASCII text and escapes.
   */
  rich?: boolean;
}

/** `duplicates` includes `conflicts` (SPEC counts a conflicting repeat as a duplicate). */
export interface ExpectedCounts {
  read: number;
  valid: number;
  invalid: number;
  duplicates: number;
  conflicts: number;
  /** Only reasons that occur, in order of first occurrence. */
  invalidByReason: Record<string, number>;
  /** Messages only: new valid messages with an earlier sentAt (in seconds) than the new valid one before them. */
  outOfOrder?: number;
}

export const DEFAULT_COUNT = 1000;
/** ~1 MB writes: few syscalls, and a 1 GB run still holds only one chunk in memory. */
const CHUNK_CHARS = 1 << 20;

interface Framing { open: string; sep: string; close: string; empty: string; keyed: boolean }
function framing(format: ExportFormat, kind: ExportKind): Framing {
  switch (format) {
    case 'ndjson': return { open: '', sep: '\n', close: '\n', empty: '', keyed: false };
    case 'array': return { open: '[\n', sep: ',\n', close: '\n]\n', empty: '[]\n', keyed: false };
    case 'cometchat': return { open: `{"${kind}": {\n`, sep: ',\n', close: '\n}}\n', empty: `{"${kind}": {}}\n`, keyed: true };
    case 'map': return { open: '{\n', sep: ',\n', close: '\n}\n', empty: '{}\n', keyed: true };
  }
}

function createFactory(o: Resolved): RecordFactory {
  if (o.kind === 'users') return createUserFactory(o);
  if (o.kind === 'messages') return createMessageFactory(o);
  return createRecordFactory(o);
}

type Resolved = Required<Omit<GenerateOptions, 'count' | 'bytes'>> & { count?: number; bytes?: number };

/** Checks options once; `name` turns an option key into what the user typed (flag or key). */
export function resolveOptions(o: GenerateOptions, name: (key: string) => string = (k) => k): Resolved {
  const fail = (key: string, expected: string, given: unknown): never => {
    throw usageError(name(key), expected, given);
  };
  if (!EXPORT_FORMATS.includes(o.format)) fail('format', `one of ${EXPORT_FORMATS.join(', ')}`, o.format);
  const kind = o.kind ?? 'members';
  if (!EXPORT_KINDS.includes(kind)) fail('kind', `one of ${EXPORT_KINDS.join(', ')}`, kind);
  if (o.rich === true && kind !== 'members') {
    throw new ChatmigrateError('CM_USAGE', `${name('rich')} is for members (users and messages always carry non-ASCII text and escapes): got ${name('kind')} ${kind}`);
  }
  if (o.count !== undefined && o.bytes !== undefined) {
    throw new ChatmigrateError('CM_USAGE', `${name('bytes')} cannot be combined with ${name('count')}: ` +
      `got ${name('count')} ${o.count} and ${name('bytes')} ${o.bytes}`);
  }
  if (o.count !== undefined && !(Number.isSafeInteger(o.count) && o.count >= 0)) {
    fail('count', 'a non-negative integer', o.count);
  }
  if (o.bytes !== undefined && !(Number.isFinite(o.bytes) && o.bytes >= 0)) {
    fail('bytes', 'a non-negative size in bytes', o.bytes);
  }
  const seed = o.seed ?? 1;
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    fail('seed', 'an integer from 0 to 4294967295', seed);
  }
  const rates = { dupRate: o.dupRate ?? 0, conflictRate: o.conflictRate ?? 0, invalidRate: o.invalidRate ?? 0 };
  for (const [key, value] of Object.entries(rates)) {
    if (!(Number.isFinite(value) && value >= 0 && value <= 1)) fail(key, 'a share from 0 to 1', value);
  }
  const sum = rates.dupRate + rates.conflictRate + rates.invalidRate;
  if (sum > 1) {
    const names = `${name('dupRate')} + ${name('conflictRate')} + ${name('invalidRate')}`;
    throw usageError(names, 'a sum of at most 1', sum);
  }
  const size = o.bytes === undefined ? { count: o.count ?? DEFAULT_COUNT } : { bytes: o.bytes };
  return { format: o.format, kind, seed, ...rates, rich: o.rich ?? false, ...size };
}

function emptyCounts(kind: ExportKind): ExpectedCounts {
  const counts: ExpectedCounts = { read: 0, valid: 0, invalid: 0, duplicates: 0, conflicts: 0, invalidByReason: {} };
  if (kind === 'messages') counts.outOfOrder = 0;
  return counts;
}

function tally(counts: ExpectedCounts, record: GeneratedRecord): void {
  counts.read++;
  if (record.outOfOrder === true) counts.outOfOrder = (counts.outOfOrder ?? 0) + 1;
  if (record.kind === 'valid') counts.valid++;
  else if (record.kind === 'duplicate') counts.duplicates++;
  else if (record.kind === 'conflict') { counts.duplicates++; counts.conflicts++; }
  else {
    counts.invalid++;
    const reason = record.reason ?? 'UNKNOWN';
    counts.invalidByReason[reason] = (counts.invalidByReason[reason] ?? 0) + 1;
  }
}

/** The whole export as ~1 MB text chunks; fills `counts` as it goes. Members: ASCII unless `rich`. */
function* exportChunks(o: Resolved, counts: ExpectedCounts): Generator<string, void, void> {
  const frame = framing(o.format, o.kind);
  const factory = createFactory(o);
  const ascii = o.kind === 'members' && !o.rich;
  const limit = o.count ?? Number.MAX_SAFE_INTEGER;
  // --bytes: stop once the text plus its closing reaches the target (overshoot < one record).
  const target = o.bytes ?? Number.POSITIVE_INFINITY;
  let chunk = '';
  let total = 0;
  let produced = 0;
  while (produced < limit && total + frame.close.length < target) {
    const record = factory.next();
    tally(counts, record);
    const entry = frame.keyed ? `"${record.key}": ${record.json}` : record.json;
    const piece = produced === 0 ? frame.open + entry : frame.sep + entry;
    chunk += piece;
    total += ascii ? piece.length : Buffer.byteLength(piece);
    produced++;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk + (produced === 0 ? frame.empty : frame.close);
}

/** Small exports only (a JS string holds at most ~512M characters). */
export function generateToString(options: GenerateOptions): { text: string; expected: ExpectedCounts } {
  const resolved = resolveOptions(options);
  const expected = emptyCounts(resolved.kind);
  let text = '';
  for (const chunk of exportChunks(resolved, expected)) text += chunk;
  return { text, expected };
}

function waitForDrain(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown): void => {
      out.removeListener('drain', onDrain);
      out.removeListener('error', onError);
      out.removeListener('close', onClose);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onDrain = (): void => done();
    const onError = (err: unknown): void => done(err);
    const onClose = (): void => done(new Error('the output closed before the export was written'));
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
  });
}

/** Streams the export into `out`, waiting for 'drain' when it is full. Does not end `out`. */
export async function generateExport(options: GenerateOptions, out: NodeJS.WritableStream): Promise<ExpectedCounts> {
  const resolved = resolveOptions(options);
  const counts = emptyCounts(resolved.kind);
  let failure: unknown;
  const onError = (err: unknown): void => { failure ??= err; };
  out.on('error', onError);
  try {
    for (const chunk of exportChunks(resolved, counts)) {
      if (failure !== undefined) throw failure;
      if (!out.write(chunk)) await waitForDrain(out);
    }
    // A synchronous destination (a file or pipe as stdout) reports write errors on the next tick.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (failure !== undefined) throw failure;
  } finally {
    out.removeListener('error', onError);
  }
  return counts;
}

export { parseByteSize };

const FLAGS: Record<string, string> = {
  format: '--format', kind: '--kind', rich: '--rich', count: '--count', bytes: '--bytes', seed: '--seed',
  dupRate: '--dup-rate', conflictRate: '--conflict-rate', invalidRate: '--invalid-rate',
};

export const HELP = `Usage: node dist/bench/generate.js [options] > export.json
Writes a synthetic, seeded export of CometChat group members, users or messages to stdout.
  --kind K             members (default), users or messages (sentAt in the 170 days before
                       2026-01-01, the bench's --now, so inside the default 180-day retention)
  --format F           ndjson (default), array, cometchat ({"<kind>": {...}}) or map ({...})
  --count N            number of records (default ${DEFAULT_COUNT})
  --bytes N            approximate output size instead of --count: 1e9, 1GB, 100MB, 64KiB
  --seed S             PRNG seed, integer 0..4294967295 (default 1)
  --dup-rate R         share of exact repeats of an earlier key (memberId, uid, muid) (default 0)
  --conflict-rate R    share of repeats of an earlier key with other content (default 0)
  --invalid-rate R     share of invalid records, one defect each (default 0)
  --rich               valid members get non-ASCII names, escapes, metadata and tags (members only)
  --expect FILE        write the expected counts as JSON to FILE
  --help               show this help
`;

function numberFlag(flag: string, raw: string | undefined, expected: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw usageError(flag, expected, raw);
  return value;
}

export interface GenerateArgs { options: GenerateOptions; expect: string | undefined; help: boolean }

/** argv (without node and script) → options; throws CM_USAGE errors naming the flag. */
export function parseGenerateArgs(argv: string[]): GenerateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        format: { type: 'string' }, kind: { type: 'string' }, count: { type: 'string' }, bytes: { type: 'string' }, seed: { type: 'string' },
        'dup-rate': { type: 'string' }, 'conflict-rate': { type: 'string' }, 'invalid-rate': { type: 'string' },
        rich: { type: 'boolean' }, expect: { type: 'string' }, help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    // parseArgs names the offending argument in quotes; report it in our flag/expected/given form.
    const message = err instanceof Error ? err.message : String(err);
    const flag = /'(-[^' ]*|[^' ]+)/.exec(message)?.[1] ?? '(argument)';
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new ChatmigrateError('CM_USAGE', `${flag} expects a value after it, got none`);
    }
    const known = [...Object.values(FLAGS), '--expect', '--help'].join(', ');
    const what = code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? 'argument' : 'option';
    throw new ChatmigrateError('CM_USAGE',
      `unknown ${what} ${flag}: expected one of ${known}, got ${JSON.stringify(flag)}`);
  }
  let bytes: number | undefined;
  if (values.bytes !== undefined) {
    bytes = parseByteSize(values.bytes);
    if (bytes === undefined) throw usageError('--bytes', 'a size such as 1e9, 1GB or 100MB', values.bytes);
  }
  const options: GenerateOptions = {
    format: (values.format ?? 'ndjson') as ExportFormat,
    kind: (values.kind ?? 'members') as ExportKind,
    count: numberFlag('--count', values.count, 'a non-negative integer'),
    bytes,
    seed: numberFlag('--seed', values.seed, 'an integer from 0 to 4294967295'),
    dupRate: numberFlag('--dup-rate', values['dup-rate'], 'a share from 0 to 1'),
    conflictRate: numberFlag('--conflict-rate', values['conflict-rate'], 'a share from 0 to 1'),
    invalidRate: numberFlag('--invalid-rate', values['invalid-rate'], 'a share from 0 to 1'),
    rich: values.rich === true,
  };
  resolveOptions(options, (key) => FLAGS[key] ?? key);
  return { options, expect: values.expect, help: values.help === true };
}

/** The CLI: returns the exit code. Errors go to stderr, the export to stdout. */
export async function runGenerateCli(argv: string[], stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    const { options, expect, help } = parseGenerateArgs(argv);
    if (help) { stdout.write(HELP); return EXIT.ok; }
    const counts = await generateExport(options, stdout);
    if (expect !== undefined) {
      try {
        await writeFile(expect, `${JSON.stringify(counts, null, 2)}\n`);
      } catch (err) {
        throw new ChatmigrateError('CM_OUTPUT', `--expect ${JSON.stringify(expect)}: ${(err as Error).message}`);
      }
    }
    return EXIT.ok;
  } catch (err) {
    // The reader went away (e.g. `| head`): not an error of ours.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok;
    const message = err instanceof Error ? err.message : String(err);
    const hint = isChatmigrateError(err) && err.code === 'CM_USAGE' ? 'run with --help for the options\n' : '';
    stderr.write(`generate: ${message}\n${hint}`);
    return isChatmigrateError(err) ? err.exitCode : EXIT.fatal;
  }
}

if (isMainModule(import.meta.url)) {
  void runGenerateCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
