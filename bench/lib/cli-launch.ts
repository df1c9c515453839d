// Runs a build's `chatmigrate` executable the way a user's shell would (the environment and Node
// flags of its own `#!` line), optionally pinned to a core, under the cli-timer probe, which
// reports wall ms, CPU ms, peak RSS and the machine's CPU time meanwhile. A/B comparisons drive
// both builds through this one path.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { onExit } from './exit-cleanup.js';
import { HAS_TASKSET, probePath } from './measure.js';

export interface LaunchSpec {
  env: Record<string, string>;
  nodeArgs: string[];
}

/**
 * `#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --single-threaded-gc` → env and Node flags. Read from
 * each build's own executable: a ref with other runtime settings is measured with its own.
 */
export function parseShebang(firstLine: string): LaunchSpec {
  const spec: LaunchSpec = { env: {}, nodeArgs: [] };
  if (!firstLine.startsWith('#!')) return spec;
  const tokens = firstLine.slice(2).trim().split(/\s+/);
  const at = tokens.findIndex((t) => basename(t) === 'node' || basename(t) === 'nodejs');
  if (at < 0) return spec;
  for (const t of tokens.slice(0, at)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t);
    if (m) spec.env[m[1]!] = m[2]!;
  }
  spec.nodeArgs = tokens.slice(at + 1);
  return spec;
}

export function launchSpecOf(cli: string): LaunchSpec {
  const head = readFileSync(cli, 'utf8').slice(0, 500);
  return parseShebang(head.split('\n', 1)[0] ?? '');
}

export interface CliRun {
  code: number | null;
  /** From just before the CLI's code loads to the process's exit. */
  ms: number;
  /** User + system CPU of the whole process (worker threads included). */
  cpuMs: number;
  maxRssMB: number;
  /** CPU time the whole machine used during the run, this run's included (Linux; undefined elsewhere). */
  machineCpuMs: number | undefined;
  /** The tail of what the CLI wrote to stderr. */
  stderr: string;
}

let timingDir: string | undefined;
let runs = 0;

function timingFile(): string {
  if (timingDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'chatmigrate-cli-timer-'));
    timingDir = dir;
    onExit(() => rmSync(dir, { recursive: true, force: true }));
  }
  return join(timingDir, `run-${process.pid}-${runs++}.json`);
}

/** Runs `cli args...` to its end under the timer; rejects only when it could not be run or measured. */
export function runCliTimed(cli: string, args: readonly string[], options: { core?: number; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliRun> {
  const { env, nodeArgs } = launchSpecOf(cli);
  const file = timingFile();
  const argv = [...nodeArgs, probePath('cli-timer'), file, cli, ...args];
  const [cmd, cmdArgs] = options.core !== undefined && HAS_TASKSET ? ['taskset', ['-c', String(options.core), process.execPath, ...argv]] : [process.execPath, argv];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, cmdArgs as string[], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env, ...options.env } });
    const unregister = onExit(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      unregister();
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      unregister();
      let timing: { ms: number; cpuMs: number; maxRssMB: number; machineCpuMs: number | null };
      try {
        timing = JSON.parse(readFileSync(file, 'utf8')) as typeof timing;
        rmSync(file, { force: true });
      } catch {
        return reject(new Error(`${cli} ${args.join(' ')} ended (${signal ?? `exit ${code}`}) without being measured: ${stderr.slice(-800)}`));
      }
      resolve({ code, ms: timing.ms, cpuMs: timing.cpuMs, maxRssMB: timing.maxRssMB, machineCpuMs: timing.machineCpuMs ?? undefined, stderr });
    });
  });
}

/** Runs `cli args...` to its end, started as its `#!` line says, without the timer; resolves with its exit code and stderr tail. */
export function runCli(cli: string, args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ code: number | null; stderr: string }> {
  const { env, nodeArgs } = launchSpecOf(cli);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env, ...options.env } });
    const unregister = onExit(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 5 * 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      unregister();
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      unregister();
      resolve({ code, stderr });
    });
  });
}
