// Probe: runs a chatmigrate executable (any build's dist/src/cli/main.js) inside this process and,
// as the process exits, writes to TIMING_FILE what the run cost: wall ms from just before the CLI's
// code is loaded (Node's own start-up excluded), CPU ms of the whole process (worker threads
// included), peak RSS, exit code. The same measuring code for every build it is pointed at.
// Args: TIMING_FILE CLI [CLI arguments...]. Started with the CLI's own runtime settings (cli-launch.ts).

import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [timingFile, cli] = process.argv.slice(2);
if (timingFile === undefined || cli === undefined) throw new Error('usage: cli-timer TIMING_FILE CLI [args...]');
const started = performance.now();
const cpuBefore = process.cpuUsage();
// Registered before the CLI loads, so it runs first on exit: the CLI's own exit handlers are cheap.
process.on('exit', (code) => {
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  writeFileSync(timingFile, JSON.stringify({ code, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
});
// The CLI reads its arguments from process.argv.slice(2), as when started as `node main.js ...`.
process.argv.splice(1, 3, cli);
await import(pathToFileURL(cli).href);
