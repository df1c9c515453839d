// Question: does piping 20 million unique generated members through `validate` (stdin, the real
// CLI) finish with the right counts and under 3 GB peak RSS? The dedupe index is the only
// structure that grows with input; everything else must stay flat.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { BenchSuite } from '../lib/types.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const GENERATOR = fileURLToPath(new URL('../generate.js', import.meta.url));
export const RSS_LIMIT_MB = 3072;

export function validateManyMembers(count: number): BenchSuite {
  return {
    name: `validate-${count / 1e6}m`,
    question: `does validate handle ${count / 1e6}M unique members from stdin with the right counts under ${RSS_LIMIT_MB} MB peak RSS?`,
    async run(ctx) {
      const report = join(tmpdir(), `chatmigrate-bench-${process.pid}-report.json`);
      const started = performance.now();
      // /usr/bin/time -f %M gives the peak RSS of the validate process itself (in KiB).
      const shell = `node ${JSON.stringify(GENERATOR)} --format ndjson --count ${count} --seed 20 | /usr/bin/time -f 'maxrss_kb=%M' node ${JSON.stringify(CLI)} validate - --report ${JSON.stringify(report)} --log-level warn --no-progress --now 1767225600`;
      const stderr = await new Promise<string>((resolve, reject) => {
        const child = spawn('bash', ['-o', 'pipefail', '-c', shell], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`validate of ${count} members exited ${code}: ${err.slice(-800)}`))));
      });
      const seconds = (performance.now() - started) / 1000;
      const rssMB = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1] ?? 'NaN') / 1024;
      const r = JSON.parse(readFileSync(report, 'utf8')) as { read: number; valid: number };
      const countsOk = r.read === count && r.valid === count;
      ctx.log(`validate ${count} members from stdin: ${seconds.toFixed(0)} s, ${(count / seconds / 1000).toFixed(0)}k records/s, peak RSS ${rssMB.toFixed(0)} MB, counts ${countsOk ? 'right' : 'WRONG'}`);
      return [
        { id: `validate-stdin/${count / 1e6}m`, bench: 'validate-stdin', case: `${count / 1e6}M members`, value: rssMB, unit: 'MB peak RSS', target: RSS_LIMIT_MB, pass: rssMB <= RSS_LIMIT_MB && countsOk, notes: `read ${r.read}, valid ${r.valid}, ${seconds.toFixed(0)} s` },
      ];
    },
  };
}
