// Test helpers for running the pipeline in-process on files, strings or chunked streams.

import { Readable } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type RunOptions } from '../../src/config.js';
import { runPipeline, type PipelineDeps } from '../../src/pipeline.js';
import type { Report } from '../../src/accounting/report.js';
import { chunksOf } from './chunks.js';

/** A fixed "now" so the future-joinedAt rule gives the same answer on any day. */
export const NOW = 1_767_225_600; // 2026-01-01

export function tempDir(prefix = 'chatmigrate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function validate(options: RunOptions, deps: PipelineDeps = {}): Promise<Report> {
  return runPipeline(resolveConfig('validate', { now: NOW, progress: false, ...options }), deps);
}

/** Validates text/bytes fed through stdin in chunks of `size` bytes. */
export function validateText(text: string | Buffer, size: number, options: RunOptions = {}): Promise<Report> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return validate({ input: '-', ...options }, { stdin: Readable.from(chunksOf(buf, size)) });
}

/** The counts of a report, without what legitimately differs between runs (timing, input name). */
export function countsOf(r: Report): Record<string, unknown> {
  const { read, invalid, skipped, duplicates, valid, conflicts, reasons, imported, alreadyPresent, rejected, unsent, plan, status, exitCode } = r;
  return { read, invalid, skipped, duplicates, valid, conflicts, reasons, imported, alreadyPresent, rejected, unsent, plan, status, exitCode };
}

export function readNdjson(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
