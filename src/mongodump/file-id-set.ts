// The ids of the files present in the attachments folder, as a sorted array of 64-bit hashes
// (8 bytes a file): what the messages phase asks through `fileAvailable(id)` to tell an attachment
// whose file is missing. A false "present" needs a missing id to share 64 bits with a present one
// (odds far below 10^-9 for a million files) and would cost one link to a missing file.

import { fingerprint128 } from '../transforms/dedupe/fingerprint.js';

export interface FileIdSet {
  has(id: string): boolean;
  readonly size: number;
}

export interface FileIdSetBuilder {
  add(id: string): void;
  seal(): FileIdSet;
}

export function createFileIdSet(): FileIdSetBuilder {
  const hash = new Uint32Array(4);
  let keys = new BigUint64Array(1024);
  let count = 0;
  const keyOf = (id: string): bigint => {
    fingerprint128(id, hash);
    return (BigInt(hash[0]!) << 32n) | BigInt(hash[1]!);
  };
  return {
    add(id) {
      if (count === keys.length) {
        const more = new BigUint64Array(keys.length * 2);
        more.set(keys);
        keys = more;
      }
      keys[count++] = keyOf(id);
    },
    seal() {
      const sorted = keys.slice(0, count).sort();
      keys = new BigUint64Array(0);
      return {
        size: sorted.length,
        has(id) {
          const k = keyOf(id);
          let a = 0;
          let b = sorted.length;
          while (a < b) {
            const m = (a + b) >>> 1;
            if (sorted[m]! < k) a = m + 1;
            else b = m;
          }
          return a < sorted.length && sorted[a] === k;
        },
      };
    },
  };
}
