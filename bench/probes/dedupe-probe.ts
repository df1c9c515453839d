// Probe: measures the dedupe index at N million keys in a fresh process; prints one JSON line.

import { measureDedupe } from '../dedupe.js';

const millions = Number(process.argv[2] ?? '1');
const r = measureDedupe(millions * 1_000_000);
process.stdout.write(
  JSON.stringify({
    keys: r.keys,
    size: r.sizeMatches ? r.keys : -1,
    nsPerInsert: r.nsPerInsert,
    bytesPerKey: r.bytesPerKeyReported,
    bytesPerKeyArrayBuffers: r.bytesPerKeyArrayBuffers,
    peakRssMB: r.peakRssMiB,
    ok: r.ok,
  }) + '\n',
);
