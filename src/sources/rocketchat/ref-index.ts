// A second way into a packed table: entries found by a text other than their key (a user's
// username, the CometChat id an entry's key maps to) without storing that text again. It holds
// only a 32-bit hash per entry and the open-addressing slots (12-20 bytes per entry); a hash
// match is confirmed by asking the owner for the entry's text.

import { doubled } from '../../typed-arrays.js';

export interface RefIndex {
  /**
   * Indexes `ref` under `text`; returns the ref already indexed under an equal text (nothing is
   * added then: the first stays), or -1 when `ref` was added.
   */
  add(ref: number, text: string): number;
  /** The ref indexed under `text`, or -1. */
  find(text: string): number;
  readonly size: number;
  readonly bytes: number;
  /** Releases the growth slack (more adds still work). */
  seal(): void;
}

/** `textOf(ref)`: the indexed text of an entry (read back only to confirm a hash match). */
export function createRefIndex(textOf: (ref: number) => string | undefined): RefIndex {
  let refs = new Int32Array(1024);
  let hashes = new Int32Array(1024);
  let size = 0;
  let slots = new Int32Array(64); // position in refs + 1, 0 = empty; load kept ≤ 0.5

  function probe(text: string, hash: number): number {
    const mask = slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const p = slots[s]! - 1;
      if (p < 0) return -1 - s;
      if (hashes[p] === hash && textOf(refs[p]!) === text) return p;
    }
  }

  function rehash(): void {
    slots = new Int32Array(slots.length * 2);
    const mask = slots.length - 1;
    for (let p = 0; p < size; p++) {
      let s = hashes[p]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = p + 1;
    }
  }

  return {
    get size() {
      return size;
    },
    get bytes() {
      return refs.byteLength + hashes.byteLength + slots.byteLength;
    },
    add(ref, text) {
      const hash = stringHash(text);
      const found = probe(text, hash);
      if (found >= 0) return refs[found]!;
      if (size === refs.length) {
        refs = doubled(refs);
        hashes = doubled(hashes);
      }
      refs[size] = ref;
      hashes[size] = hash;
      size++;
      if (size * 2 > slots.length) rehash();
      else slots[-1 - found] = size;
      return -1;
    },
    find(text) {
      const p = probe(text, stringHash(text));
      return p >= 0 ? refs[p]! : -1;
    },
    seal() {
      refs = refs.slice(0, Math.max(size, 1));
      hashes = hashes.slice(0, Math.max(size, 1));
    },
  };
}

/** 32-bit FNV-1a over UTF-16 code units (texts here are ids and usernames: short). */
function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
