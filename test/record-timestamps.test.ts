// Tests for timestamp conversion: every accepted form, the 10-digit boundaries, ms vs s, zones, garbage.

import { createRandom } from './helpers/random.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isTenDigitText,
  MAX_UNIX_SECONDS,
  MIN_UNIX_SECONDS,
  parseUnixSeconds,
  tenDigitValue,
  toTimestampText,
  toUnixSeconds,
} from '../src/entities/timestamps.js';

// CometChat's documented example: "1673421419" = 2023-01-11T07:16:59Z.
const EXAMPLE = 1673421419;
const EXAMPLE_ISO = '2023-01-11T07:16:59Z';

describe('toUnixSeconds: numbers and numeric strings', () => {
  it('keeps 10-digit seconds, as numbers and as strings', () => {
    assert.equal(toUnixSeconds(EXAMPLE), EXAMPLE);
    assert.equal(toUnixSeconds('1673421419'), EXAMPLE);
    assert.equal(toUnixSeconds(' 1673421419 '), EXAMPLE);
    assert.equal(Date.UTC(2023, 0, 11, 7, 16, 59) / 1000, EXAMPLE, 'the example constant itself');
  });

  it('floors fractional seconds', () => {
    assert.equal(toUnixSeconds(1673421419.999), EXAMPLE);
    assert.equal(toUnixSeconds('1673421419.5'), EXAMPLE);
  });

  it('reads values >= 1e11 as milliseconds and floors them', () => {
    assert.equal(toUnixSeconds(1673421419000), EXAMPLE);
    assert.equal(toUnixSeconds(1673421419999), EXAMPLE);
    assert.equal(toUnixSeconds('1673421419999'), EXAMPLE);
    assert.equal(toUnixSeconds(1673421419999.9), EXAMPLE);
  });

  it('accepts exactly the 10-digit range in seconds', () => {
    assert.equal(toUnixSeconds(MIN_UNIX_SECONDS), 1_000_000_000);
    assert.equal(toUnixSeconds(MIN_UNIX_SECONDS - 1), undefined);
    assert.equal(toUnixSeconds(999_999_999.9), undefined);
    assert.equal(toUnixSeconds(MAX_UNIX_SECONDS), 9_999_999_999);
    assert.equal(toUnixSeconds(MAX_UNIX_SECONDS + 1), undefined, '1e10 seconds is 11 digits');
    assert.equal(toUnixSeconds(99_999_999_999), undefined, 'just under 1e11: seconds, far too late');
  });

  it('accepts exactly the 10-digit range in milliseconds', () => {
    assert.equal(toUnixSeconds(1e11), undefined, '1e11 ms is 1973');
    assert.equal(toUnixSeconds(999_999_999_999), undefined, 'one ms before 2001-09-09T01:46:40Z');
    assert.equal(toUnixSeconds(1_000_000_000_000), 1_000_000_000);
    assert.equal(toUnixSeconds(9_999_999_999_999), 9_999_999_999);
    assert.equal(toUnixSeconds(10_000_000_000_000), undefined);
  });

  it('parseUnixSeconds reports out-of-range values that toUnixSeconds rejects', () => {
    assert.equal(parseUnixSeconds(123), 123);
    assert.equal(parseUnixSeconds(1e11), 1e8);
    assert.equal(parseUnixSeconds(-5.5), -6);
    assert.equal(toUnixSeconds(-5.5), undefined);
  });

  it('rejects non-finite numbers and non-numeric strings', () => {
    for (const bad of [NaN, Infinity, -Infinity, 'NaN', 'Infinity', '-1673421419', '1.67e9', '0x63BE6D2B', '1673421419s', '', '   ']) {
      assert.equal(toUnixSeconds(bad), undefined, String(bad));
    }
  });

  it('treats a leading-zero 10-character string as the number it spells', () => {
    assert.equal(toUnixSeconds('0999999999'), undefined);
    assert.equal(toTimestampText('0999999999'), undefined);
    assert.equal(toUnixSeconds('01673421419'), EXAMPLE);
  });
});

describe('toUnixSeconds: ISO-8601', () => {
  it('reads a date as midnight UTC', () => {
    assert.equal(toUnixSeconds('2023-01-11'), Date.UTC(2023, 0, 11) / 1000);
  });

  it('reads date-times with Z, lowercase t/z and a space separator', () => {
    assert.equal(toUnixSeconds(EXAMPLE_ISO), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11t07:16:59z'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11 07:16:59Z'), EXAMPLE);
  });

  it('floors fractions of any length', () => {
    assert.equal(toUnixSeconds('2023-01-11T07:16:59.999Z'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11T07:16:59.123456789Z'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11T07:16:59,5Z'), EXAMPLE);
  });

  it('accepts date-times without seconds', () => {
    assert.equal(toUnixSeconds('2023-01-11T07:16Z'), EXAMPLE - 59);
  });

  it('applies zone offsets (±hh:mm, ±hhmm, ±hh)', () => {
    assert.equal(toUnixSeconds('2023-01-11T12:46:59+05:30'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11T12:46:59.7+0530'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-10T23:16:59-08:00'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11T09:16:59+02'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11T07:16:59+00:00'), EXAMPLE);
    assert.equal(toUnixSeconds('2023-01-11T07:16:59-00:00'), EXAMPLE);
  });

  it('reads a zone-less date-time as UTC even when the process time zone is not UTC', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // The trap is live: Date.parse reads zone-less date-times as local time.
      assert.notEqual(Date.parse('2023-01-11T07:16:59') / 1000, EXAMPLE);
      assert.equal(toUnixSeconds('2023-01-11T07:16:59'), EXAMPLE);
      assert.equal(toUnixSeconds('2023-01-11T07:16:59.250'), EXAMPLE);
      assert.equal(toUnixSeconds('2023-01-11'), Date.UTC(2023, 0, 11) / 1000);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('knows month lengths and leap years', () => {
    assert.equal(toUnixSeconds('2024-02-29'), Date.UTC(2024, 1, 29) / 1000);
    assert.equal(toUnixSeconds('2023-02-29'), undefined);
    assert.equal(toUnixSeconds('2100-02-29'), undefined);
    assert.equal(parseUnixSeconds('2000-02-29'), Date.UTC(2000, 1, 29) / 1000);
    assert.equal(toUnixSeconds('2023-04-31'), undefined);
    assert.equal(toUnixSeconds('2023-12-31T23:59:59Z'), Date.UTC(2023, 11, 31, 23, 59, 59) / 1000);
  });

  it('rejects malformed or out-of-range ISO text', () => {
    const bad = [
      '2023-13-01', '2023-00-10', '2023-01-00', '2023-01-32', '2023-1-11', '23-01-11', '2023/01/11',
      '11/01/2023', '2023-01-11T24:00:00Z', '2023-01-11T07:60Z', '2023-01-11T07:16:60Z', '2023-01-11T7:16Z',
      '2023-01-11T07Z', '2023-01-11T07:16:59+24:00', '2023-01-11T07:16:59+05:60', '2023-01-11T07:16:59 Z',
      '2023-01-11T07:16:59ZZ', '2023-01-11T07:16:59.Z', 'yesterday', 'Wed, 11 Jan 2023 07:16:59 GMT',
    ];
    for (const text of bad) assert.equal(toUnixSeconds(text), undefined, text);
  });

  it('rejects ISO dates outside the 10-digit range', () => {
    assert.equal(toUnixSeconds('1999-12-31T23:59:59Z'), undefined);
    assert.equal(parseUnixSeconds('1999-12-31T23:59:59Z'), 946684799);
    assert.equal(toUnixSeconds('2001-09-09T01:46:40Z'), MIN_UNIX_SECONDS);
    assert.equal(toUnixSeconds('2001-09-09T01:46:39Z'), undefined);
    assert.equal(toUnixSeconds('2286-11-20T17:46:39Z'), MAX_UNIX_SECONDS);
    assert.equal(toUnixSeconds('2286-11-20T17:46:40Z'), undefined);
    assert.equal(toUnixSeconds('0050-01-01'), undefined);
  });
});

describe('toUnixSeconds: Mongo {"$date"} and Date objects', () => {
  it('reads $date as ISO text, ms number or $numberLong ms', () => {
    assert.equal(toUnixSeconds({ $date: EXAMPLE_ISO }), EXAMPLE);
    assert.equal(toUnixSeconds({ $date: '2023-01-11T07:16:59.999+00:00' }), EXAMPLE);
    assert.equal(toUnixSeconds({ $date: 1673421419999 }), EXAMPLE);
    assert.equal(toUnixSeconds({ $date: { $numberLong: '1673421419123' } }), EXAMPLE);
  });

  it('treats $date numbers as milliseconds even when they look like seconds', () => {
    assert.equal(parseUnixSeconds({ $date: EXAMPLE }), 1673421);
    assert.equal(toUnixSeconds({ $date: EXAMPLE }), undefined);
  });

  it('rejects malformed $date values', () => {
    for (const bad of [
      { $date: null }, { $date: true }, { $date: 'garbage' }, { $date: {} }, { $date: { $numberLong: 'abc' } },
      { $date: { $numberLong: 1673421419000 } }, { $date: NaN }, { $date: [] }, { date: EXAMPLE_ISO }, {},
    ]) {
      assert.equal(toUnixSeconds(bad), undefined, JSON.stringify(bad));
    }
  });

  it('reads Date objects and rejects invalid ones', () => {
    assert.equal(toUnixSeconds(new Date(EXAMPLE_ISO)), EXAMPLE);
    assert.equal(toUnixSeconds(new Date('garbage')), undefined);
  });

  it('rejects other types', () => {
    for (const bad of [null, undefined, true, false, [], [EXAMPLE], () => EXAMPLE, Symbol('t'), 10n]) {
      assert.equal(toUnixSeconds(bad), undefined, typeof bad);
    }
  });
});

describe('toTimestampText', () => {
  it('returns the 10-digit text CometChat expects for every accepted form', () => {
    for (const value of [EXAMPLE, '1673421419', 1673421419000, '1673421419000', 1673421419.5, EXAMPLE_ISO,
      { $date: EXAMPLE_ISO }, { $date: 1673421419000 }, { $date: { $numberLong: '1673421419000' } }]) {
      assert.equal(toTimestampText(value), '1673421419', JSON.stringify(value));
    }
  });

  it('returns a 10-digit string unchanged (same string)', () => {
    const text = '1673421419';
    assert.equal(toTimestampText(text), text);
  });

  it('returns undefined for garbage and out-of-range values', () => {
    for (const bad of ['garbage', 123, '999999999', '10000000000', null, {}]) assert.equal(toTimestampText(bad), undefined);
  });

  it('handles huge strings quickly', () => {
    const started = Date.now();
    assert.equal(toTimestampText('9'.repeat(1_000_000)), undefined);
    assert.equal(toTimestampText('x'.repeat(1_000_000)), undefined);
    assert.equal(toTimestampText('2023-01-11T07:16:59.' + '1'.repeat(1_000_000) + 'Z'), undefined);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('isTenDigitText', () => {
  it('accepts exactly ten digits not starting with 0', () => {
    assert.equal(isTenDigitText('1673421419'), true);
    assert.equal(isTenDigitText('9999999999'), true);
    assert.equal(isTenDigitText('0673421419'), false);
    assert.equal(isTenDigitText('167342141'), false);
    assert.equal(isTenDigitText('16734214190'), false);
    assert.equal(isTenDigitText('167342141a'), false);
    assert.equal(isTenDigitText('１６７３４２１４１９'), false, 'full-width digits');
  });
});

// The hot paths of the conversions (digit-by-digit ISO parsing, digits instead of String()) must
// give exactly what the straightforward forms give. The reference below is the regex + Date.UTC
// parser these replaced, kept here as the oracle.
const REFERENCE_ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

function referenceSeconds(raw: string): number | undefined {
  const text = raw.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n >= 1e11 ? Math.floor(n / 1000) : Math.floor(n);
  }
  return referenceIsoSeconds(text);
}

function referenceIsoSeconds(text: string): number | undefined {
  if (text.length > 64) return undefined;
  const m = REFERENCE_ISO.exec(text);
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  const zone = m[7];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const [h, mm] = [Number(digits.slice(0, 2)), digits.length > 2 ? Number(digits.slice(2, 4)) : 0];
    if (h > 23 || mm > 59) return undefined;
    offset = (zone[0] === '-' ? -1 : 1) * (h * 60 + mm);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offset * 60;
}


const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('hot paths of the conversions', () => {
  it('parse ISO-8601 exactly like the regex + Date.UTC reference, on random and mutated text', () => {
    const rnd = createRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
    const ALPHABET = '0123456789-:.,TtZz+ ';
    let fastForm = 0;
    for (let i = 0; i < 20_000; i++) {
      // Mostly valid fields, sometimes just out of range (month 13, hour 24, Feb 29 of non-leap years...).
      const year = 1000 + Math.floor(rnd() * 9000);
      const date = `${pad(year, 4)}-${pad(1 + Math.floor(rnd() * 13), 2)}-${pad(1 + Math.floor(rnd() * 31), 2)}`;
      const time = `${pad(Math.floor(rnd() * 25), 2)}:${pad(Math.floor(rnd() * 61), 2)}:${pad(Math.floor(rnd() * 61), 2)}`;
      const fraction = pick(['', '', '.000', '.5', ',25', '.123456789', '.']);
      const zone = pick(['Z', 'z', '', '+00:00', '-08:00', '+05:30', '+0530', '+05', '+24:00', '-00:60', 'ZZ', ' Z']);
      let text = `${date}${pick(['T', 't', ' '])}${time}${fraction}${zone}`;
      if (rnd() < 0.3) {
        // One character replaced, inserted or removed anywhere.
        const at = Math.floor(rnd() * (text.length + 1));
        const c = ALPHABET[Math.floor(rnd() * ALPHABET.length)] as string;
        const op = rnd();
        text = op < 0.4 ? text.slice(0, at) + c + text.slice(at + 1) : op < 0.7 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      const expected = referenceSeconds(text);
      assert.equal(parseUnixSeconds(text), expected, text);
      assert.equal(parseUnixSeconds({ $date: text }), referenceIsoSeconds(text.trim()), text);
      if (/^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:[Zz]|[+-]\d\d:\d\d)?$/.test(text)) fastForm++;
    }
    assert.ok(fastForm > 8000, `only ${fastForm} strings had the common shape: the test would prove little`);
  });

  it('agree with Date.parse on the forms both read the same way', () => {
    const rnd = createRandom(11);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(rnd() * 9e12) + 1e12;
      const text = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
      assert.equal(parseUnixSeconds(text), Math.floor(Date.parse(text) / 1000), text);
      assert.equal(parseUnixSeconds(text.slice(0, 19) + 'Z'), Math.floor(ms / 1000), text);
      assert.equal(parseUnixSeconds(text.slice(0, 19) + '+02:00'), Math.floor(ms / 1000) - 7200, text);
    }
  });

  it('write seconds as String() does, at the range boundaries and at random', () => {
    const rnd = createRandom(3);
    const values = [MIN_UNIX_SECONDS, MAX_UNIX_SECONDS, 1_000_000_009, 1_000_099_999, 1_000_100_000, 1_999_999_999, 2_147_483_647, 2_147_483_648, 4_294_967_296];
    for (let i = 0; i < 20_000; i++) values.push(MIN_UNIX_SECONDS + Math.floor(rnd() * (MAX_UNIX_SECONDS - MIN_UNIX_SECONDS + 1)));
    for (const seconds of values) {
      assert.equal(toTimestampText(seconds), String(seconds));
      assert.equal(toTimestampText(seconds * 1000 + 999), String(seconds));
      assert.equal(toTimestampText(seconds + 0.75), String(seconds));
      assert.equal(tenDigitValue(String(seconds)), seconds);
    }
  });
});
