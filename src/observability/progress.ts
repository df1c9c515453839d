// What a long run shows while it works. On a terminal: one line (records/s, MB/s, %, delivered,
// ETA) redrawn on its own timer, so it keeps moving while the run waits on the quota or a slow
// server, cut to the terminal's width, and cleared before any log line is written. With
// --progress on something that is not a terminal: a plain line every few seconds. Otherwise: an
// info log line every half minute, for batch jobs whose only view is the log.

import type { Logger } from 'pino';
import { formatDuration, formatInt } from '../accounting/report.js';
import { statusLine } from './status-line.js';

export interface ProgressSample {
  records: number;
  /** Bytes taken from the source (compressed bytes for gzip): against its size, the share read. */
  sourceBytes: number;
  /** Bytes read after decompression, and how far into them records have been judged. */
  bytesRead: number;
  bytesJudged: number;
  /** Import: valid records so far, and those with a final outcome. */
  valid?: number;
  delivered?: number;
  /**
   * Import: requests the target throttled (429) so far. Under a quota that is the steady state,
   * so it is counted on the line rather than logged one by one.
   */
  throttled?: number;
}

/** Import under a quota: the ETA is bounded below by the requests still to send. */
export interface QuotaInfo {
  batchSize: number;
  rpm: number;
  windowMs: number;
}

export type ProgressMode = 'terminal' | 'lines' | 'log';

export interface Progress {
  /** Clears the line (before a summary is printed) and stops the timer. */
  done(): void;
}

/** What is known of the input's size: a file's bytes, and for gzip the size its trailer gives (modulo 2^32). */
export interface InputSize {
  bytes: number;
  gzipTrailer?: number;
}

export interface ProgressOptions {
  mode: ProgressMode;
  stream: NodeJS.WritableStream & { columns?: number };
  label: string;
  /** The input's size when known (a file), for % and the ETA; undefined for a stream. */
  totalBytes: number | InputSize | undefined;
  quota?: QuotaInfo | undefined;
  sample: () => ProgressSample;
  logger?: Logger | undefined;
  now?: () => number;
  /** Overrides the mode's redraw interval (tests). */
  intervalMs?: number;
}

const INTERVAL_MS: Record<ProgressMode, number> = { terminal: 250, lines: 5_000, log: 30_000 };
/** Rates over the last stretch, not since the start: a run that slows down shows it. */
const RATE_SPAN_MS = 10_000;
/** Before this, rates and ETAs are noise (worker start-up, the first window of the quota). */
const SETTLE_MS = 2_000;

export function createProgress(options: ProgressOptions): Progress {
  const { mode, stream, label, totalBytes, quota, sample, logger } = options;
  const now = options.now ?? Date.now;
  // The figures at the start are the baseline of every rate: a resumed run counts its own work.
  const estimator = createEstimator(now(), totalBytes, quota, sample());
  let drawn = false;
  const clear = (): void => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  const tick = (): void => {
    const view = estimator.view(sample(), now());
    if (mode === 'log') {
      logger?.info(view.fields, 'progress');
      return;
    }
    const line = formatProgressLine(label, view);
    if (mode === 'lines') {
      stream.write(line + '\n');
      return;
    }
    // Wider than the terminal, the line would wrap and every redraw would leave a row behind.
    const width = stream.columns ?? 0;
    stream.write('\r' + (width > 1 && line.length >= width ? line.slice(0, width - 1) : line) + '\x1b[K');
    drawn = true;
  };
  const timer = setInterval(tick, options.intervalMs ?? INTERVAL_MS[mode]);
  timer.unref(); // never what keeps the process alive
  if (mode === 'terminal') statusLine.set(clear);
  return {
    done(): void {
      clearInterval(timer);
      if (mode === 'terminal') {
        clear();
        statusLine.set(undefined);
      }
    },
  };
}

/** What one tick shows: the figures for a line, and the same as log fields. */
export interface ProgressView {
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  mbRead: number;
  delivered: number | undefined;
  deliveredPerSecond: number | undefined;
  throttled: number | undefined;
  percent: number | undefined;
  etaMs: number | undefined;
  fields: Record<string, number>;
}

/**
 * The input's size after decompression: a plain file's own size; for gzip, the trailer's size
 * (modulo 2^32), wrapped as many times as the compression ratio seen so far says.
 */
export function decompressedTotal(size: number | InputSize | undefined, s: ProgressSample): number | undefined {
  if (size === undefined) return undefined;
  if (typeof size === 'number') return size > 0 ? size : undefined;
  if (size.gzipTrailer === undefined) return size.bytes > 0 ? size.bytes : undefined;
  let total = size.gzipTrailer;
  if (s.sourceBytes > 0 && s.bytesRead > 0) {
    const guess = size.bytes * (s.bytesRead / s.sourceBytes);
    total += Math.max(0, Math.round((guess - total) / 2 ** 32)) * 2 ** 32;
  }
  return Math.max(total, s.bytesRead, 1);
}

/**
 * The share of the input whose records were judged, in decompressed bytes: never bytes read ahead
 * of the records counted, and never compressed bytes (which run ahead of what was decompressed).
 */
function judgedShare(size: number | InputSize | undefined, s: ProgressSample): number | undefined {
  const total = decompressedTotal(size, s);
  return total === undefined || s.bytesRead === 0 ? undefined : Math.min(1, s.bytesJudged / total);
}

/** Rates over a sliding span and an ETA from whichever bound is slowest: reading, the quota, the target. */
export function createEstimator(startedAt: number, totalBytes: number | InputSize | undefined, quota: QuotaInfo | undefined, baseline?: ProgressSample) {
  const history: Array<{ t: number; s: ProgressSample }> = [];
  const start = { t: startedAt, s: baseline ?? { records: 0, sourceBytes: 0, bytesRead: 0, bytesJudged: 0, delivered: 0 } };
  return {
    view(s: ProgressSample, t: number): ProgressView {
      history.push({ t, s });
      while (history.length > 2 && t - history[1]!.t >= RATE_SPAN_MS) history.shift();
      const elapsed = t - startedAt;
      // Over the span kept (after the first tick), else since the start (the run's own work).
      const since = history.length > 1 ? history[0]! : start;
      const seconds = Math.max((t - since.t) / 1000, 1e-3);
      const recordsPerSecond = Math.max(0, s.records - since.s.records) / seconds;
      const mbPerSecond = Math.max(0, s.bytesRead - since.s.bytesRead) / 1e6 / seconds;
      const deliveredPerSecond = s.delivered === undefined ? undefined : Math.max(0, s.delivered - (since.s.delivered ?? s.delivered)) / seconds;
      const share = judgedShare(totalBytes, s);
      let etaMs: number | undefined;
      if (elapsed >= SETTLE_MS && share !== undefined && share > 0.001) {
        // What is left at the recent pace of judging (a resumed run re-reads its prefix fast first).
        const earlier = judgedShare(totalBytes, since.s) ?? 0;
        const perMs = (share - earlier) / Math.max(t - since.t, 1);
        etaMs = perMs > 0 ? (1 - share) / perMs : (elapsed / share) * (1 - share);
        if (s.valid !== undefined && s.delivered !== undefined) {
          const left = Math.max(s.valid / share - s.delivered, 0);
          if (quota && quota.rpm > 0) etaMs = Math.max(etaMs, (Math.ceil(left / quota.batchSize) / quota.rpm) * quota.windowMs);
          if (deliveredPerSecond !== undefined && deliveredPerSecond > 0 && history.length > 1) etaMs = Math.max(etaMs, (left / deliveredPerSecond) * 1000);
        }
      }
      const percent = share === undefined ? undefined : share * 100;
      const fields: Record<string, number> = { records: s.records, recordsPerSecond: Math.round(recordsPerSecond), mbRead: round1(s.bytesRead / 1e6) };
      if (s.delivered !== undefined) fields['delivered'] = s.delivered;
      if (s.throttled !== undefined) fields['throttled'] = s.throttled;
      if (percent !== undefined) fields['percent'] = round1(percent);
      if (etaMs !== undefined) fields['etaMs'] = Math.round(etaMs);
      return { records: s.records, recordsPerSecond, mbPerSecond, mbRead: s.bytesRead / 1e6, delivered: s.delivered, deliveredPerSecond, throttled: s.throttled, percent, etaMs, fields };
    },
  };
}

export function formatProgressLine(label: string, v: ProgressView): string {
  const parts = [label, `${formatInt(v.records)} records`, `${formatInt(v.recordsPerSecond)}/s`, `${v.mbPerSecond.toFixed(1)} MB/s`];
  if (v.delivered !== undefined) parts.push(`${formatInt(v.delivered)} delivered (${formatInt(v.deliveredPerSecond ?? 0)}/s)`);
  // Shown once there is something to show: a run that was never throttled need not say so.
  if (v.throttled !== undefined && v.throttled > 0) parts.push(`throttled ${formatInt(v.throttled)}`);
  // Without a size (stdin) there is no share and no ETA: how much was read says how far it got.
  parts.push(v.percent !== undefined ? `${v.percent.toFixed(1)}%` : `${v.mbRead.toFixed(1)} MB read`);
  if (v.etaMs !== undefined) parts.push(`ETA ${formatDuration(v.etaMs)}`);
  return parts.join('  ');
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
