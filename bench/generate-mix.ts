// The generator's kind-independent part: the seeded PRNG, and the mix that decides per record
// whether it is valid, invalid (one planted defect), an exact repeat or a conflicting repeat of a
// recent valid record. Each kind's factory (members, users, messages) only renders records.
import type { ReasonCode } from '../src/entities/reasons.js';

export type RecordKind = 'valid' | 'invalid' | 'duplicate' | 'conflict';

export interface GeneratedRecord {
  kind: RecordKind;
  /** The record's key (memberId, uid or muid); also the map key in the `cometchat` and `map` formats. ASCII, never needs JSON escaping. */
  key: string;
  /** The record as one line of JSON; ASCII (its length is its byte length) unless `rich`. */
  json: string;
  reason: ReasonCode | undefined;
  /** Messages: a new valid record whose sentAt (seconds) is earlier than the previous new valid one's. */
  outOfOrder?: true;
}

export interface MixOptions {
  seed: number;
  dupRate: number;
  conflictRate: number;
  invalidRate: number;
}

export interface RecordFactory {
  next(): GeneratedRecord;
}

/**
 * A valid record as the ring keeps it for repeats: its JSON is `head + varying + tail`, and a
 * conflicting repeat replaces `varying` (a name, a message text) with other, still valid text.
 */
export interface RingEntry {
  key: string;
  json: string;
  head: string;
  varying: string;
  tail: string;
}

/** What a kind renders; `below(n)` is the mix's PRNG, so one seed fixes every byte. */
export interface KindRenderer {
  valid(i: number): RingEntry & { outOfOrder?: true };
  invalid(i: number): { key: string; json: string; reason: ReasonCode };
  /** The conflicting repeat's replacement for `entry.varying`. */
  vary(entry: RingEntry, i: number): string;
}

/** Duplicates repeat one of the last RING_SIZE valid records, so memory stays bounded. */
export const RING_SIZE = 4096;
const TWO_POW_32 = 4294967296;

/** murmur3's 32-bit finalizer: a cheap, well-mixing integer hash. */
export function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Seeded PRNG: a Weyl counter passed through mix32. Returns uint32 values. */
export function createPrng(seed: number): () => number {
  let state = mix32(seed ^ 0x5bd1e995);
  return () => {
    state = (state + 0x9e3779b9) | 0;
    return mix32(state);
  };
}

/** The records of one kind in the mix the rates ask for; `render` receives the mix's `below`. */
export function createMix(options: MixOptions, render: (below: (n: number) => number) => KindRenderer): RecordFactory {
  const { seed, dupRate, conflictRate, invalidRate } = options;
  const rand = createPrng(seed);
  const below = (n: number): number => Math.floor((rand() / TWO_POW_32) * n);
  const kind = render(below);
  const invalidCut = invalidRate * TWO_POW_32;
  const dupCut = (invalidRate + dupRate) * TWO_POW_32;
  const conflictCut = (invalidRate + dupRate + conflictRate) * TWO_POW_32;
  const ring: RingEntry[] = [];
  let ringNext = 0;
  let index = 0;

  const valid = (i: number): GeneratedRecord => {
    const made = kind.valid(i);
    const entry: RingEntry = { key: made.key, json: made.json, head: made.head, varying: made.varying, tail: made.tail };
    if (ring.length < RING_SIZE) ring.push(entry);
    else ring[ringNext] = entry;
    ringNext = (ringNext + 1) % RING_SIZE;
    return { kind: 'valid', key: made.key, json: made.json, reason: undefined, ...(made.outOfOrder ? { outOfOrder: true } : {}) };
  };

  const repeat = (i: number, conflict: boolean): GeneratedRecord => {
    const source = ring[below(ring.length)] as RingEntry;
    if (!conflict) return { kind: 'duplicate', key: source.key, json: source.json, reason: undefined };
    const json = `${source.head}${kind.vary(source, i)}${source.tail}`;
    return { kind: 'conflict', key: source.key, json, reason: undefined };
  };

  return {
    next(): GeneratedRecord {
      const i = index++;
      const roll = rand();
      if (roll < invalidCut) {
        const bad = kind.invalid(i);
        return { kind: 'invalid', key: bad.key, json: bad.json, reason: bad.reason };
      }
      if (roll < conflictCut && ring.length > 0) return repeat(i, roll >= dupCut);
      return valid(i);
    },
  };
}
