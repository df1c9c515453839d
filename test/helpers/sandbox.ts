// Test helpers for imports: run the pipeline against an in-process sandbox, know which members
// should arrive there, and check that a report's buckets add up (SPEC §4).

import assert from 'node:assert/strict';
import { resolveConfig, type RunOptions } from '../../src/config.js';
import { runPipeline, type PipelineDeps } from '../../src/pipeline.js';
import type { Report } from '../../src/accounting/report.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { resolveOptions, type GenerateOptions } from '../../bench/generate.js';
import { createRecordFactory } from '../../bench/generate-records.js';
import { NOW } from './run.js';

/** The key the test sandboxes accept (distinctive, so a leak is easy to grep for). */
export const SANDBOX_KEY = 'sbx-import-key-4e7d1a9c3f08b562';

/** memberIds of the six valid, distinct members of fixtures/members.* (after normalization). */
export const FIXTURE_VALID_IDS = [
  'guid1_member_uid2',
  'guid1_member_uid3',
  'team-b_member_alice',
  'team-b_member_bob',
  'team-b_member_carol',
  'team-d_member_ivy',
];

/** Runs `chatmigrate import` in-process against `sandbox`: fixed "now", no quota, short retry delays. */
export function importInto(sandbox: Sandbox, options: RunOptions, deps: PipelineDeps = {}): Promise<Report> {
  const config = resolveConfig('import', {
    now: NOW,
    progress: false,
    baseUrl: sandbox.baseUrl,
    apiKey: SANDBOX_KEY,
    rpm: 0,
    retryMinMs: 5,
    retryMaxMs: 50,
    ...options,
  });
  return runPipeline(config, deps);
}

/** Starts a sandbox accepting SANDBOX_KEY, runs `fn`, and always closes it. */
export async function withSandbox<T>(options: Partial<SandboxOptions>, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox({ apiKey: SANDBOX_KEY, rpm: 0, ...options });
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** The memberIds the sandbox accepted, sorted. */
export function acceptedIds(sandbox: Sandbox): string[] {
  return [...sandbox.accepted('members').keys()].sort();
}

/**
 * The memberIds an import of this generated export must deliver, sorted: the generator's own
 * record kinds (first occurrences of valid members), lowercased as CometChat normalizes ids.
 * Independent of the validator under test.
 */
export function expectedValidIds(options: GenerateOptions): string[] {
  const resolved = resolveOptions(options);
  assert.ok(resolved.count !== undefined, 'expectedValidIds needs a count, not bytes');
  const factory = createRecordFactory(resolved);
  const ids: string[] = [];
  for (let i = 0; i < resolved.count; i++) {
    const record = factory.next();
    if (record.kind === 'valid') ids.push(record.key.toLowerCase());
  }
  return ids.sort();
}

/** SPEC §4: read = invalid + skipped + duplicates + valid, and valid = imported + alreadyPresent + rejected + unsent. */
export function assertCountsAddUp(r: Report, label = ''): void {
  const at = label === '' ? '' : ` (${label})`;
  for (const field of ['imported', 'alreadyPresent', 'rejected', 'unsent'] as const) {
    assert.equal(typeof r[field], 'number', `report.${field} is present${at}`);
  }
  assert.equal(r.read, r.invalid + r.skipped + r.duplicates + r.valid, `read = invalid + skipped + duplicates + valid${at}: ${JSON.stringify(r)}`);
  assert.equal(r.valid, r.imported! + r.alreadyPresent! + r.rejected! + r.unsent!, `valid = imported + alreadyPresent + rejected + unsent${at}: ${JSON.stringify(r)}`);
  assert.ok(r.unsent! >= 0, `unsent ${r.unsent} is not negative${at}`);
}
