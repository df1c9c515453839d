// Cuts a users document's top-level `"services": {...}` (password hashes, login tokens) out of its
// bytes before anything is decoded or parsed, so the secrets never become a JS string or object:
// what is not read cannot leak. A byte scanner over one document: strings (with escapes) and
// nesting are tracked; the document's own syntax is left to JSON.parse. A mongodump (BSON) users
// document has the element cut from its bytes by bson-document.ts bsonWithout.

import { bsonWithout, decodeBsonDocument, isBsonDocument } from '../bson-document.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const KEY = Buffer.from('"services"');
const SERVICES_NAME = Buffer.from('services');

/**
 * The document's text with every top-level `"services": value` member removed (with its comma).
 * A document that is not an object, or is malformed, comes back decoded whole (JSON.parse then
 * reports it, or the caller drops the key after parsing).
 */
export function textWithoutServices(buf: Buffer, start: number, end: number): string {
  let i = skipBlanks(buf, start, end);
  if (i >= end || buf[i] !== 0x7b) return buf.toString('utf8', start, end);
  const cuts: number[] = []; // [from, to) pairs
  let depth = 0;
  let expectKey = false;
  let memberFrom = -1; // where the current top-level member's removal would start
  let afterOpen = false; // the current member is the first one
  while (i < end) {
    const c = buf[i]!;
    if (c === QUOTE) {
      const keyStart = i;
      i = skipString(buf, i + 1, end);
      if (depth === 1 && expectKey) {
        expectKey = false;
        if (i - keyStart === KEY.length && buf.compare(KEY, 0, KEY.length, keyStart, i) === 0) {
          let j = skipBlanks(buf, i, end);
          if (buf[j] !== COLON) break;
          j = skipValue(buf, skipBlanks(buf, j + 1, end), end);
          if (afterOpen) {
            // First member: remove it and the comma after it, if any.
            const k = skipBlanks(buf, j, end);
            if (buf[k] === COMMA) j = k + 1;
            cuts.push(keyStart, j);
          } else {
            cuts.push(memberFrom, j);
          }
          i = j;
          // The next member (if any) starts with the comma still ahead, or is now the first one.
          if (afterOpen) expectKey = true;
        }
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) {
        expectKey = true;
        afterOpen = true;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === COMMA && depth === 1) {
      expectKey = true;
      afterOpen = false;
      memberFrom = i;
    }
    i++;
  }
  if (cuts.length === 0) return buf.toString('utf8', start, end);
  let text = '';
  let from = start;
  for (let k = 0; k < cuts.length; k += 2) {
    text += buf.toString('utf8', from, cuts[k]!);
    from = cuts[k + 1]!;
  }
  return text + buf.toString('utf8', from, end);
}

function skipBlanks(buf: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = buf[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** From just after an opening quote to just after the closing one. */
function skipString(buf: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = buf[i]!;
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
  return end;
}

/** From a value's first byte to just after it. */
function skipValue(buf: Buffer, i: number, end: number): number {
  const c = buf[i];
  if (c === QUOTE) return skipString(buf, i + 1, end);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (i < end) {
      const d = buf[i]!;
      if (d === QUOTE) {
        i = skipString(buf, i + 1, end);
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
      i++;
    }
    return end;
  }
  // A literal: up to the next comma or closing bracket.
  while (i < end && buf[i] !== COMMA && buf[i] !== 0x7d && buf[i] !== 0x5d) i++;
  return i;
}

/**
 * A users document, parsed without its services. The key spelled with escapes ("\u0073ervices")
 * is not cut by the byte scanner; no exporter writes that, but it is dropped here all the same.
 */
export function parseUserDocument(buf: Buffer, start: number, end: number): unknown {
  // A mongodump document: the services element is cut out of its bytes, unread, the same way.
  let doc: unknown;
  if (isBsonDocument(buf, start, end)) {
    const cut = bsonWithout(buf, start, end, SERVICES_NAME);
    doc = decodeBsonDocument(cut, 0, cut.length);
  } else {
    doc = JSON.parse(textWithoutServices(buf, start, end)) as unknown;
  }
  if (typeof doc === 'object' && doc !== null && Object.prototype.hasOwnProperty.call(doc, 'services')) {
    delete (doc as Record<string, unknown>)['services'];
  }
  return doc;
}
