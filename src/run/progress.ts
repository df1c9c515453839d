// A one-line progress display on a terminal (records/s, MB/s, %, ETA), redrawn a few times a
// second on stderr; silent when stderr is not a TTY, where logs and the report speak instead.

import { formatDuration, formatInt } from './report.js';

export interface ProgressSample {
  records: number;
  /** Bytes consumed from the source (compressed bytes for gzip), for MB/s and %. */
  bytes: number;
  /** Import: valid records so far, and those with a final outcome. */
  valid?: number;
  delivered?: number;
}

/** Import under a quota: the ETA is bounded below by the requests still to send. */
export interface QuotaInfo {
  batchSize: number;
  rpm: number;
  windowMs: number;
}

export interface Progress {
  update(sample: ProgressSample): void;
  /** Clears the line (before a summary is printed). */
  done(): void;
}

const REDRAW_MS = 250;

export function createProgress(options: { stream: NodeJS.WriteStream; enabled: boolean; label: string; totalBytes: number | undefined; quota?: QuotaInfo; now?: () => number }): Progress {
  const { stream, enabled, label, totalBytes, quota } = options;
  const now = options.now ?? Date.now;
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  if (!enabled) return { update() {}, done() {} };
  return {
    update(sample: ProgressSample): void {
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      stream.write('\r' + formatProgressLine(label, sample, t - started, totalBytes, quota) + '\x1b[K');
      drawn = true;
    },
    done(): void {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

export function formatProgressLine(label: string, s: ProgressSample, elapsedMs: number, totalBytes: number | undefined, quota?: QuotaInfo): string {
  const secs = Math.max(elapsedMs / 1000, 1e-3);
  const parts = [`${label}`, `${formatInt(s.records)} records`, `${formatInt(s.records / secs)}/s`, `${(s.bytes / 1e6 / secs).toFixed(1)} MB/s`];
  if (s.delivered !== undefined) parts.push(`${formatInt(s.delivered)} delivered (${formatInt(s.delivered / secs)}/s)`);
  const share = totalBytes && totalBytes > 0 ? Math.min(s.bytes / totalBytes, 1) : undefined;
  if (share !== undefined) parts.push(`${(share * 100).toFixed(1)}%`);
  let etaMs = share !== undefined && share > 0.001 ? (elapsedMs / share) * (1 - share) : undefined;
  if (quota && quota.rpm > 0 && s.valid !== undefined && s.delivered !== undefined) {
    // Valid records expected in all (extrapolated from the bytes read) still to be sent, at the quota's pace.
    const expectedValid = share !== undefined && share > 0.001 ? s.valid / share : s.valid;
    const requestsLeft = Math.ceil(Math.max(expectedValid - s.delivered, 0) / quota.batchSize);
    etaMs = Math.max(etaMs ?? 0, (requestsLeft / quota.rpm) * quota.windowMs);
  }
  if (etaMs !== undefined) parts.push(`ETA ${formatDuration(etaMs)}`);
  return parts.join('  ');
}
