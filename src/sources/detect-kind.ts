// Which entity kind an input holds, from the first bytes of a CometChat import body: its wrapper
// key (`{"users": {...}}`, `{"groups": …}`, `{"members": …}`, `{"messages": …}`). Arrays, NDJSON
// and bare maps carry no wrapper: they are members unless --kind says otherwise. Pure over bytes,
// like detect-format.ts; the read stage runs it on the head of the input before anything is split.

import { ChatmigrateError } from '../errors.js';
import { KIND_NAMES, type KindName } from '../entities/kinds.js';
import type { FormatChoice } from './formats.js';

const WRAPPERS: ReadonlySet<string> = new Set(KIND_NAMES);

/** The kinds' wrapper keys. */
export function isWrapperKey(key: string): key is KindName {
  return WRAPPERS.has(key);
}

/** `kind`: the wrapper found (undefined: none); `needMore`: the head ends before a decision. */
export type WrapperDetection = { kind: KindName | undefined } | { needMore: true };

/**
 * The wrapper key of a CometChat body in `head` (after any BOM). `firstKeyOnly`: only the first
 * key counts (auto-detection reads a document by its first key); otherwise every top-level key
 * the head holds is looked at, because the body may carry other keys before its wrapper.
 */
export function detectWrapper(head: Buffer, atEnd: boolean, firstKeyOnly: boolean): WrapperDetection {
  const none: WrapperDetection = { kind: undefined };
  const more: WrapperDetection = atEnd ? none : { needMore: true };
  let i = skipSpace(head, 0);
  if (i === head.length) return more;
  if (head[i] !== 0x7b) return none;
  for (;;) {
    i = skipSpace(head, i + 1);
    if (i === head.length) return more;
    if (head[i] !== 0x22) return none; // `}` or a syntax error: no wrapper
    const keyEnd = stringEnd(head, i + 1);
    if (keyEnd === -1) return more;
    const key = head.toString('utf8', i + 1, keyEnd);
    i = skipSpace(head, keyEnd + 1);
    if (i === head.length) return more;
    if (head[i] !== 0x3a) return none;
    i = skipSpace(head, i + 1);
    if (i === head.length) return more;
    if (isWrapperKey(key) && head[i] === 0x7b) return { kind: key };
    if (firstKeyOnly) return none;
    i = valueEnd(head, i);
    if (i === -1) return more;
    i = skipSpace(head, i);
    if (i === head.length) return more;
    if (head[i] !== 0x2c) return none;
  }
}

/**
 * The kind of this run: --kind when given, else the wrapper's, else members. A --kind that the
 * wrapper contradicts is a usage error naming both (the records would all fail, or worse, pass
 * as another kind's).
 */
export function resolveKind(given: KindName | undefined, wrapper: KindName | undefined): KindName {
  if (given !== undefined && wrapper !== undefined && given !== wrapper) {
    throw new ChatmigrateError('CM_USAGE', `--kind ${given} contradicts the input: its CometChat body wraps ${wrapper} ({"${wrapper}": {...}})`, {
      hint: `leave --kind out (the wrapper names the kind) or pass --kind ${wrapper}; to import ${given}, give their export`,
    });
  }
  return given ?? wrapper ?? 'members';
}

/** Only CometChat bodies carry a wrapper: the other formats need no look at the head. */
export function mayHaveWrapper(from: FormatChoice): from is 'auto' | 'cometchat' {
  return from === 'auto' || from === 'cometchat';
}

function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length) {
    const c = buf[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index of the quote closing the string whose contents start at `i`, or -1 when the head ends first. */
function stringEnd(buf: Buffer, i: number): number {
  for (; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

/** Index just after the JSON value starting at `i` (its syntax is the splitter's to judge), or -1. */
function valueEnd(buf: Buffer, i: number): number {
  const c = buf[i]!;
  if (c === 0x22) {
    const end = stringEnd(buf, i + 1);
    return end === -1 ? -1 : end + 1;
  }
  if (c !== 0x7b && c !== 0x5b) {
    // A number or a literal: it ends at a delimiter.
    for (; i < buf.length; i++) {
      const d = buf[i]!;
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return i;
    }
    return -1;
  }
  let depth = 0;
  for (; i < buf.length; i++) {
    const d = buf[i]!;
    if (d === 0x22) {
      i = stringEnd(buf, i + 1);
      if (i === -1) return -1;
    } else if (d === 0x7b || d === 0x5b) depth++;
    else if (d === 0x7d || d === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}
