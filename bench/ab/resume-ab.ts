// A/B question: is a resumed run of this build as fast as the ref's? Each build makes its own
// checkpoint by validating the first 90% of a 1 GB NDJSON input (checkpoint formats may differ
// between builds), then resumes on the whole input; the resumed run's MB/s over the whole file
// is compared (its report must count every record). Default workers, alternating, best rep.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeInput, throughputInput } from '../lib/throughput-data.js';
import { prefixOf, RESUME_INPUT_BYTES } from '../suites/resume-speed.js';
import { checkReportCounts, DISTURBED, disturbed, netOf, runBuild, type AbSuite } from './ab-context.js';

const RESUME_TOLERANCE = 0.15;
const ID = 'resume/ndjson/resumed-run';

export const resumeAb: AbSuite = {
  name: 'resume',
  question: 'a run resumed at 90% of its input: MB/s over the whole input, this build vs the ref',
  async cases(ctx) {
    const input = await throughputInput('ndjson', RESUME_INPUT_BYTES);
    const prefix = await prefixOf(input.path, input.expected.read);
    const reps = Math.min(ctx.settings.reps, 2);
    ctx.setup(`data: ${describeInput('ndjson', input)}; each build checkpoints its own validate of the first 90% of records, then resumes on the whole file; default workers, ${reps} rep(s) per build, alternating; best rep`);
    return [
      {
        label: 'resume at 90%',
        reps,
        metrics: [{ id: ID, suite: 'resume', unit: 'MB/s (whole input, 90% settled)', better: 'higher', tolerance: RESUME_TOLERANCE, estimate: 'best', clock: true }],
        async measure(build) {
          const dir = mkdtempSync(join(tmpdir(), 'chatmigrate-ab-resume-'));
          try {
            const checkpoint = join(dir, 'checkpoint.json');
            await runBuild(build, 'validate', [prefix, '--checkpoint', checkpoint]);
            const r = await runBuild(build, 'validate', [input.path, '--checkpoint', checkpoint, '--resume']);
            checkReportCounts(build, r.report, input.expected);
            return { [ID]: input.bytes / 1e6 / (netOf(ctx, r).ms / 1000), [DISTURBED]: disturbed(r) };
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      },
    ];
  },
};
