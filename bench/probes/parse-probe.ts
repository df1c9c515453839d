// Probe: chatmigrate's own parsing on one thread — the input layer and the format's record
// splitter (NDJSON lines, or the boundary scanner of one big JSON document) with one JSON.parse
// per record, no validation. Compared with parse-baseline (the floor) on the same file.
// Args: INPUT FORMAT. Prints one JSON line.

import { openInputPath } from '../../src/sources/open-input.js';
import { createRecordReader } from '../../src/sources/record-reader.js';
import type { FormatChoice } from '../../src/sources/formats.js';

const [path, format = 'auto'] = process.argv.slice(2);
const started = performance.now();
let records = 0;
const reader = createRecordReader(format as FormatChoice, (buf, start, end) => {
  JSON.parse(buf.toString('utf8', start, end));
  records++;
});
const input = await openInputPath(path);
for await (const chunk of input.chunks) reader.push(chunk);
reader.end();
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, records, bytes: reader.bytesSeen, format: reader.format, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
