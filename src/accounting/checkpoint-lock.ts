// One run per checkpoint at a time: two overlapping runs (a cron overlap, a restart during the
// grace period) would write over each other's journal and checkpoint. The lock file holds the
// owner's pid; a lock whose process is gone (kill -9, reboot) is taken over.

import { readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { ChatmigrateError } from '../errors.js';
import { createPrivateFileSync } from './private-files.js';

export interface CheckpointLock {
  release(): void;
}

/** `what` names the locked thing in the refusal (default: the --checkpoint path). */
export function acquireCheckpointLock(checkpointPath: string, what = `--checkpoint ${checkpointPath}`): CheckpointLock {
  const path = `${checkpointPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = createPrivateFileSync(path);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ChatmigrateError('CM_OUTPUT', `cannot create the lock ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const owner = readOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new ChatmigrateError('CM_USAGE', `another chatmigrate (pid ${owner}) is using ${what}`, {
          hint: `wait for it to finish or stop it; if no such run exists, delete ${path}`,
        });
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new ChatmigrateError('CM_OUTPUT', `cannot take the lock ${path}: another process keeps creating it`);
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
