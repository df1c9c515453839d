// Command lines of `chatmigrate migrate` tests: a generated workspace's four inputs, and a target
// (an in-process sandbox) with a state directory, fixed "now", no quota and short retries.

import type { GeneratedWorkspace } from '../../bench/generate-rocketchat.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { NOW } from './run.js';
import { SANDBOX_KEY } from './sandbox.js';

/** --from rocketchat and the four mongoexport files (`--messages` and its file last). */
export function workspaceInputs(ws: GeneratedWorkspace): string[] {
  const f = ws.files;
  return ['--from', 'rocketchat', '--users', f.users, '--rooms', f.rooms, '--subscriptions', f.subscriptions, '--messages', f.messages];
}

export function sandboxTarget(sandbox: Sandbox, stateDir: string, key = SANDBOX_KEY): string[] {
  return ['--state-dir', stateDir, '--base-url', sandbox.baseUrl, '--api-key', key, '--rpm', '0', '--now', String(NOW), '--log-level', 'warn', '--retry-min-ms', '5', '--retry-max-ms', '50'];
}
