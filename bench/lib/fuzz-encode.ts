// Writing a generated export for the hostile-input property (fuzz-exports.ts makes the cases):
// records as JSON bytes with hostile values spliced in raw, or as BSON documents, in each of the
// formats chatmigrate reads, and the byte-level damage done to the result.

import { serialize as toBson } from 'bson';
import { Raw, ownKeys } from './fuzz-values.js';

export type FuzzFormat = 'ndjson' | 'array' | 'cometchat' | 'map' | 'bson';

/** One record of an export, and the key it goes under in a map. */
export interface Doc {
  key: string;
  value: unknown;
  /** How the key is written: plainly, every character as a \u escape, or with a 0xff byte in it. */
  keyForm?: 'escaped' | 'bad-utf8' | undefined;
}

function keyBytes(d: Doc): Buffer {
  if (d.keyForm === 'escaped') return Buffer.from(`"${d.key.split('').map((ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')).join('')}"`);
  if (d.keyForm === 'bad-utf8') return Buffer.concat([Buffer.from(JSON.stringify(d.key).slice(0, -1)), Buffer.from([0xff, 0x22])]);
  return Buffer.from(JSON.stringify(d.key));
}

export interface ByteMutation {
  op: 'flip' | 'insert' | 'delete' | 'truncate';
  /** Taken modulo the length. */
  at: number;
  bytes: number[];
  length: number;
}

/** JSON bytes of `v`, Raw values spliced in as they are. */
function writeJson(v: unknown, out: Buffer[]): void {
  if (v instanceof Raw) {
    out.push(v.json);
  } else if (Array.isArray(v)) {
    out.push(Buffer.from('['));
    v.forEach((x, i) => {
      if (i > 0) out.push(Buffer.from(','));
      writeJson(x, out);
    });
    out.push(Buffer.from(']'));
  } else if (typeof v === 'object' && v !== null) {
    out.push(Buffer.from('{'));
    Object.keys(v).forEach((k, i) => {
      out.push(Buffer.from(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
      writeJson((v as Record<string, unknown>)[k], out);
    });
    out.push(Buffer.from('}'));
  } else {
    out.push(Buffer.from(JSON.stringify(v) ?? 'null'));
  }
}

const json = (v: unknown): Buffer => {
  const out: Buffer[] = [];
  writeJson(v, out);
  return Buffer.concat(out);
};

/** The JS value of `v` for BSON (Raw → its js), or undefined where BSON cannot hold it. */
function toJs(v: unknown): unknown {
  if (v instanceof Raw) return v.js;
  if (Array.isArray(v)) return v.map(toJs);
  if (typeof v === 'object' && v !== null) return ownKeys(Object.entries(v).map(([k, x]) => [k, toJs(x)]));
  return v;
}

function bson(v: unknown): Buffer {
  const doc = toJs(v);
  const object = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc : { value: doc };
  try {
    return Buffer.from(toBson(object as Record<string, unknown>));
  } catch {
    // The bson library refuses it (e.g. nesting it cannot recurse into): the value's text stands in.
    return Buffer.from(toBson({ value: v instanceof Raw ? v.label : 'unserializable' }));
  }
}

export function encode(docs: Doc[], format: FuzzFormat, kind: string): Buffer {
  switch (format) {
    case 'ndjson':
      return Buffer.concat(docs.flatMap((d) => [json(d.value), Buffer.from('\n')]));
    case 'array':
      return Buffer.concat([Buffer.from('['), ...docs.flatMap((d, i) => [Buffer.from(i > 0 ? ',\n' : '\n'), json(d.value)]), Buffer.from('\n]')]);
    case 'map':
    case 'cometchat': {
      const body = Buffer.concat([Buffer.from('{'), ...docs.flatMap((d, i) => [Buffer.from(`${i > 0 ? ',' : ''}\n`), keyBytes(d), Buffer.from(':'), json(d.value)]), Buffer.from('}')]);
      return format === 'map' ? body : Buffer.concat([Buffer.from(`{"${kind}":`), body, Buffer.from('}')]);
    }
    case 'bson':
      return Buffer.concat(docs.map((d) => bson(d.value)));
  }
}

export function damageBytes(buf: Buffer, mutations: ByteMutation[]): Buffer {
  let b = buf;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.op === 'flip' && b.length > 0) {
      b = Buffer.from(b);
      const i = Math.min(at, b.length - 1);
      b[i] = b[i]! ^ (m.bytes[0]! || 0x20);
    } else if (m.op === 'insert') {
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    } else if (m.op === 'delete') {
      b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
    } else if (m.op === 'truncate') {
      b = b.subarray(0, at);
    }
  }
  return b;
}
