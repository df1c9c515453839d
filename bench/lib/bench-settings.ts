// The benchmark runner's settings: parsed from the command line once, stored in every results
// file and in bench/baseline.json, and turned back into arguments so `bench:check` can re-run
// exactly the configuration its baseline was measured with.

import { EXPORT_FORMATS, parseByteSize, type ExportFormat } from '../generate.js';

export interface BenchSettings {
  /** Suites run, in order. */
  suites: string[];
  /** Main input size for the throughput suites (parse also runs at a tenth of it). */
  size: string;
  /** The large input of the flat-RSS check (compared with `size`). */
  large: string;
  /** Distinct keys for the dedupe suite, e.g. "1M,10M,30M". */
  keys: string;
  /** Repetitions per throughput measurement; medians are reported. */
  reps: number;
  /** Source formats for the parse and validate suites. */
  formats: ExportFormat[];
  /** `--workers` values for the validate suite (0 = on the main thread). */
  workers: number[];
  /** Length of the quota-bound import run in seconds (20 requests per second). */
  quotaSeconds: number;
}

export const DEFAULT_SETTINGS: Omit<BenchSettings, 'suites'> = {
  size: '100MB',
  large: '2GB',
  keys: '1M,10M,30M',
  reps: 3,
  formats: [...EXPORT_FORMATS],
  workers: [0, 1, 2],
  quotaSeconds: 20,
};

export const SETTINGS_HELP = `Settings (stored in the results file and in bench/baseline.json):
  --size 100MB         main input per format (parse also runs at a tenth of it)
  --large 2GB          large input of the flat-RSS check, compared with --size
  --keys 1M,10M,30M    distinct keys for the dedupe suite
  --reps 3             repetitions per throughput measurement (medians reported)
  --formats LIST       ${EXPORT_FORMATS.join(',')} (default: all)
  --workers LIST       --workers values for the validate suite (default 0,1,2)
  --quota-seconds 20   length of the quota-bound import run`;

export const SETTINGS_OPTIONS = {
  size: { type: 'string' },
  large: { type: 'string' },
  keys: { type: 'string' },
  reps: { type: 'string' },
  formats: { type: 'string' },
  workers: { type: 'string' },
  'quota-seconds': { type: 'string' },
} as const;

type RawSettings = Partial<Record<keyof typeof SETTINGS_OPTIONS, string | undefined>>;

/** Validates raw option values; `suites` are the positional suite names (already checked). */
export function resolveSettings(raw: RawSettings, suites: string[]): BenchSettings {
  const d = DEFAULT_SETTINGS;
  const s: BenchSettings = {
    suites,
    size: raw.size ?? d.size,
    large: raw.large ?? d.large,
    keys: raw.keys ?? d.keys,
    reps: raw.reps === undefined ? d.reps : Number(raw.reps),
    formats: raw.formats === undefined ? d.formats : (raw.formats.split(',') as ExportFormat[]),
    workers: raw.workers === undefined ? d.workers : raw.workers.split(',').map(Number),
    quotaSeconds: raw['quota-seconds'] === undefined ? d.quotaSeconds : Number(raw['quota-seconds']),
  };
  bytesOf(s.size, '--size');
  bytesOf(s.large, '--large');
  keyCounts(s);
  if (!(Number.isInteger(s.reps) && s.reps >= 1)) throw new Error(`--reps expects a whole number ≥ 1, got ${JSON.stringify(raw.reps)}`);
  for (const f of s.formats) if (!EXPORT_FORMATS.includes(f)) throw new Error(`--formats expects names from ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(f)}`);
  for (const w of s.workers) if (!(Number.isInteger(w) && w >= 0 && w <= 64)) throw new Error(`--workers expects whole numbers 0..64, got ${JSON.stringify(raw.workers)}`);
  if (!(s.quotaSeconds >= 2)) throw new Error(`--quota-seconds expects a number ≥ 2, got ${JSON.stringify(raw['quota-seconds'])}`);
  return s;
}

export function bytesOf(size: string, flag = '--size'): number {
  const n = parseByteSize(size);
  if (n === undefined || n <= 0) throw new Error(`${flag} expects a size like 100MB or 2GB, got ${JSON.stringify(size)}`);
  return n;
}

/** "1M,10M,30M" → [1e6, 1e7, 3e7]; plain numbers and k suffixes too. */
export function keyCounts(s: Pick<BenchSettings, 'keys'>): number[] {
  return s.keys.split(',').map((part) => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(part.trim());
    if (!m) throw new Error(`--keys expects counts like 1M,10M,30M or 50k, got ${JSON.stringify(s.keys)}`);
    const scale = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
    return Math.round(Number(m[1]) * scale);
  });
}

/** The command-line arguments that reproduce these settings (for `bench:check` re-runs). */
export function settingsToArgs(s: BenchSettings): string[] {
  return [
    ...s.suites,
    '--size', s.size,
    '--large', s.large,
    '--keys', s.keys,
    '--reps', String(s.reps),
    '--formats', s.formats.join(','),
    '--workers', s.workers.join(','),
    '--quota-seconds', String(s.quotaSeconds),
  ];
}
