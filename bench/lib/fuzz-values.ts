// Hostile values for the property test of hostile input (test/fuzz-hostile-input.test.ts,
// bench/fuzz.ts): what a damaged or malicious export can hold where a field's value should be.
// Each value has its JSON bytes (written as they are: numbers JSON.parse cannot keep, invalid
// UTF-8, nesting no recursive code survives) and, for a mongodump (BSON) export, a JS value.

import fc from 'fast-check';

/** A value spliced into an export as raw bytes; `js` is what a BSON export holds in its place. */
export class Raw {
  constructor(
    readonly json: Buffer,
    readonly js: unknown,
    /** A short name for the failure report (the bytes may be megabytes). */
    readonly label: string,
  ) {}

  /** How fast-check prints it in a counterexample: by name, not its megabytes. */
  [fc.toStringMethod](): string {
    return `Raw(${this.label})`;
  }
}

const raw = (text: string | Buffer, js: unknown, label: string): Raw => new Raw(typeof text === 'string' ? Buffer.from(text) : text, js, label);

/** An object that owns the keys given, `__proto__` included (a plain literal would set its prototype). */
export function ownKeys(entries: Array<[string, unknown]>): Record<string, unknown> {
  const o = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) o[k] = v;
  return o;
}

export const MB = 1024 * 1024;

function nested(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

function nestedJs(depth: number, array: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
  return v;
}

/** JSON numbers JSON.parse turns into Infinity, -0, rounded or lost digits. */
const NUMBERS: Raw[] = [
  raw('1e309', Infinity, '1e309'),
  raw('-1e309', -Infinity, '-1e309'),
  raw('-0', -0, '-0'),
  raw('18446744073709551616', 2 ** 64, '2^64'),
  raw('9007199254740993', 9007199254740993, '2^53+1'),
  raw('1' + '0'.repeat(400), Number.MAX_VALUE, '400-digit integer'),
  raw('0.' + '0'.repeat(400) + '1', 0, '400-digit fraction'),
  raw('1e-400', 0, '1e-400'),
  raw('-1', -1, '-1'),
  raw('1.5', 1.5, '1.5'),
  raw('99999999999999999999', 1e20, '1e20 as digits'),
  raw('1673421419.999', 1673421419.999, 'fractional seconds'),
];

/** Strings with bytes that are not UTF-8, escapes of lone surrogates, control and invisible characters. */
const STRINGS: Raw[] = [
  raw(Buffer.from([0x22, 0x61, 0xff, 0xfe, 0x62, 0x22]), 'a\ufffd\ufffdb', 'bytes ff fe'),
  raw(Buffer.from([0x22, 0xc0, 0x80, 0x22]), '\ufffd\ufffd', 'overlong NUL c0 80'),
  raw(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x78, 0x22]), '\ufffdx', 'UTF-8 surrogate ed a0 80'),
  raw(Buffer.from([0x22, 0x75, 0xe2, 0x82, 0x22]), 'u\ufffd', 'truncated sequence e2 82'),
  raw(Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]), '\ufffd', 'above U+10FFFF'),
  raw('"\\ud800"', '\ud800', 'lone high surrogate escape'),
  raw('"x\\udc00y"', 'x\udc00y', 'lone low surrogate escape'),
  raw('"\\u0000"', '\u0000', 'NUL escape'),
  raw('"\\u0000uid\\u0007"', '\u0000uid\u0007', 'control characters'),
  raw('"\u200b\u202e\ufeff"', '\u200b\u202e\ufeff', 'invisible characters'),
  raw('""', '', 'empty string'),
  raw('"   "', '   ', 'blank string'),
  raw('"general_member_alice"', 'general_member_alice', 'an id'),
  // Ids that name Object's machinery: a lookup in a plain object would find the prototype's.
  raw('"__proto__"', '__proto__', 'id __proto__'),
  raw('"constructor"', 'constructor', 'id constructor'),
  raw('"toString"', 'toString', 'id toString'),
  raw('"hasOwnProperty"', 'hasOwnProperty', 'id hasOwnProperty'),
  raw('"__proto___member_constructor"', '__proto___member_constructor', 'member id of __proto__ and constructor'),
  raw('"1673421419"', '1673421419', 'seconds as a string'),
  raw('"2023-02-30T25:61:61Z"', '2023-02-30T25:61:61Z', 'impossible date'),
];

/** Shapes a field does not expect: null, booleans, empty and odd containers, extended JSON. */
const SHAPES: Raw[] = [
  raw('null', null, 'null'),
  raw('true', true, 'true'),
  raw('[]', [], 'empty array'),
  raw('{}', {}, 'empty object'),
  raw('[null,1,"a",{}]', [null, 1, 'a', {}], 'mixed array'),
  raw('{"$date":"1e309"}', { $date: '1e309' }, '$date of a huge number'),
  raw('{"$date":{"$numberLong":"99999999999999999999999"}}', { $date: { $numberLong: '99999999999999999999999' } }, '$date of a huge $numberLong'),
  raw('{"$numberLong":"-0"}', { $numberLong: '-0' }, '$numberLong -0'),
  raw('{"$oid":{}}', { $oid: {} }, '$oid of an object'),
  raw('{"$date":null}', { $date: null }, '$date null'),
];

/** Prototype keys at the place of a value: an object owning them. */
const PROTO: Raw[] = [
  raw('{"__proto__":{"polluted":"yes"}}', ownKeys([['__proto__', { polluted: 'yes' }]]), '{__proto__: {polluted}}'),
  raw('{"constructor":{"prototype":{"polluted":"yes"}}}', { constructor: { prototype: { polluted: 'yes' } } }, '{constructor: {prototype: {polluted}}}'),
  raw('{"prototype":{"polluted":"yes"},"__proto__":[]}', ownKeys([['prototype', { polluted: 'yes' }], ['__proto__', []]]), '{prototype, __proto__: []}'),
  raw('{"__proto__":null}', ownKeys([['__proto__', null]]), '{__proto__: null}'),
  raw('{"hasOwnProperty":1,"toString":"x","valueOf":{}}', { hasOwnProperty: 1, toString: 'x', valueOf: {} }, 'shadowed Object methods'),
];

/** Sizes: 1 MB+ strings, nesting 10,000 deep, long arrays. Made once, on first use. */
let bigCache: Raw[] | undefined;
function big(): Raw[] {
  bigCache ??= [
    raw(`"${'x'.repeat(MB + 17)}"`, 'x'.repeat(MB + 17), '1 MB string'),
    raw(`"${'é'.repeat(MB / 2 + 3)}"`, 'é'.repeat(MB / 2 + 3), '1 MB of 2-byte characters'),
    raw(`"${'\\u0041'.repeat(200_000)}"`, 'A'.repeat(200_000), '200k escapes'),
    raw(nested(10_000, '{"a":', '}', '1'), nestedJs(10_000, false), 'objects 10,000 deep'),
    // At the limit of src/entities/nesting.ts: inside a record these are 997-1001 levels.
    raw(nested(996, '{"a":', '}', '1'), nestedJs(996, false), 'objects 996 deep'),
    raw(nested(998, '[', ']', '1'), nestedJs(998, true), 'arrays 998 deep'),
    raw(nested(1000, '[', ']', '1'), nestedJs(1000, true), 'arrays 1,000 deep'),
    raw(nested(10_000, '[', ']', '1'), nestedJs(10_000, true), 'arrays 10,000 deep'),
    raw(nested(100_000, '[', ']', '1'), nestedJs(100_000, true), 'arrays 100,000 deep'),
    raw(`[${Array.from({ length: 50_000 }, () => '"t"').join(',')}]`, Array.from({ length: 50_000 }, () => 't'), '50,000 tags'),
  ];
  return bigCache;
}

const pick = (values: Raw[]): fc.Arbitrary<Raw> => fc.integer({ min: 0, max: values.length - 1 }).map((i) => values[i]!);

/** One hostile value; the big ones (slow to make and to read) come less often. */
export const hostileValue: fc.Arbitrary<Raw> = fc.oneof(
  { weight: 4, arbitrary: pick(NUMBERS) },
  { weight: 5, arbitrary: pick(STRINGS) },
  { weight: 4, arbitrary: pick(SHAPES) },
  { weight: 3, arbitrary: pick(PROTO) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 9 }).map((i) => big()[i]!) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => raw(JSON.stringify(v) ?? 'null', v, 'generated JSON')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => raw(JSON.stringify(s), s, 'generated string')) },
);

/** Keys a record or a map may carry that name Object's own machinery. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'] as const;
