// The inputs and runs of `ab:outputs`: seeded exports in every format with invalid records,
// duplicates and conflicts (and gzip copies), the bundled sample, the Rocket.Chat fixtures; and
// one case run by one build, `validate` or `import` into a fresh sandbox of that same build,
// leaving its exit code, report, rejects file and what the sandbox accepted.

import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { EXPORT_FORMATS, generateExport } from '../generate.js';
import { runCli } from './cli-launch.js';
import { startSandboxProcess } from './sandbox-process.js';

export interface OutputInput {
  /** Short name for the table, e.g. `gen-array.json.gz`. */
  name: string;
  path: string;
  /** Flags this input needs (e.g. --from rocketchat --rooms ... --users ...). */
  args: string[];
}

export interface OutputOptions {
  count: number;
  seed: number;
  /** The checkout whose fixtures/ are read (this build's). */
  root: string;
  /** More inputs given with --input. */
  extra: readonly string[];
}

/** Shares of each defect in the generated inputs: enough of every kind in a few thousand records. */
export const DEFECT_RATES = { dupRate: 0.02, conflictRate: 0.01, invalidRate: 0.03 } as const;
/** The `--now` every run gets, so the joinedAt rule judges alike. */
export const NOW_SECONDS = 1_767_225_600;
const KEY = 'ab-outputs-key';
export const ACCEPTED_KINDS = ['members', 'users', 'groups'] as const;

async function gzipCopy(path: string): Promise<string> {
  const out = `${path}.gz`;
  await pipeline(createReadStream(path), createGzip(), createWriteStream(out));
  return out;
}

export async function prepareInputs(dir: string, o: OutputOptions): Promise<OutputInput[]> {
  mkdirSync(dir, { recursive: true });
  const inputs: OutputInput[] = [];
  for (const format of EXPORT_FORMATS) {
    const path = join(dir, `gen-${format}.${format === 'ndjson' ? 'ndjson' : 'json'}`);
    const out = createWriteStream(path);
    await generateExport({ format, count: o.count, seed: o.seed, ...DEFECT_RATES }, out);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    inputs.push({ name: basename(path), path, args: [] });
    const gz = await gzipCopy(path);
    inputs.push({ name: basename(gz), path: gz, args: [] });
  }
  inputs.push({ name: 'sample-export.json', path: join(o.root, 'fixtures', 'sample-export.json'), args: [] });
  const rc = join(o.root, 'fixtures', 'rocketchat');
  const tables = ['--from', 'rocketchat', '--rooms', join(rc, 'rooms.json'), '--users', join(rc, 'users.ndjson')];
  for (const subs of ['subscriptions.ndjson', 'subscriptions.array.json']) inputs.push({ name: `rocketchat/${subs}`, path: join(rc, subs), args: tables });
  for (const path of o.extra) inputs.push({ name: basename(path), path, args: [] });
  return inputs;
}

export interface CaseOutputs {
  exitCode: number | null;
  /** The --report file's text (undefined when none was written). */
  report: string | undefined;
  rejects: string | undefined;
  /** import: GET /__sandbox/accepted/KIND of the build's own sandbox, per kind. */
  accepted: Partial<Record<(typeof ACCEPTED_KINDS)[number], string>>;
  stderr: string;
}

function readIfThere(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/**
 * Runs one case with one build's executable, its outputs in `outDir`. Import goes to a fresh
 * sandbox of the same build without quota, over one connection: one request in flight at a time
 * keeps arrival order, and so the accepted lists and the rejects file, the same from run to run.
 */
export async function runCase(cli: string, command: 'validate' | 'import', input: OutputInput, outDir: string): Promise<CaseOutputs> {
  mkdirSync(outDir, { recursive: true });
  const report = join(outDir, 'report.json');
  const rejects = join(outDir, 'rejects.ndjson');
  const common = [input.path, ...input.args, '--rejects', rejects, '--report', report, '--now', String(NOW_SECONDS), '--no-progress', '--log-level', 'warn'];
  if (command === 'validate') {
    const r = await runCli(cli, ['validate', ...common]);
    return { exitCode: r.code, report: readIfThere(report), rejects: readIfThere(rejects), accepted: {}, stderr: r.stderr };
  }
  const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', '0'], undefined, cli, true);
  try {
    const r = await runCli(cli, ['import', ...common, '--base-url', sandbox.baseUrl, '--rpm', '0', '--connections', '1'], { env: { COMETCHAT_API_KEY: KEY } });
    const accepted: CaseOutputs['accepted'] = {};
    for (const kind of ACCEPTED_KINDS) {
      const res = await fetch(`${sandbox.url}/__sandbox/accepted/${kind}`);
      accepted[kind] = res.ok ? await res.text() : `(GET /__sandbox/accepted/${kind}: HTTP ${res.status})\n`;
    }
    return { exitCode: r.code, report: readIfThere(report), rejects: readIfThere(rejects), accepted, stderr: r.stderr };
  } finally {
    await sandbox.stop();
  }
}
