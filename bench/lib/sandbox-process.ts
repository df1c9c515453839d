// Starts `chatmigrate sandbox` (or another server) in its own process, pinned to a core when
// possible, for benchmarks, and talks to the sandbox's introspection endpoints.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onExit } from './exit-cleanup.js';
import { HAS_TASKSET } from './measure.js';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface SandboxProcess {
  baseUrl: string;
  url: string;
  stats(): Promise<Record<string, unknown>>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `chatmigrate sandbox` of this build, or of the build whose executable is `cli`; `quiet`: its stderr (notes, closing statistics) is dropped. */
export async function startSandboxProcess(args: readonly string[], core?: number, cli = CLI, quiet = false): Promise<SandboxProcess> {
  const server = await startServerProcess([cli, 'sandbox', '--port', '0', ...args], core, quiet);
  const { url: baseUrl } = server;
  const url = baseUrl.replace(/\/v3$/, '');
  return {
    baseUrl,
    url,
    async stats() {
      const res = await fetch(`${url}/__sandbox/stats`);
      return (await res.json()) as Record<string, unknown>;
    },
    async reset() {
      const res = await fetch(`${url}/__sandbox/reset`, { method: 'POST' });
      await res.arrayBuffer();
    },
    stop: server.stop,
  };
}

export interface ServerProcess {
  /** The first line the server printed that starts with http. */
  url: string;
  stop(): Promise<void>;
}

/** Starts `node ...argv` (pinned to a core when possible) and waits for it to print its URL. */
export async function startServerProcess(argv: readonly string[], core?: number, quiet = false): Promise<ServerProcess> {
  const stdio: Array<'ignore' | 'pipe' | 'inherit'> = ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'];
  const child: ChildProcess = core !== undefined && HAS_TASKSET ? spawn('taskset', ['-c', String(core), process.execPath, ...argv], { stdio }) : spawn(process.execPath, argv, { stdio });
  // A server outlives its parent unless killed: also when the benchmark is interrupted.
  const unregister = onExit(() => child.kill('SIGKILL'));
  child.once('exit', unregister);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} did not print its URL within 10 s`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited early with ${code}`)));
  });
  return {
    url,
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    },
  };
}
