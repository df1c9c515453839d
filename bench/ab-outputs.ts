// `npm run ab:outputs -- --against GIT_REF|DIR`: does this build write what the ref writes? Both
// builds' executables run `validate` and `import` (into a fresh sandbox of the same build) on the
// same inputs (lib/output-cases.ts); exit codes, reports without their clock readings, rejects
// files and the records each sandbox accepted must be identical. Exit 0 identical, 1 a
// difference (shown as a unified diff of its first lines), 2 misuse or a run that could not run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onExit } from './lib/exit-cleanup.js';
import { ACCEPTED_KINDS, DEFECT_RATES, NOW_SECONDS, prepareInputs, runCase, type CaseOutputs, type OutputInput } from './lib/output-cases.js';
import { CLOCK_FIELDS, firstDifference, normalizeReport } from './lib/output-compare.js';
import { describeCheckout, prepareRef, RefBuildError } from './lib/ref-build.js';
import { CLI } from './lib/sandbox-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HELP = `Usage: npm run ab:outputs -- --against GIT_REF|DIR [options]

Runs this build and another one on the same inputs and compares what they write: exit codes,
reports without their clock readings, rejects files byte for byte, and the records each build's
own sandbox accepted (import, no quota, one connection). Every run gets --now ${NOW_SECONDS}.
Inputs: generated exports in every format with invalid records, duplicates and conflicts, a gzip
copy of each, fixtures/sample-export.json, and the Rocket.Chat fixtures (--from rocketchat).
  report fields left out: ${CLOCK_FIELDS.join(', ')}
  defect rates: ${Object.entries(DEFECT_RATES).map(([k, v]) => `${k} ${v}`).join(', ')}
Exit 0: identical; 1: a difference (a unified diff of its first lines follows the table:
- ref, + this); 2: usage error, or a build could not be run.

Options:
  --against REF        a git ref of this repository (built in a temporary directory, removed
                       afterwards) or the directory of a built checkout
  --this REF           compare REF (a git ref or built checkout, as --against) instead of this
                       build: e.g. a past refactor against the main it replaced
  --count N            records per generated input (default 10000, ~3.4 MB)
  --seed S             generator seed (default 7)
  --input FILE         another input to compare on (repeatable)
  --only NAME          compare only the inputs of this name, as the table names them (repeatable)
  --ignore-field PATH  another report field to leave out, dotted (repeatable; e.g. version)
  --keep DIR           write inputs and outputs to DIR and keep them (default: a temporary directory)
  --help               show this help`;

const { values } = parseArgs({
  options: {
    against: { type: 'string' },
    this: { type: 'string' },
    count: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7' },
    input: { type: 'string', multiple: true, default: [] },
    only: { type: 'string', multiple: true, default: [] },
    'ignore-field': { type: 'string', multiple: true, default: [] },
    keep: { type: 'string' },
    help: { type: 'boolean' },
  },
});

function usage(message: string): never {
  process.stderr.write(`ab:outputs: ${message}\n`);
  process.exit(2);
}

if (values.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
if (values.against === undefined) usage('--against expects a git ref or the directory of a built checkout, got nothing; run with --help');
const count = Number(values.count);
if (!(Number.isInteger(count) && count >= 1)) usage(`--count expects a whole number of records ≥ 1, got ${JSON.stringify(values.count)}`);
const seed = Number(values.seed);
if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) usage(`--seed expects an integer from 0 to 4294967295, got ${JSON.stringify(values.seed)}`);
const reportFields = [...CLOCK_FIELDS, ...values['ignore-field']];

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();
let ref;
let mine: { cli: string; label: string; dispose(): void } | undefined;
try {
  ref = await prepareRef(values.against, { root: ROOT, log });
  if (values.this !== undefined) mine = await prepareRef(values.this, { root: ROOT, log });
} catch (err) {
  if (err instanceof RefBuildError) usage(err.message);
  throw err;
}
const thisCli = mine?.cli ?? CLI;
const work = values.keep !== undefined ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'chatmigrate-ab-outputs-'));
if (values.keep === undefined) onExit(() => rmSync(work, { recursive: true, force: true }));
const thisLabel = mine?.label ?? (await describeCheckout(ROOT));

interface Part {
  name: string;
  verdict: 'same' | 'differs' | '—';
  diff?: string;
}

function comparePart(name: string, refText: string | undefined, thisText: string | undefined, file: string): Part {
  if (refText === undefined && thisText === undefined) return { name, verdict: '—' };
  const diff = firstDifference(refText ?? '(not written)\n', thisText ?? '(not written)\n', { a: `ref/${file}`, b: `this/${file}` });
  return diff === undefined ? { name, verdict: 'same' } : { name, verdict: 'differs', diff };
}

function compareCase(refOut: CaseOutputs, thisOut: CaseOutputs, label: string): Part[] {
  const parts: Part[] = [
    refOut.exitCode === thisOut.exitCode ? { name: 'exit', verdict: 'same' } : { name: 'exit', verdict: 'differs', diff: `exit code: ref ${refOut.exitCode}, this ${thisOut.exitCode}\nref stderr: ${refOut.stderr.slice(-600)}\nthis stderr: ${thisOut.stderr.slice(-600)}` },
    comparePart('report', refOut.report && normalizeReport(refOut.report, reportFields), thisOut.report && normalizeReport(thisOut.report, reportFields), `${label}/report.json`),
    comparePart('rejects', refOut.rejects, thisOut.rejects, `${label}/rejects.ndjson`),
  ];
  for (const kind of ACCEPTED_KINDS) {
    if (refOut.accepted[kind] !== undefined || thisOut.accepted[kind] !== undefined) parts.push(comparePart(`accepted ${kind}`, refOut.accepted[kind], thisOut.accepted[kind], `${label}/accepted-${kind}.ndjson`));
  }
  return parts;
}

try {
  log(`ab:outputs: this ${thisLabel} vs ref ${ref.label}; inputs and outputs in ${work}`);
  const all: OutputInput[] = await prepareInputs(join(work, 'in'), { count, seed, root: ROOT, extra: values.input });
  const inputs = values.only.length === 0 ? all : all.filter((i) => values.only.includes(i.name));
  const unknown = values.only.filter((name) => !all.some((i) => i.name === name));
  if (unknown.length > 0) usage(`--only expects input names from ${all.map((i) => i.name).join(', ')}, got ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  log(`inputs: ${inputs.map((i) => i.name).join(', ')} (${count} records per generated one, seed ${seed})`);
  const rows: Array<{ input: string; command: string; exit: string; parts: Part[] }> = [];
  for (const [i, input] of inputs.entries()) {
    for (const command of ['validate', 'import'] as const) {
      const label = `${i + 1}-${input.name.replace(/[^\w.-]+/g, '_')}-${command}`;
      // Both builds at once: their outputs do not depend on timing (import: one connection each, own sandbox).
      const [refOut, thisOut] = await Promise.all([runCase(ref.cli, command, input, join(work, 'out', label, 'ref')), runCase(thisCli, command, input, join(work, 'out', label, 'this'))]);
      const parts = compareCase(refOut, thisOut, label);
      rows.push({ input: input.name, command, exit: `${refOut.exitCode} / ${thisOut.exitCode}`, parts });
      log(`  ${input.name} ${command}: ${parts.some((p) => p.verdict === 'differs') ? 'DIFFERS' : 'identical'}`);
    }
  }
  const cell = (row: (typeof rows)[number], name: string) => row.parts.find((p) => p.name === name)?.verdict ?? '—';
  const accepted = (row: (typeof rows)[number]) => {
    const verdicts = row.parts.filter((p) => p.name.startsWith('accepted ')).map((p) => p.verdict);
    return verdicts.length === 0 ? '—' : verdicts.includes('differs') ? 'differs' : 'same';
  };
  const differing = rows.filter((r) => r.parts.some((p) => p.verdict === 'differs'));
  const seconds = Math.round((performance.now() - started) / 1000);
  process.stdout.write(
    `ab:outputs --against ${values.against}: this ${thisLabel} vs ref ${ref.label} (${seconds} s)\n` +
      `report fields left out: ${reportFields.join(', ')}\n\n` +
      '| input | command | exit ref / this | report | rejects | accepted | verdict |\n|---|---|---|---|---|---|---|\n' +
      rows.map((r) => `| ${r.input} | ${r.command} | ${r.exit} | ${cell(r, 'report')} | ${cell(r, 'rejects')} | ${accepted(r)} | ${differing.includes(r) ? 'DIFFERS' : 'identical'} |`).join('\n') +
      '\n\n' +
      differing.map((r) => `## ${r.input} ${r.command}\n` + r.parts.filter((p) => p.diff !== undefined).map((p) => `${p.name}:\n${p.diff}\n`).join('\n')).join('\n') +
      (differing.length > 0 ? `\nDIFFERS: ${differing.length} of ${rows.length} cases (${differing.map((r) => `${r.input} ${r.command}`).join(', ')})\n` : `identical: ${rows.length} cases\n`),
  );
  process.exitCode = differing.length > 0 ? 1 : 0;
} catch (err) {
  process.stderr.write(`ab:outputs: the comparison could not be run: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 2;
} finally {
  ref.dispose();
  mine?.dispose();
}
