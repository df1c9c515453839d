// The smaller things an operator reads (issue 16.10): resume refusals with units and the real
// settled size, "did you mean" for the sandbox's flags, singular counts, a resumed run's summary
// saying so, every report field in docs/output.md, the --rejects help saying where unsent records
// are, and import/validate --help in groups that fit a terminal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifyHead } from '../src/accounting/resume.js';
import type { Checkpoint } from '../src/accounting/checkpoint-file.js';
import { commandHelp } from '../src/cli/help.js';
import { GROUPS, optionsFor } from '../src/cli/options.js';
import { formatStatsSummary } from '../src/cli/sandbox-command.js';
import { isChatmigrateError } from '../src/errors.js';
import { formatSummary } from '../src/observability/summary.js';
import { runCli } from './helpers/cli.js';
import { validate } from './helpers/run.js';
import { importInto, withSandbox, SANDBOX_KEY } from './helpers/sandbox.js';

const FIXTURE = 'fixtures/members.ndjson';

test('--resume with an empty or short input: the refusal gives bytes with their unit and what the checkpoint really settled', () => {
  const checkpoint = { input: { name: 'export.json', head: { bytes: 65_536, sha256: '0'.repeat(64) } }, watermark: { records: 1_234, byteEnd: 2_345_678, sha256: '0'.repeat(64) } } as unknown as Checkpoint;
  const refusal = (kept: number): string => {
    try {
      verifyHead({ path: 'job.ckpt', checkpoint, window: new Map(), nextJournal: 0, finished: false, continues: true }, '-', { kept, hashOf: () => 'x' });
    } catch (err) {
      assert.ok(isChatmigrateError(err) && err.code === 'CM_RESUME_MISMATCH');
      return err.message;
    }
    assert.fail('not refused');
  };
  assert.equal(
    refusal(0),
    'cannot resume: - is not the input the checkpoint was written for (it is empty (0 bytes), but that input was at least 65,536 bytes long and its first 1,234 records (2,345,678 bytes) were settled)',
  );
  assert.match(refusal(100), /\(it ends after 100 bytes, but that input was at least 65,536 bytes long/);
});

test('sandbox: a mistyped flag gets "did you mean" (exit 2)', async () => {
  const r = await runCli(['sandbox', '--prot', '8080']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /unknown option --prot for sandbox \(did you mean --port\?\) \[CM_USAGE\]/);
  assert.match(r.stderr, /hint: run `chatmigrate sandbox --help`/);
});

test('counts of one are singular: "1 request", not "1 requests"', async () => {
  await withSandbox({}, async (sandbox) => {
    const res = await fetch(`${sandbox.baseUrl}/data_import/members`, {
      method: 'POST',
      headers: { apikey: SANDBOX_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ members: { g_member_u: { guid: 'g', uid: 'u', groupDetails: { guid: 'g', name: 'G', type: 'public' }, userDetails: { uid: 'u', name: 'U' } } } }),
    });
    await res.text();
    const line = formatStatsSummary(sandbox.stats());
    assert.match(line, /^sandbox: 1 request \(200: 1\), 1 entity received \(max 1 per request\), accepted \d+ members?, \d+ users?, \d+ groups?, \d+ messages?; 0 duplicate deliveries; max 1 connection, 1 in flight, 1 request in one window; 0 resets/);
  });
});

test('the summary of a resumed run says it resumed, and that its counts cover every run', async () => {
  const report = await validate({ input: FIXTURE });
  assert.doesNotMatch(formatSummary(report), /resumed/);
  const resumed = formatSummary({ ...report, resumed: { fromRecord: 12_000, earlierRunsMs: 125_000 } });
  assert.match(resumed.split('\n')[1]!, /^ {2}resumed: after the 12,000 records settled by earlier runs \(2\.1 min\); the counts cover all the runs$/);
});

test('every field of the report (validate and import) is in docs/output.md', async () => {
  const doc = readFileSync('docs/output.md', 'utf8');
  const validated = await validate({ input: FIXTURE });
  const imported = await withSandbox({}, (sandbox) => importInto(sandbox, { input: FIXTURE }));
  // Present only after --resume, or when a run stopped.
  const conditional = ['resumed', 'fromRecord', 'earlierRunsMs', 'error', 'code', 'message', 'hint'];
  const keys = new Set([...Object.keys(validated), ...Object.keys(imported), ...Object.keys(imported.input), ...Object.keys(imported.plan), ...conditional]);
  const missing = [...keys].filter((k) => !doc.includes(`\`${k}\``));
  assert.deepEqual(missing, [], `report fields not in docs/output.md: ${missing.join(', ')}`);
});

test('--rejects help says which records it holds and where the ones left unsent are', () => {
  for (const command of ['import', 'validate'] as const) {
    const help = commandHelp(command).replace(/\s+/g, ' ');
    assert.match(help, /--rejects FILE write the records not delivered, with the reason: invalid ones, conflicting duplicates/);
    assert.match(help, /Records a stop left unsent are not in it: the report counts them as unsent, and --checkpoint with --resume sends them/);
    assert.doesNotMatch(help, /every record not delivered/);
  }
});

test('import/validate/migrate --help: options in groups (input, target, delivery, outputs, resume, Rocket.Chat, advanced), each once, lines that fit 100 columns', () => {
  assert.deepEqual(GROUPS, ['Input', 'Target', 'Delivery', 'Outputs', 'Resume', 'Rocket.Chat (--to rocketchat)', 'Rocket.Chat (--from rocketchat)', 'Advanced']);
  for (const command of ['import', 'validate', 'migrate'] as const) {
    const help = commandHelp(command);
    const headings = help.split('\n').filter((l) => /^[A-Z][\w. ()-]*:$/.test(l)).map((l) => l.slice(0, -1));
    const groups: string[] = GROUPS.filter((g) => (command === 'migrate' ? g !== 'Rocket.Chat (--to rocketchat)' : g !== 'Rocket.Chat (--from rocketchat)'));
    assert.deepEqual(headings, [...groups, 'Exit codes', 'Examples'], command);
    for (const spec of optionsFor(command)) {
      const rows = help.split('\n').filter((l) => l.startsWith(`  --${spec.flag} `) || l === `  --${spec.flag}`);
      assert.equal(rows.length, 1, `${command}: --${spec.flag} listed once`);
    }
    const long = help.split('\n').filter((l) => l.length > 100);
    assert.deepEqual(long, [], `${command}: lines over 100 columns`);
  }
  const imp = commandHelp('import');
  // The secrets' file forms are listed, with their environment variables, before the value forms.
  assert.ok(imp.indexOf('--api-key-file FILE') < imp.indexOf('--api-key KEY'));
  assert.match(imp.replace(/\s+/g, ' '), /--api-key KEY the key itself: visible to other users of this machine \(ps, \/proc\)/);
  assert.match(imp.replace(/\s+/g, ' '), /--auth-token TOKEN the token itself: visible to other users of this machine/);
  assert.match(imp, /\[env COMETCHAT_API_KEY_FILE\]/);
  assert.match(imp, /\[env ROCKETCHAT_AUTH_TOKEN_FILE\]/);
});
