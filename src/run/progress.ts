// A one-line progress display on a terminal (records/s, MB/s, %, ETA), redrawn a few times a
// second on stderr; silent when stderr is not a TTY, where logs and the report speak instead.

import { formatDuration, formatInt } from './report.js';

export interface ProgressSample {
  records: number;
  /** Bytes consumed from the source (compressed bytes for gzip), for MB/s and %. */
  bytes: number;
  /** Import: records with a final outcome. */
  delivered?: number;
  /** Import: an ETA derived from the quota, when known. */
  etaMs?: number;
}

export interface Progress {
  update(sample: ProgressSample): void;
  /** Clears the line (before a summary is printed). */
  done(): void;
}

const REDRAW_MS = 250;

export function createProgress(options: { stream: NodeJS.WriteStream; enabled: boolean; label: string; totalBytes: number | undefined; now?: () => number }): Progress {
  const { stream, enabled, label, totalBytes } = options;
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
      stream.write('\r' + formatProgressLine(label, sample, t - started, totalBytes) + '\x1b[K');
      drawn = true;
    },
    done(): void {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

export function formatProgressLine(label: string, s: ProgressSample, elapsedMs: number, totalBytes: number | undefined): string {
  const secs = Math.max(elapsedMs / 1000, 1e-3);
  const parts = [`${label}`, `${formatInt(s.records)} records`, `${formatInt(s.records / secs)}/s`, `${(s.bytes / 1e6 / secs).toFixed(1)} MB/s`];
  if (s.delivered !== undefined) parts.push(`${formatInt(s.delivered)} delivered`);
  if (totalBytes && totalBytes > 0) {
    const share = Math.min(s.bytes / totalBytes, 1);
    parts.push(`${(share * 100).toFixed(1)}%`);
    if (s.etaMs === undefined && share > 0.001) parts.push(`ETA ${formatDuration((elapsedMs / share) * (1 - share))}`);
  }
  if (s.etaMs !== undefined) parts.push(`ETA ${formatDuration(s.etaMs)}`);
  return parts.join('  ');
}
