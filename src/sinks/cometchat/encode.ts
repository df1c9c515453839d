// Builds a CometChat data-import request body by splicing records' already-serialized JSON.

import type { PendingRecord } from '../sink.js';

/** Keys made only of these characters need no JSON escaping (normalized ids are [a-z0-9_-]). */
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** The body's object key for one record, quoted; escapes only when the key needs it. */
export function encodeKey(key: string): string {
  return PLAIN_KEY.test(key) ? `"${key}"` : JSON.stringify(key);
}

const CLOSE = '}}';
/** Bodies are carved out of slabs this big (a 50-member body is ~5-20 KB). */
const SLAB_BYTES = 1 << 20;
let slab = Buffer.allocUnsafe(SLAB_BYTES);
let slabAt = 0;

/**
 * `{"<wrapper>":{"<key>":<json>,...}}` as UTF-8 bytes, from records whose `json` is already
 * canonical JSON text: the bytes sent are exactly the text validated. Joined as text (V8 keeps
 * the pieces as a rope) and encoded once into a shared slab: no copy of the body as a flat
 * string and no Buffer of its own per request. Each body is its own region of the slab; a
 * slab is replaced (and freed once its bodies are sent) when the next body may not fit.
 */
export function encodeImportBody(wrapperKey: string, records: readonly PendingRecord[]): Buffer {
  let text = `{${encodeKey(wrapperKey)}:{`;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (i > 0) text += ',';
    text += encodeKey(record.key);
    text += ':';
    text += record.json;
  }
  text += CLOSE;
  // A UTF-16 unit never takes more than 3 UTF-8 bytes.
  if (SLAB_BYTES - slabAt < 3 * text.length) {
    slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, 3 * text.length));
    slabAt = 0;
  }
  const start = slabAt;
  slabAt += slab.write(text, start, 'utf8');
  return slab.subarray(start, slabAt);
}

/** `{"members":{...}}`: the member import's body. */
export function encodeMembersBody(records: readonly PendingRecord[]): Buffer {
  return encodeImportBody('members', records);
}
