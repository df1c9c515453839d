// Recognises the input format from the first bytes of the (decompressed) input, without parsing
// the whole document: `[` is an array; `{"members": {` (or another kind's wrapper, detect-kind.ts)
// the CometChat import body; `{"<id>": {` the bare map; any other object start is NDJSON (a
// record on the first line). A mongodump .bson file is recognised before this, on the raw bytes
// (bson-splitter.ts looksLikeBson).

import { describeByte, isWhitespace } from './json-document-splitter.js';
import type { SourceFormat } from './formats.js';
import { detectWrapper, isWrapperKey } from './detect-kind.js';
import type { KindName } from '../entities/kinds.js';

export type Detection = { format: SourceFormat } | { needMore: true } | { empty: true } | { error: string; offset: number };

/**
 * Fields of a record of any kind whose value is an object: such a first key means NDJSON (a
 * record on the first line), not a map keyed by id.
 */
const OBJECT_FIELDS = new Set([
  'groupDetails', 'userDetails', 'metadata', 'groupOwnerDetails', 'data', 'senderUserDetails',
  'receiverUserDetails', 'receiverGroupDetails', 'receiverGroupOwnerDetails', 'mentionedUserDetails',
]);

/** `head` starts after any BOM; `atEnd` is true when no more bytes will come. */
export function detectFormat(head: Buffer, atEnd: boolean): Detection {
  const more = (): Detection => (atEnd ? { format: 'ndjson' } : { needMore: true });
  let i = skipWhitespace(head, 0);
  if (i === head.length) return atEnd ? { empty: true } : { needMore: true };
  const first = head[i]!;
  if (first === 0x5b) return { format: 'array' };
  if (first !== 0x7b) {
    const packed = compressionOf(head.subarray(i));
    return {
      error: packed
        ? `the input is ${packed[0]}, not JSON: decompress it first (${packed[1]} FILE | chatmigrate … -)`
        : `the input does not look like JSON: it starts with ${describeByte(first)} (expected '[' or '{', or a mongodump .bson file; is it compressed with something other than gzip?)`,
      offset: i,
    };
  }
  const open = i;
  i = skipWhitespace(head, i + 1);
  if (i === head.length) return more();
  // A line break inside the first object: one document over many lines, never a line of NDJSON.
  const multiline = head.subarray(open, i).includes(0x0a);
  if (head[i] === 0x7d) return { format: 'map' }; // `{}`: an empty map of members
  if (head[i] !== 0x22) return { format: 'ndjson' }; // let the NDJSON parser report the syntax error
  const keyEnd = findStringEnd(head, i + 1);
  if (keyEnd === -1) return more();
  const key = head.toString('utf8', i + 1, keyEnd);
  i = skipWhitespace(head, keyEnd + 1);
  if (i === head.length) return more();
  if (head[i] !== 0x3a) return { format: 'ndjson' };
  i = skipWhitespace(head, i + 1);
  if (i === head.length) return more();
  const valueStart = head[i]!;
  if (isWrapperKey(key) && valueStart === 0x5b) {
    // No record of any kind has such a field: this is a body with a list where CometChat wants a map.
    return {
      error: `the input wraps an array in "${key}" ({"${key}": [...]}), but a CometChat import body maps each id to its record ({"${key}": {"<id>": {...}}}): give the array alone, with --from array --kind ${key}`,
      offset: i,
    };
  }
  const record = valueStart !== 0x7b || OBJECT_FIELDS.has(key);
  if (record && multiline) {
    return {
      error:
        `the input is one JSON object over several lines whose first key ("${key}") is no kind's wrapper (users, groups, members, messages): it is neither NDJSON (one record per line) nor a CometChat body as auto-detection reads it; ` +
        (key === '_id' ? 'a mongoexport made with --pretty? export one document per line (or with --jsonArray)' : 'for a body with other keys before its wrapper pass --from cometchat'),
      offset: open,
    };
  }
  if (record) return { format: 'ndjson' };
  return isWrapperKey(key) ? { format: 'cometchat' } : { format: 'map' };
}

/**
 * With `--from cometchat`, which of its two forms the input is (SPEC §2): the bare map when the
 * first key is a memberId (`<guid>_member_<uid>`), CometChat's import body when a top-level key
 * is a kind's wrapper (its other keys are stepped over). Without either, a members run reads it
 * as a body (whose missing "members" the splitter reports); another kind's run as its bare map.
 * undefined: more bytes are needed.
 */
export function cometchatForm(head: Buffer, atEnd: boolean, kind: KindName = 'members'): 'cometchat' | 'map' | undefined {
  let i = skipWhitespace(head, 0);
  if (i < head.length && head[i] === 0x7b) i = skipWhitespace(head, i + 1);
  if (i === head.length) return atEnd ? 'cometchat' : undefined;
  if (head[i] === 0x7d) return 'map'; // `{}`: an empty map
  if (head[i] !== 0x22) return 'cometchat'; // the splitter names what is wrong
  const keyEnd = findStringEnd(head, i + 1);
  if (keyEnd === -1) return atEnd ? 'cometchat' : undefined;
  if (head.toString('utf8', i + 1, keyEnd).includes('_member_')) return 'map';
  const wrapper = detectWrapper(head, atEnd, false);
  if ('needMore' in wrapper) return undefined;
  return wrapper.kind !== undefined || kind === 'members' ? 'cometchat' : 'map';
}

/** Formats recognisable by their magic bytes that people compress exports with. */
const MAGIC: ReadonlyArray<[what: string, decompress: string, magic: number[]]> = [
  ['gzip-compressed twice', 'zcat', [0x1f, 0x8b]],
  ['bzip2-compressed', 'bzcat', [0x42, 0x5a, 0x68]],
  ['xz-compressed', 'xzcat', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd-compressed', 'zstdcat', [0x28, 0xb5, 0x2f, 0xfd]],
  ['a zip archive', 'unzip -p', [0x50, 0x4b, 0x03, 0x04]],
];

/** [what the input is, the command that decompresses it] when its first bytes say so. */
function compressionOf(head: Buffer): [string, string] | undefined {
  // The first chunk may be shorter than a magic number: what it holds of it (two bytes at least) decides.
  const hit = MAGIC.find(([, , bytes]) => head.length >= 2 && bytes.every((b, k) => k >= head.length || head[k] === b));
  return hit && [hit[0], hit[1]];
}

function skipWhitespace(buf: Buffer, i: number): number {
  while (i < buf.length && isWhitespace(buf[i]!)) i++;
  return i;
}

function findStringEnd(buf: Buffer, i: number): number {
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}
