// Benchmark: dedupe index speed and memory per key at N million memberId-shaped keys (one child process per N).
//
// Question answered: does the index stay ≤ 24 B/key at 30M keys, hold 50M keys well under 2 GB,
// insert in ~≤ 350 ns at 30M, and never merge two distinct keys?
// Setup: keys `g<i % 50000>_member_u<i>` plus 1 in 16 random UUID-style memberIds, each with a
// JSON.stringify'd record as content; generated in chunks of 4,096 outside the timed region.
// Controls that can fail: size must equal N, re-adding a sample must say DUPLICATE, re-adding it
// with other content must say CONFLICT (misses ≈ sample/65,536 expected), and 100k keys never
// inserted must be absent. A second child process times addHashed (keys hashed beforehand, as the
// pipeline's workers do) with and without prefetchHashed, on alternate chunks of the same index.
// Reading the figures: on the 2-vCPU KVM dev machine one random read into a table of ~700 MB
// costs ~500 ns when nothing else overlaps it (measured: hashing + one such read = hashing +
// ~480 ns; 114 ns when independent reads overlap), so add() at 30M keys is bound by that miss
// plus ~160 ns of hashing; prefetchHashed lets a block's misses overlap.
// Run: npx tsc -p . && node --max-old-space-size=4096 dist/bench/dedupe.js 1 10 30

import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CONFLICT, DUPLICATE, NEW, createDedupeIndex } from '../src/transforms/dedupe/dedupe-index.js';
import { contentDigest16, fingerprint128 } from '../src/transforms/dedupe/fingerprint.js';

export interface DedupeBenchResult {
  keys: number;
  nsPerInsert: number; // mean over all inserts
  nsPerInsertLast10pct: number; // the last tenth: the index at (nearly) full size
  bytesPerKeyReported: number; // bytes() / N
  bytesPerKeyArrayBuffers: number; // process.memoryUsage().arrayBuffers delta / N
  peakRssMiB: number; // whole child process: includes Node itself and the key generator
  indexMiB: number; // bytes() in MiB
  fingerprintNsPerKey: number; // fingerprint128 alone on hot keys of this shape
  contentDigestNs: number; // contentDigest16 alone on hot contents
  nsPerAddHashed: number; // addHashed, fingerprints computed beforehand (second child process)
  nsPerAddHashedPrefetched: number; // the same after prefetchHashed over each run of 256 keys
  sizeMatches: boolean;
  duplicatesChecked: number;
  duplicatesWrong: number; // re-adds that did not say DUPLICATE (must be 0)
  conflictsChecked: number;
  conflictsMissed: number; // changed-content re-adds reported DUPLICATE (≈ checked / 65,536)
  absentChecked: number;
  absentFound: number; // never-inserted keys that has() claims (a false merge; must be 0)
  ok: boolean;
}

const CHUNK = 4096;
const SAMPLE = 100_000;

/** Deterministic per-index pseudo-random 32-bit value (a fixed integer mix of i and a salt). */
function mix(i: number, salt: number): number {
  let h = Math.imul(i ^ salt, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

function hex8(x: number): string {
  return x.toString(16).padStart(8, '0');
}

/** Key i: mostly short generated ids, 1 in 16 a UUID-style guid; every i gives a distinct key. */
function makeKey(i: number): string {
  if ((i & 15) === 15) {
    const a = hex8(mix(i, 1));
    const b = hex8(mix(i, 2));
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${hex8(mix(i, 3))}_member_r${i}`;
  }
  return `g${i % 50000}_member_u${i}`;
}

function makeContent(i: number, key: string, variant: number): string {
  const sep = key.indexOf('_member_');
  return JSON.stringify({
    memberId: key,
    uid: key.slice(sep + 8),
    guid: key.slice(0, sep),
    scope: variant === 0 ? 'participant' : 'moderator',
    joinedAt: String(1_600_000_000 + (i % 100_000_000)),
  });
}

function timeHashes(): { fingerprintNsPerKey: number; contentDigestNs: number } {
  const keys: string[] = [];
  const contents: string[] = [];
  for (let i = 0; i < CHUNK; i++) {
    keys.push(makeKey(i * 977));
    contents.push(makeContent(i, keys[i]!, 0));
  }
  const out = new Uint32Array(4);
  let sink = 0;
  let fpNs = Infinity;
  let cdNs = Infinity;
  for (let round = 0; round < 5; round++) {
    let t0 = process.hrtime.bigint();
    for (let r = 0; r < 50; r++) for (let i = 0; i < CHUNK; i++) { fingerprint128(keys[i]!, out); sink ^= out[0]!; }
    fpNs = Math.min(fpNs, Number(process.hrtime.bigint() - t0) / (50 * CHUNK));
    t0 = process.hrtime.bigint();
    for (let r = 0; r < 50; r++) for (let i = 0; i < CHUNK; i++) sink ^= contentDigest16(contents[i]!);
    cdNs = Math.min(cdNs, Number(process.hrtime.bigint() - t0) / (50 * CHUNK));
  }
  if (sink === 0.5) console.log(sink); // keeps the loops observable
  return { fingerprintNsPerKey: round1(fpNs), contentDigestNs: round1(cdNs) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

type AddResult = Omit<DedupeBenchResult, 'nsPerAddHashed' | 'nsPerAddHashedPrefetched'>;

/** Runs one size in this process (call it in a fresh process for a meaningful peak RSS). */
export function measureDedupe(keyCount: number): AddResult {
  const hashes = timeHashes();
  const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
  const index = createDedupeIndex();
  const keys: string[] = new Array<string>(CHUNK).fill('');
  const contents: string[] = new Array<string>(CHUNK).fill('');
  const lastTenthFrom = Math.floor(keyCount * 0.9);
  let totalNs = 0;
  let lastTenthNs = 0;
  let notNew = 0;
  for (let start = 0; start < keyCount; start += CHUNK) {
    const m = Math.min(CHUNK, keyCount - start);
    for (let k = 0; k < m; k++) {
      keys[k] = makeKey(start + k);
      contents[k] = makeContent(start + k, keys[k]!, 0);
    }
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < m; k++) if (index.add(keys[k]!, contents[k]!) !== NEW) notNew++;
    const ns = Number(process.hrtime.bigint() - t0);
    totalNs += ns;
    if (start >= lastTenthFrom) lastTenthNs += ns;
  }
  const arrayBuffersDelta = process.memoryUsage().arrayBuffers - arrayBuffersBefore;
  const insertedInLastTenth = keyCount - Math.ceil(lastTenthFrom / CHUNK) * CHUNK;

  const step = Math.max(1, Math.floor(keyCount / SAMPLE));
  let duplicatesChecked = 0;
  let duplicatesWrong = 0;
  let conflictsChecked = 0;
  let conflictsMissed = 0;
  for (let i = 0; i < keyCount; i += step) {
    const key = makeKey(i);
    duplicatesChecked++;
    if (index.add(key, makeContent(i, key, 0)) !== DUPLICATE) duplicatesWrong++;
    conflictsChecked++;
    if (index.add(key, makeContent(i, key, 1)) !== CONFLICT) conflictsMissed++;
  }
  let absentFound = 0;
  for (let i = keyCount; i < keyCount + SAMPLE; i++) if (index.has(makeKey(i))) absentFound++;

  const sizeMatches = index.size === keyCount && notNew === 0;
  return {
    keys: keyCount,
    nsPerInsert: round1(totalNs / keyCount),
    nsPerInsertLast10pct: round1(insertedInLastTenth > 0 ? lastTenthNs / insertedInLastTenth : NaN),
    bytesPerKeyReported: round1(index.bytes() / keyCount),
    bytesPerKeyArrayBuffers: round1(arrayBuffersDelta / keyCount),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    indexMiB: Math.round(index.bytes() / 1048576),
    ...hashes,
    sizeMatches,
    duplicatesChecked,
    duplicatesWrong,
    conflictsChecked,
    conflictsMissed,
    absentChecked: SAMPLE,
    absentFound,
    // conflict misses are allowed at ~2^-16 each; 10x that rate would mean a broken digest
    ok: sizeMatches && duplicatesWrong === 0 && absentFound === 0 && conflictsMissed <= Math.max(3, conflictsChecked / 6553),
  };
}

const PREFETCH_RUN = 256;

/**
 * Times addHashed at one size: chunks alternate between plain addHashed and prefetchHashed runs
 * of PREFETCH_RUN keys followed by addHashed, so both see the same index at the same sizes.
 */
export function measureDedupeHashed(keyCount: number): { nsPerAddHashed: number; nsPerAddHashedPrefetched: number; ok: boolean } {
  const index = createDedupeIndex();
  const words = new Int32Array(CHUNK * 4);
  const digests = new Uint16Array(CHUNK);
  const fp = new Uint32Array(4);
  const ns = [0, 0];
  const counted = [0, 0];
  let notNew = 0;
  for (let start = 0, chunk = 0; start < keyCount; start += CHUNK, chunk++) {
    const m = Math.min(CHUNK, keyCount - start);
    for (let k = 0; k < m; k++) {
      const key = makeKey(start + k);
      fingerprint128(key, fp);
      words.set(fp, k * 4);
      digests[k] = contentDigest16(makeContent(start + k, key, 0));
    }
    const mode = chunk & 1;
    const t0 = process.hrtime.bigint();
    if (mode === 0) {
      for (let k = 0; k < m; k++) if (index.addHashed(words, k * 4, digests[k]!) !== NEW) notNew++;
    } else {
      for (let run = 0; run < m; run += PREFETCH_RUN) {
        const end = Math.min(m, run + PREFETCH_RUN);
        index.prefetchHashed(words, run * 4, end - run);
        for (let k = run; k < end; k++) if (index.addHashed(words, k * 4, digests[k]!) !== NEW) notNew++;
      }
    }
    ns[mode]! += Number(process.hrtime.bigint() - t0);
    counted[mode]! += m;
  }
  return {
    nsPerAddHashed: round1(ns[0]! / Math.max(1, counted[0]!)),
    nsPerAddHashedPrefetched: round1(ns[1]! / Math.max(1, counted[1]!)),
    ok: notNew === 0 && index.size === keyCount,
  };
}

/** Measures each size (in millions of keys) in its own child processes so peak RSS is per size. */
export async function runDedupeBench(millions: number[]): Promise<DedupeBenchResult[]> {
  const run = promisify(execFile);
  const self = fileURLToPath(import.meta.url);
  const results: DedupeBenchResult[] = [];
  const child = async (mode: string, keyCount: number): Promise<unknown> => {
    const args = ['--max-old-space-size=4096', self, mode, String(keyCount)];
    const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
    return JSON.parse(stdout);
  };
  for (const m of millions) {
    const keyCount = Math.round(m * 1_000_000);
    const add = (await child('--child', keyCount)) as AddResult;
    const hashed = (await child('--child-hashed', keyCount)) as ReturnType<typeof measureDedupeHashed>;
    results.push({ ...add, nsPerAddHashed: hashed.nsPerAddHashed, nsPerAddHashedPrefetched: hashed.nsPerAddHashedPrefetched, ok: add.ok && hashed.ok });
  }
  return results;
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child' || argv[0] === '--child-hashed') {
    const keyCount = Number(argv[1]);
    const result = argv[0] === '--child' ? measureDedupe(keyCount) : measureDedupeHashed(keyCount);
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const millions = argv.length > 0 ? argv.map(Number) : [1, 10, 30];
  if (millions.some((m) => !(m > 0))) throw new RangeError(`sizes: expected positive numbers of millions, got ${argv.join(' ')}`);
  console.log(`dedupe bench: Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}`);
  const results = await runDedupeBench(millions);
  console.table(results.map((r) => ({
    keys: r.keys,
    'ns/insert': r.nsPerInsert,
    'ns/insert last 10%': r.nsPerInsertLast10pct,
    'ns addHashed': r.nsPerAddHashed,
    'ns prefetched': r.nsPerAddHashedPrefetched,
    'B/key bytes()': r.bytesPerKeyReported,
    'B/key arrayBuffers': r.bytesPerKeyArrayBuffers,
    'index MiB': r.indexMiB,
    'peak RSS MiB': r.peakRssMiB,
    'fp128 ns': r.fingerprintNsPerKey,
    'digest ns': r.contentDigestNs,
    ok: r.ok,
  })));
  console.log(JSON.stringify(results));
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && resolve(invokedPath) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
