// The library entry point: the same pipeline the CLI runs, for embedding in other programs.

export { resolveConfig, type RunConfig, type RunOptions } from './config.js';
export { runPipeline, type PipelineDeps } from './pipeline.js';
export type { Report, RunStatus, Plan } from './accounting/report.js';
export { ChatmigrateError, ERROR_CODES, EXIT, type ErrorCode } from './errors.js';
export { REASONS, type ReasonCode } from './entities/reasons.js';
export { validateRecord } from './entities/validate.js';
export { KINDS, KIND_NAMES, type KindName } from './entities/kinds.js';
export type { Kind, Validated, ValidateContext, Values } from './entities/kind.js';
export { validateMember, type MemberResult } from './entities/members/index.js';
export { createDedupeIndex, type DedupeIndex } from './transforms/dedupe/dedupe-index.js';
export { createRecordReader, type RecordReader } from './sources/record-reader.js';
export type { SourceFormat, FormatChoice } from './sources/formats.js';
export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox/index.js';
export { resolveRocketChatConfig, type RocketChatImportConfig } from './rocketchat-import/config.js';
export { runRocketChatImport, type RocketChatImportDeps } from './rocketchat-import/import-flow.js';
export type { RocketChatReport } from './rocketchat-import/report.js';

import { Readable } from 'node:stream';
import { resolveConfig, type RunOptions } from './config.js';
import { runPipeline, type PipelineDeps } from './pipeline.js';
import type { Report } from './accounting/report.js';

/** Validates an export given as a path or a readable stream; resolves with the report. */
export function validateExport(input: string | Readable, options: Omit<RunOptions, 'input'> = {}, deps: PipelineDeps = {}): Promise<Report> {
  return run('validate', input, options, deps);
}

/** Imports an export given as a path or a readable stream; resolves with the report. */
export function importExport(input: string | Readable, options: Omit<RunOptions, 'input'> = {}, deps: PipelineDeps = {}): Promise<Report> {
  return run('import', input, options, deps);
}

function run(command: 'validate' | 'import', input: string | Readable, options: Omit<RunOptions, 'input'>, deps: PipelineDeps): Promise<Report> {
  const fromStream = typeof input !== 'string';
  const config = resolveConfig(command, { progress: false, ...options, input: fromStream ? '-' : input });
  return runPipeline(config, fromStream ? { ...deps, stdin: input } : deps);
}
