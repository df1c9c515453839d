// A child process for the kill -9 test of the time-order sort: sorts INPUT under DIR and kills
// itself with SIGKILL at a chosen point (after the Nth run or merge is recorded), as an operator's
// kill -9 or an out-of-memory kill would, leaving whatever state the sort had on disk.
//   node sort-child.js INPUT DIR RUN_BYTES FAN_IN STAGE COUNT

import { orderMessages } from '../../src/mongodump/time-order.js';

const [input, dir, runBytes, fanIn, stage, count] = process.argv.slice(2);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
await orderMessages({
  input: input!,
  dir: dir!,
  runBytes: Number(runBytes),
  fanIn: Number(fanIn),
  log: quiet,
  onProgress: (p) => {
    if (p.stage === stage && (stage === 'merge' || p.runs >= Number(count))) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without being killed\n');
