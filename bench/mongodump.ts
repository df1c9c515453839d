// Bench (not a timed test) for mongodump input, two questions:
// 1. How fast is a messages collection read from its mongodump .bson, against its mongoexport
//    file of the same workspace (same seed, same messages)? Decoding alone (split + JSON.parse or
//    BSON decoding) and the messages phase's own path (blocks, decodeBlock with the workspace
//    mapper and validation), each pinned to one core in a fresh process, median of --reps; the
//    ratio is taken within the run (PERF-NOTES: compare ratios, not absolute figures across days).
// 2. Does the time-order sort of an unsorted ~1 GB messages .bson keep memory flat? Peak RSS of the
//    whole sort (check, runs, merge, the merged stream read through) at --sort-mb, against the same
//    sort of a file 4× smaller (the control: flat means about the same peak), and a plain read of
//    the file for scale.
//
//   node dist/bench/mongodump.js [--messages 400000] [--sort-mb 1024] [--reps 3] [--dir DIR] [--skip-read] [--skip-sort]

import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateRocketChatWorkspace } from './generate-rocketchat.js';
import { generateMongodump } from './generate-mongodump.js';
import { runProbe } from './lib/measure.js';

const { values } = parseArgs({ options: { messages: { type: 'string' }, 'sort-mb': { type: 'string' }, reps: { type: 'string' }, dir: { type: 'string' }, 'skip-read': { type: 'boolean' }, 'skip-sort': { type: 'boolean' } } });
const messages = Number(values.messages ?? 400_000);
const sortMb = Number(values['sort-mb'] ?? 1024);
const reps = Number(values.reps ?? 3);
const root = values.dir ?? mkdtempSync(join(tmpdir(), 'cm-bench-dump-'));
const NOW = 1_767_225_600;
/** Generated BSON messages average about this many bytes (measured on the generator's output). */
const BSON_BYTES_PER_MESSAGE = 200;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (line: string): void => void process.stderr.write(line + '\n');

async function readBench(): Promise<void> {
  const json = join(root, 'export');
  const dump = join(root, 'dump');
  mkdirSync(json, { recursive: true });
  const shape = { seed: 5, now: NOW, messages, collect: false, fileUrl: false };
  const a = await generateRocketChatWorkspace({ ...shape, dir: json, arrays: [] });
  const b = await generateMongodump({ ...shape, dir: dump, files: false });
  log(`read: ${messages} messages; mongoexport ${(statSync(a.files.messages).size / 1e6).toFixed(0)} MB, mongodump ${(statSync(b.files.messages).size / 1e6).toFixed(0)} MB`);
  for (const mode of ['parse', 'map'] as const) {
    const rows: Record<string, { recordsPerS: number; mbPerS: number; valid: number }> = {};
    for (const [form, files] of [['json', a.files], ['bson', b.files]] as const) {
      const runs = [];
      for (let i = 0; i < reps; i++) runs.push((await runProbe('mongodump-read-probe', [mode, files.messages, files.users, files.rooms], { core: 0 })).output);
      const rps = median(runs.map((r) => r['recordsPerS'] as number));
      rows[form] = { recordsPerS: rps, mbPerS: median(runs.map((r) => r['mbPerS'] as number)), valid: runs[0]!['valid'] as number };
      log(`  ${mode} ${form}: ${(rps / 1000).toFixed(0)}k messages/s, ${rows[form].mbPerS.toFixed(0)} MB/s of its own bytes (valid ${rows[form].valid})`);
    }
    log(`  ${mode}: bson/json = ${(rows['bson']!.recordsPerS / rows['json']!.recordsPerS).toFixed(2)}x messages/s${mode === 'map' ? `; same messages delivered: ${rows['bson']!.valid === rows['json']!.valid}` : ''}`);
  }
}

async function sortBench(): Promise<void> {
  const peaks: number[] = [];
  for (const mb of [sortMb / 4, sortMb]) {
    const dir = join(root, `sort-${mb}`);
    const count = Math.round((mb * 1024 * 1024) / BSON_BYTES_PER_MESSAGE);
    const gen = await generateMongodump({ seed: 9, now: NOW, messages: count, collect: false, dir, files: false, shuffle: 40 });
    const size = statSync(gen.files.messages).size;
    const read = (await runProbe('time-order-probe', ['read', gen.files.messages, join(dir, 'order')], { core: 0 })).output;
    const sort = (await runProbe('time-order-probe', ['sort', gen.files.messages, join(dir, 'order')], { core: 0 })).output;
    const stages = Object.entries(sort['stages'] as Record<string, number>).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
    log(`sort: ${(size / 1e6).toFixed(0)} MB (${sort['records'] as number} messages, every 40th out of place) in ${sort['runs'] as number} runs: ${((sort['ms'] as number) / 1000).toFixed(1)} s = ${(size / 1e6 / ((sort['ms'] as number) / 1000)).toFixed(0)} MB/s (${stages}); peak RSS ${(sort['maxRssMB'] as number).toFixed(0)} MB; plain read ${(read['mbPerS'] as number).toFixed(0)} MB/s, peak ${(read['maxRssMB'] as number).toFixed(0)} MB`);
    peaks.push(sort['maxRssMB'] as number);
    rmSync(dir, { recursive: true, force: true });
  }
  log(`sort: peak RSS ${sortMb} MB vs ${sortMb / 4} MB input = ${(peaks[1]! / peaks[0]!).toFixed(2)}x (flat ≈ 1)`);
}

try {
  if (!values['skip-read']) await readBench();
  if (!values['skip-sort']) await sortBench();
} finally {
  if (values.dir === undefined) rmSync(root, { recursive: true, force: true });
}
