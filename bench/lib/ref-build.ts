// The other build of an A/B comparison (`bench:check --against`, `ab:outputs --against`): a
// directory holding a built checkout, used as it is, or a git ref of this repository, exported
// into a temporary directory and built there with its own build script. The temporary tree is
// removed on every exit path (see exit-cleanup.ts).
//
// Export, not `git worktree add`: a worktree registers itself in .git/worktrees, so a run killed
// before it cleans up would leave a stale entry behind; `git archive` leaves nothing in the repo.
// node_modules: when the ref's package-lock.json is byte for byte ours, the ref resolves exactly
// the same dependency versions, so ours is symlinked in (no download, ~20 s saved); otherwise the
// ref gets its own `npm ci`, as a user's clone of it would.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onExit } from './exit-cleanup.js';

/** The CLI inside a built checkout (package.json "bin"). */
export const CLI_IN_CHECKOUT = join('dist', 'src', 'cli', 'main.js');

export interface RefBuild {
  /** For tables and logs: `main (3f2a1b0)` or the directory. */
  label: string;
  /** The checkout's root. */
  root: string;
  /** Its `chatmigrate` executable (dist/src/cli/main.js). */
  cli: string;
  /** Removes the temporary tree now (a no-op for a directory given as it is). */
  dispose(): void;
}

export class RefBuildError extends Error {}

/** Runs a command to its end; rejects with the tail of its output when it fails. Killed if this process ends first. */
function runCommand(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so that an interrupted run ends npm's children (sh, tsc, g++) too.
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const unregister = onExit(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => {
      unregister();
      reject(new RefBuildError(`${cmd} ${args.join(' ')}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      unregister();
      if (code === 0) resolvePromise();
      else reject(new RefBuildError(`\`${cmd} ${args.join(' ')}\` in ${cwd} ${signal ? `was killed by ${signal}` : `exited with ${code}`}:\n${output.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

function gitOutput(root: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolvePromise) => {
    const child = spawn('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', () => resolvePromise(undefined));
    child.on('close', (code) => resolvePromise(code === 0 ? out.trim() : undefined));
  });
}

function sameFile(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));
}

/**
 * Resolves `--against SPEC` for the checkout at `root` (this build): a directory with a build in
 * it, or a git ref (branch, tag, commit, HEAD~1) of `root`'s repository, exported and built.
 */
export async function prepareRef(spec: string, options: { root: string; log(line: string): void }): Promise<RefBuild> {
  const { root, log } = options;
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const dir = resolve(spec);
    const cli = join(dir, CLI_IN_CHECKOUT);
    if (!existsSync(cli)) throw new RefBuildError(`--against ${spec}: a directory must hold a built checkout, and ${cli} does not exist; run \`npm ci\` in it first, or give a git ref instead`);
    return { label: dir, root: dir, cli, dispose() {} };
  }
  const sha = await gitOutput(root, ['rev-parse', '--verify', '--quiet', `${spec}^{commit}`]);
  if (sha === undefined) {
    const inRepo = (await gitOutput(root, ['rev-parse', '--git-dir'])) !== undefined;
    throw new RefBuildError(
      `--against expects a git ref of this repository (a branch, tag, commit or HEAD~1) or the directory of a built checkout, got ${JSON.stringify(spec)}` +
        (inRepo ? '' : ` (${root} is not a git repository: give a directory)`),
    );
  }
  const label = `${spec} (${sha.slice(0, 7)})`;
  const started = performance.now();
  const tmp = mkdtempSync(join(tmpdir(), 'chatmigrate-ref-'));
  const remove = () => rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  const unregister = onExit(remove);
  const dispose = () => {
    unregister();
    remove();
  };
  try {
    const tree = join(tmp, 'tree');
    mkdirSync(tree);
    const tar = join(tmp, 'ref.tar');
    await runCommand('git', ['-C', root, 'archive', '--format=tar', '-o', tar, sha], root);
    await runCommand('tar', ['-xf', tar, '-C', tree], tmp);
    rmSync(tar);
    const ours = join(root, 'node_modules');
    if (sameFile(join(tree, 'package-lock.json'), join(root, 'package-lock.json')) && existsSync(ours)) {
      symlinkSync(ours, join(tree, 'node_modules'), 'dir');
      log(`ref ${label}: exported to ${tree}; package-lock.json is identical to ours, so our node_modules is symlinked in; npm run build`);
      await runCommand('npm', ['run', 'build'], tree);
    } else {
      log(`ref ${label}: exported to ${tree}; its package-lock.json differs from ours: npm ci (installs and builds)`);
      await runCommand('npm', ['ci', '--no-audit', '--no-fund'], tree);
      // A ref whose install does not build (no "prepare" script) is built explicitly.
      if (!existsSync(join(tree, CLI_IN_CHECKOUT))) await runCommand('npm', ['run', 'build'], tree);
    }
    const cli = join(tree, CLI_IN_CHECKOUT);
    if (!existsSync(cli)) throw new RefBuildError(`the build of ${label} wrote no ${CLI_IN_CHECKOUT}`);
    log(`ref ${label}: built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return { label, root: tree, cli, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/** `HEAD 3f2a1b0` (plus `+ uncommitted changes` when the tree differs), or just the directory outside git. */
export async function describeCheckout(root: string): Promise<string> {
  const sha = await gitOutput(root, ['rev-parse', '--short', 'HEAD']);
  if (sha === undefined) return root;
  const dirty = await gitOutput(root, ['status', '--porcelain', '--untracked-files=no']);
  return `${root} at ${sha}${dirty ? ' + uncommitted changes' : ''}`;
}
