// Baseline probe: the bare floor of turning an export into objects on one core — read the file,
// split it into lines on bytes, JSON.parse each record. For the one-record-per-line JSON
// documents the generator writes, each line's record is the slice from its first '{' to its
// last '}' (dropping a map key prefix and the trailing comma). Prints one JSON line.

import { createReadStream } from 'node:fs';

const path = process.argv[2]!;
const started = performance.now();
let records = 0;
let bytes = 0;
let carry: Buffer | undefined;

function parseLine(buf: Buffer, start: number, end: number): void {
  let s = buf.indexOf(0x7b, start); // first '{'
  if (s === -1 || s >= end) return;
  let e = end;
  while (e > s && buf[e - 1] !== 0x7d) e--; // last '}'
  if (records === 0 && buf[s + 1] === 0x22 && buf.toString('latin1', s, Math.min(s + 12, e)).startsWith('{"members"')) {
    s = buf.indexOf(0x7b, s + 1); // the cometchat wrapper line carries no record of its own beyond that
    if (s === -1 || s >= end) return;
  }
  if (e <= s) return;
  JSON.parse(buf.toString('utf8', s, e));
  records++;
}

for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
  bytes += chunk.length;
  let buf = chunk;
  if (carry) {
    buf = Buffer.concat([carry, chunk]);
    carry = undefined;
  }
  let pos = 0;
  let nl = buf.indexOf(10, pos);
  while (nl !== -1) {
    parseLine(buf, pos, nl);
    pos = nl + 1;
    nl = buf.indexOf(10, pos);
  }
  if (pos < buf.length) carry = buf.subarray(pos);
}
if (carry) parseLine(carry, 0, carry.length);
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, records, bytes, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
