// Probe: one `import` run through the real pipeline into a sandbox; prints time, peak RSS and
// the report's counts as one JSON line. Args: INPUT BASE_URL API_KEY [--flag value ...].

import { resolveConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';

const [input, baseUrl, apiKey, ...rest] = process.argv.slice(2);
const options: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i]!.replace(/^--/, '').replace(/-(.)/g, (_, c: string) => c.toUpperCase())] = rest[i + 1]!;
const config = resolveConfig('import', { input, baseUrl, apiKey, progress: false, now: 1_767_225_600, ...options });
const started = performance.now();
const report = await runPipeline(config);
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024, ...report }) + '\n');
