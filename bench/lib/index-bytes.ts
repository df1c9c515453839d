// What a dedupe index holding N distinct keys occupies: the one structure allowed to grow with the
// input, which the flat-memory checks set aside. Built from random fingerprints: its growth
// depends only on the count.

import { createDedupeIndex } from '../../src/transforms/dedupe/dedupe-index.js';

export function dedupeIndexBytes(keys: number): number {
  const index = createDedupeIndex();
  const words = new Int32Array(4);
  let s = 0x9e3779b9;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s | 0);
  for (let i = 0; i < keys; i++) {
    words[0] = next();
    words[1] = next();
    words[2] = next();
    words[3] = next();
    index.addHashed(words, 0, 0);
  }
  if (index.size !== keys) throw new Error(`index size ${index.size} after ${keys} random keys`);
  return index.bytes();
}
