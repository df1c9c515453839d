// Micro-benchmark: ns per record for JSON.parse alone vs validateMember (and the pieces behind
// the design decisions: zod safeParse, JSON.stringify vs canonical concatenation).
//
// Question: does validation + canonical JSON stay within its budget (<= 1.5 µs median per
// seed-like record, so parse + validate keeps >= 0.75x of bare JSON.parse throughput)?
// Setup: 4,000 generated records (deterministic), each measurement = median of 15 timed passes
// over all records after 30 warm-up passes, one process, CPU time. Run:
//   npx tsc -p . && node dist/bench/record-micro.js

import { detailsMetadataText, isValidMemberDraft, memberSchema } from '../src/record/member-schema.js';
import { serializeValidMember } from '../src/record/serialize-member.js';
import type { Member } from '../src/record/member.js';
import { validateMember } from '../src/record/validate-member.js';

const RECORDS = 4000;
const WARMUP = 30;
const PASSES = 15;
const NOW = 1_800_000_000;

function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed-like full record (~340-380 bytes): string timestamps, both details objects. */
function seedLike(i: number, rnd: () => number): Record<string, unknown> {
  const guid = `grp_${String(Math.floor(rnd() * 5000)).padStart(5, '0')}`;
  const uid = `user_${String(i).padStart(7, '0')}`;
  const created = 1_600_000_000 + Math.floor(rnd() * 50_000_000);
  return {
    memberId: `${guid}_member_${uid}`,
    uid,
    guid,
    joinedAt: String(created + Math.floor(rnd() * 1_000_000)),
    scope: rnd() < 0.1 ? 'admin' : 'participant',
    groupDetails: { guid, name: `Engineering team ${guid.slice(4)}`, type: 'public', owner: 'user_0000001', createdAt: String(created) },
    userDetails: { uid, name: `Ada Lovelace ${i}`, avatar: `https://cdn.example.com/avatars/${uid}.png`, createdAt: String(created - 1000) },
  };
}

/** The varied mix: seed-like plus other timestamp forms, synonyms, metadata and tags. */
function varied(i: number, rnd: () => number): Record<string, unknown> {
  const r = seedLike(i, rnd);
  const g = r.groupDetails as Record<string, unknown>;
  const u = r.userDetails as Record<string, unknown>;
  const pick = rnd();
  if (pick < 0.15) r.joinedAt = Number(r.joinedAt);
  else if (pick < 0.25) r.joinedAt = Number(r.joinedAt) * 1000 + 123;
  else if (pick < 0.3) r.joinedAt = new Date(Number(r.joinedAt) * 1000).toISOString();
  else if (pick < 0.33) r.joinedAt = { $date: { $numberLong: String(Number(r.joinedAt) * 1000) } };
  if (rnd() < 0.1) r.scope = 'Owner';
  if (rnd() < 0.1) u.metadata = { department: 'R&D', location: { city: 'Zürich', floor: 3 } };
  if (rnd() < 0.1) g.tags = ['engineering', 'internal'];
  if (rnd() < 0.05) r.isBanned = 'false';
  return r;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

let sink = 0;
/**
 * Median ns per record of `fn` over all `items`, in process CPU time rather than wall time: the
 * machines this runs on are shared (2 cores, other jobs), and being descheduled is not our cost.
 */
function measure<T>(items: readonly T[], fn: (item: T) => unknown): number {
  const samples: number[] = [];
  for (let pass = 0; pass < WARMUP + PASSES; pass++) {
    const start = process.cpuUsage();
    for (const item of items) {
      const out = fn(item);
      if (out === undefined) sink++;
    }
    const used = process.cpuUsage(start);
    const ns = ((used.user + used.system) * 1000) / items.length;
    if (pass >= WARMUP) samples.push(ns);
  }
  return median(samples);
}

/** Prints one set's numbers and returns validateMember's ns/record. */
function runSet(label: string, build: (i: number, rnd: () => number) => Record<string, unknown>): number {
  const rnd = createRandom(label.length * 7919);
  const texts = Array.from({ length: RECORDS }, (_, i) => JSON.stringify(build(i, rnd)));
  const objects = texts.map((t) => JSON.parse(t) as unknown);
  const ctx = { nowSeconds: NOW };
  // Check validity without keeping the results, and give the decision measurements members
  // allocated by JSON.parse: keeping thousands of objects from validateMember's allocation sites
  // alive makes V8 pretenure those sites, after which every later call allocates in old space
  // (measured: the varied set's validateMember went from ~1.3 to 3-7 µs in 1 run of 3; with
  // --no-allocation-site-pretenuring it never did).
  const members: Member[] = [];
  for (const o of objects) {
    const result = validateMember(o, ctx);
    if (!result.ok) throw new Error(`${label}: a generated record is invalid: ${result.reason}: ${result.message}`);
    members.push(JSON.parse(result.json) as Member);
  }
  const bytes = texts.reduce((n, t) => n + t.length, 0) / texts.length;

  const parse = measure(texts, (t) => JSON.parse(t));
  const validate = measure(objects, (o) => validateMember(o, ctx));
  const both = measure(texts, (t) => validateMember(JSON.parse(t), ctx));
  const zod = measure(members, (m) => memberSchema.safeParse(m));
  const mirror = measure(members, (m) =>
    isValidMemberDraft(m, detailsMetadataText(m.groupDetails), detailsMetadataText(m.userDetails)) || undefined);
  const stringify = measure(members, (m) => JSON.stringify(m));
  const concat = measure(members, (m) => serializeValidMember(m));

  console.log(`\n${label}: ${RECORDS} records, ${bytes.toFixed(0)} bytes each on average`);
  console.log(`  (a) JSON.parse alone                  ${parse.toFixed(0).padStart(6)} ns/record`);
  console.log(`  (b) validateMember (incl. JSON text)  ${validate.toFixed(0).padStart(6)} ns/record`);
  console.log(`      JSON.parse + validateMember       ${both.toFixed(0).padStart(6)} ns/record = ${(parse / both).toFixed(2)}x of bare JSON.parse throughput`);
  console.log(`  decision inputs:`);
  console.log(`      zod memberSchema.safeParse        ${zod.toFixed(0).padStart(6)} ns/record`);
  console.log(`      hand-compiled mirror of the schema${mirror.toFixed(0).padStart(6)} ns/record`);
  console.log(`      JSON.stringify(member)            ${stringify.toFixed(0).padStart(6)} ns/record`);
  console.log(`      serializeValidMember(member)      ${concat.toFixed(0).padStart(6)} ns/record`);
  return validate;
}

console.log(`record-micro on Node ${process.version}, ${new Date().toISOString()}`);
const seedLikeNs = runSet('seed-like', seedLike);
runSet('varied mix', varied);
const BUDGET_NS = 1500;
console.log(`\nbudget: validateMember on seed-like records ${seedLikeNs.toFixed(0)} ns <= ${BUDGET_NS} ns: ${seedLikeNs <= BUDGET_NS ? 'yes' : 'NO'}`);
if (sink < 0) console.log(sink);
