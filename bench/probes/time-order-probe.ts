// Probe: the time-order sort of a messages file in a fresh process (check, runs, merges, then the
// whole merged stream read through), or a plain read of the file for comparison; prints one JSON line.
//   node time-order-probe.js sort|read INPUT DIR [RUN_BYTES]

import { openInputPath } from '../../src/sources/open-input.js';
import { orderMessages, removeTimeOrder } from '../../src/mongodump/time-order.js';

const [mode, input, dir, runBytes] = process.argv.slice(2);
const stages: Record<string, number> = {};
let last = performance.now();
let stage = 'check';
const mark = (next: string): void => {
  const now = performance.now();
  stages[stage] = (stages[stage] ?? 0) + (now - last);
  stage = next;
  last = now;
};
const started = performance.now();
let bytes = 0;
let out = 0;
let records = 0;
let runs = 0;
if (mode === 'read') {
  const opened = await openInputPath(input!);
  for await (const c of opened.chunks) bytes += c.length;
  mark('read');
} else {
  await removeTimeOrder(dir!);
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  const order = await orderMessages({
    input: input!, dir: dir!, log, ...(runBytes ? { runBytes: Number(runBytes) } : {}),
    onProgress: (p) => {
      if (p.stage !== stage) mark(p.stage);
      if (p.stage === 'check') bytes = p.bytes;
    },
  });
  mark('stream');
  for await (const c of order.stream!()) out += c.length;
  mark('done');
  records = order.records;
  runs = order.runs;
  await removeTimeOrder(dir!);
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ mode, bytes, out, records, runs, ms, stages, mbPerS: bytes / 1e6 / (ms / 1000), maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
