// Probe: runs a chatmigrate executable (any build's dist/src/cli/main.js) inside this process and,
// as the process exits, writes to TIMING_FILE what the run cost: wall ms from just before the CLI's
// code is loaded (Node's own start-up excluded), CPU ms of the whole process (worker threads
// included), peak RSS, exit code, and the CPU time the whole machine used meanwhile (Linux), which
// tells whether other work shared the cores. The same measuring code for every build it runs.
// Args: TIMING_FILE CLI [CLI arguments...]. Started with the CLI's own runtime settings (cli-launch.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';

/** Busy and total jiffies of all cores since boot, from /proc/stat (undefined elsewhere). */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const text = readFileSync('/proc/stat', 'latin1');
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = text.slice(0, text.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

const [timingFile, cli] = process.argv.slice(2);
if (timingFile === undefined || cli === undefined) throw new Error('usage: cli-timer TIMING_FILE CLI [args...]');
const machineBefore = machineJiffies();
const started = performance.now();
const cpuBefore = process.cpuUsage();
// Registered before the CLI loads, so it runs first on exit: the CLI's own exit handlers are cheap.
process.on('exit', (code) => {
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const after = machineJiffies();
  const share = machineBefore && after && after.total > machineBefore.total ? (after.busy - machineBefore.busy) / (after.total - machineBefore.total) : undefined;
  const machineCpuMs = share === undefined ? null : share * cpus().length * ms;
  writeFileSync(timingFile, JSON.stringify({ code, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, machineCpuMs }) + '\n');
});
// The CLI reads its arguments from process.argv.slice(2), as when started as `node main.js ...`.
process.argv.splice(1, 3, cli);
await import(pathToFileURL(cli).href);
