// Probe: one `import` run through the real pipeline into a sandbox; prints wall and CPU time, peak RSS, the
// report's counts and client-side request latencies (p50/p99, from undici's diagnostics
// channels: request created → response complete) and sockets opened, as one JSON line.
// Args: INPUT BASE_URL API_KEY [--flag value ...].

import { subscribe } from 'node:diagnostics_channel';
import { resolveConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import { timed } from '../lib/timed-run.js';
import { BENCH_NOW } from '../generate-messages.js';

const [input, baseUrl, apiKey, ...rest] = process.argv.slice(2);
const options: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i]!.replace(/^--/, '').replace(/-(.)/g, (_, c: string) => c.toUpperCase())] = rest[i + 1]!;

// Timing outside src/: the pool dispatches a request only when the in-flight cap admits it, so
// created → complete is the request's time on the wire and in the server, not queueing.
const startedAt = new WeakMap<object, number>();
const latencies: number[] = [];
let sockets = 0;
subscribe('undici:request:create', (m) => startedAt.set((m as { request: object }).request, performance.now()));
subscribe('undici:request:trailers', (m) => {
  const t = startedAt.get((m as { request: object }).request);
  if (t !== undefined) latencies.push(performance.now() - t);
});
subscribe('undici:client:connected', () => sockets++);

const config = resolveConfig('import', { input, baseUrl, apiKey, progress: false, now: BENCH_NOW, ...options });
const { result: report, ms, cpuMs, systemMs } = await timed(() => runPipeline(config));
const sorted = Float64Array.from(latencies).sort();
const pct = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
process.stdout.write(JSON.stringify({ ms, cpuMs, systemMs, maxRssMB: process.resourceUsage().maxRSS / 1024, latency: { n: sorted.length, p50Ms: pct(0.5), p99Ms: pct(0.99) }, socketsOpened: sockets, ...report }) + '\n');
