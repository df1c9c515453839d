// Rocket.Chat import API: paths, documented limits (with where the numbers come from), and defaults.

export const ROCKETCHAT_PATHS = {
  startImport: '/api/v1/startImport',
  getImportFileData: '/api/v1/getImportFileData',
  getImportProgress: '/api/v1/getImportProgress',
} as const;

export type RocketChatEndpoint = keyof typeof ROCKETCHAT_PATHS;

export const ROCKETCHAT_LIMITS = {
  /**
   * Rocket.Chat's REST rate limiter admits 10 calls per endpoint per client per minute by default
   * (Administration → Rate Limiter; SPEC §3.2). Servers may raise it: `--rpm` overrides it. The
   * limit is per endpoint, so each endpoint gets a budget of its own.
   */
  callsPerMinutePerEndpoint: 10,
  rateWindowMs: 60_000,
} as const;

export const ROCKETCHAT_DEFAULTS = {
  /** 6 polls a minute: within the 10/min endpoint budget with room for a retry. */
  pollIntervalMs: 10_000,
  /** Big imports run for hours; a day bounds a run whose server never finishes. */
  importTimeoutMs: 24 * 3600 * 1000,
} as const;

/** Final steps of getImportProgress (Rocket.Chat's ProgressStep values). */
export const STEP_DONE = 'importer_done';
export const STEP_FAILED = 'importer_import_failed';
/** An import stopped from Administration → Import also ends the run (as a failure). */
export const STEP_CANCELLED = 'importer_import_cancelled';

/**
 * Steps of an import that startImport has started, final ones included; before it the operation
 * is still being prepared or waits at importer_user_selection.
 */
/** Steps after which nothing more happens to the operation. */
export function isFinalStep(step: string): boolean {
  return step === STEP_DONE || step === STEP_FAILED || step === STEP_CANCELLED;
}

export function isStartedStep(step: string): boolean {
  return step.startsWith('importer_importing_') || step === 'importer_finishing' || isFinalStep(step);
}
