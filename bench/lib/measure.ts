// Runs a probe script in a child process (optionally pinned to one core) and returns what it
// printed as JSON, plus wall time. Separate processes keep each measurement's memory honest.

import { NODE_FLAGS, RUNTIME_ENV } from '../../src/runtime-flags.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const HAS_TASKSET = existsSync('/usr/bin/taskset');

export interface ProbeResult {
  wallMs: number;
  output: Record<string, unknown>;
}

export function probePath(name: string): string {
  return fileURLToPath(new URL(`../probes/${name}.js`, import.meta.url));
}

/** Runs `node <probe> args...`, pinned to `core` when taskset exists; the probe prints one JSON line. */
export function runProbe(probe: string, args: readonly string[], options: { core?: number; nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<ProbeResult> {
  // Started the way the chatmigrate executable starts (src/runtime-flags.ts).
  const nodeArgv = [...NODE_FLAGS, ...(options.nodeArgs ?? []), probePath(probe), ...args];
  const [cmd, argv] = options.core !== undefined && HAS_TASKSET ? ['taskset', ['-c', String(options.core), process.execPath, ...nodeArgv]] : [process.execPath, nodeArgv];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd as string, argv as string[], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...RUNTIME_ENV } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`probe ${probe} exited with ${code}: ${out.slice(-500)}`));
      try {
        const line = out.trim().split('\n').pop() ?? '{}';
        resolve({ wallMs, output: JSON.parse(line) as Record<string, unknown> });
      } catch (err) {
        reject(new Error(`probe ${probe} printed no JSON: ${out.slice(-500)} (${String(err)})`));
      }
    });
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
