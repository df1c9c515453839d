// Question: does `migrate --from rocketchat` keep its memory flat when the messages export grows
// from --size (100 MB) to 1 GB, and how fast is its messages phase when delivering into the
// local sandbox compared with the same phase in a dry run (validated, nothing sent)? A generated
// workspace (bench/generate-rocketchat.ts; the same users and rooms at both sizes, only the
// messages grow) is migrated whole, as an operator runs it: the CLI, default settings, no quota.
// The dedupe index of the messages phase (its muids) is the one structure allowed to grow; the
// flat check sets it aside as the rss suite does. Opt-in: the 1 GB run takes minutes.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRocketChatWorkspace, type GeneratedWorkspace } from '../generate-rocketchat.js';
import type { PhaseExpectation } from '../rocketchat-workspace.js';
import { DATA_DIR } from '../lib/bench-data.js';
import { bytesOf } from '../lib/bench-settings.js';
import { runCliTimed } from '../lib/cli-launch.js';
import { dedupeIndexBytes } from '../lib/index-bytes.js';
import { CLI, startSandboxProcess, type SandboxProcess } from '../lib/sandbox-process.js';
import type { BenchSuite } from '../lib/types.js';
import { RSS_RATIO_LIMIT } from './rss-flat.js';

const KEY = 'bench-key';
/** The issue's figure: a 1 GB messages export. */
const LARGE_BYTES = 1e9;
/** Messages average about 230 bytes in the generator's output. */
const BYTES_PER_MESSAGE = 230;
const USERS = 2000;
/** A fixed "now": the cached workspace's retention skips stay the same on any later day. */
const NOW = 1_796_000_000;
/** CometChat's documented quota: 60 requests a minute of 50 records. */
const QUOTA_RECORDS_PER_SECOND = (60 * 50) / 60;
/** The delivery must outpace the quota by this much, or the tool would be what users wait for. */
const QUOTA_MULTIPLE_TARGET = 10;
const PHASES = ['users', 'groups', 'members', 'messages'] as const;

interface PhaseReport {
  read: number;
  valid: number;
  imported?: number;
  alreadyPresent?: number;
  reasons: Record<string, number>;
  skippedBy?: Record<string, number>;
  durationMs: number;
  input: { bytes: number };
}

interface Run {
  rssMB: number;
  ms: number;
  messages: PhaseReport;
}

/** The cached workspace with this many messages (generated on first use). */
async function workspace(messages: number): Promise<{ dir: string; expected: GeneratedWorkspace['expected']; files: GeneratedWorkspace['files'] }> {
  const dir = join(DATA_DIR, `rocketchat-workspace-m${messages}-u${USERS}`);
  const meta = join(dir, 'expected.json');
  if (!existsSync(meta)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const gen = await generateRocketChatWorkspace({ dir, messages, users: USERS, now: NOW, collect: false });
    writeFileSync(meta, JSON.stringify({ expected: gen.expected, files: gen.files }));
  }
  return { dir, ...(JSON.parse(readFileSync(meta, 'utf8')) as { expected: GeneratedWorkspace['expected']; files: GeneratedWorkspace['files'] }) };
}

function sortedCounts(o: Record<string, number> | undefined): string {
  return JSON.stringify(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

/** One whole migration (or dry run) through the CLI; its phases checked against what the generator planted. */
async function migrate(ws: Awaited<ReturnType<typeof workspace>>, sandbox: SandboxProcess, dryRun: boolean): Promise<Run> {
  const stateDir = join(ws.dir, dryRun ? 'state-dry' : 'state');
  rmSync(stateDir, { recursive: true, force: true });
  await sandbox.reset();
  const f = ws.files;
  const args = ['migrate', '--from', 'rocketchat', '--users', f.users, '--rooms', f.rooms, '--subscriptions', f.subscriptions, '--messages', f.messages, '--state-dir', stateDir, '--base-url', sandbox.baseUrl, '--api-key', KEY, '--rpm', '0', '--now', String(NOW), '--log-level', 'warn', '--no-progress', ...(dryRun ? ['--dry-run'] : [])];
  const run = await runCliTimed(CLI, args, { timeoutMs: 30 * 60_000 });
  // Some records are invalid on purpose (id collisions, a room not found): exit code 3.
  if (run.code !== 3) throw new Error(`migrate${dryRun ? ' --dry-run' : ''} ended with ${String(run.code)}: ${run.stderr.slice(-800)}`);
  const report = JSON.parse(readFileSync(join(stateDir, dryRun ? 'dry-run' : '', 'report.json'), 'utf8')) as { phases: Record<string, PhaseReport> };
  for (const phase of PHASES) {
    const got = report.phases[phase]!;
    const want: PhaseExpectation = ws.expected[phase];
    const same = got.read === want.read && got.valid === want.valid && sortedCounts(got.skippedBy) === sortedCounts(want.skippedBy) && sortedCounts(got.reasons) === sortedCounts(want.invalidBy);
    if (!same) throw new Error(`migrate ${phase}: ${JSON.stringify({ read: got.read, valid: got.valid, skippedBy: got.skippedBy, reasons: got.reasons })}, the generator planted ${JSON.stringify(want)}`);
    if (!dryRun && (got.imported ?? 0) + (got.alreadyPresent ?? 0) !== got.valid) throw new Error(`migrate ${phase}: ${String(got.imported)} of ${got.valid} delivered`);
  }
  if (!dryRun) {
    const stats = (await sandbox.stats()) as { accepted: Record<string, number> };
    if (stats.accepted['messages'] !== ws.expected.messages.valid) throw new Error(`the sandbox holds ${stats.accepted['messages']} messages, expected ${ws.expected.messages.valid}`);
  }
  rmSync(stateDir, { recursive: true, force: true });
  return { rssMB: run.maxRssMB, ms: run.ms, messages: report.phases['messages']! };
}

const mbPerSecond = (r: PhaseReport): number => r.input.bytes / 1e6 / (r.durationMs / 1000);

export const migrateMessages: BenchSuite = {
  name: 'migrate',
  question: 'migrate --from rocketchat: peak RSS with a 1 GB vs a --size messages export, dedupe index set aside (flat: ≤ 1.25×); messages phase MB/s into the sandbox vs its dry run, and vs the quota (≥ 10×)',
  async run(ctx) {
    const sizes = [bytesOf(ctx.settings.size), LARGE_BYTES].map((b) => Math.round(b / BYTES_PER_MESSAGE));
    ctx.setup(`generated Rocket.Chat workspaces (${USERS} users, the same rooms; ${sizes.map((n) => `${n.toLocaleString('en-US')} messages`).join(' and ')}, ~${BYTES_PER_MESSAGE} bytes each); \`chatmigrate migrate\` as shipped (CLI, default settings, --rpm 0, unpinned) into \`chatmigrate sandbox --compact-records --retention-days 0\`; peak RSS from getrusage; each phase's counts checked against the generator's; one run each`);
    const sandbox = await startSandboxProcess(['--api-key', KEY, '--rpm', '0', '--compact-records', '--retention-days', '0'], undefined, CLI, true);
    const runs: Array<{ messages: number; real: Run; dry: Run; indexMB: number; bytes: number }> = [];
    try {
      for (const messages of sizes) {
        const ws = await workspace(messages);
        const dry = await migrate(ws, sandbox, true);
        const real = await migrate(ws, sandbox, false);
        const indexMB = dedupeIndexBytes(real.messages.valid) / 1048576;
        runs.push({ messages, real, dry, indexMB, bytes: real.messages.input.bytes });
        ctx.log(`${(real.messages.input.bytes / 1e6).toFixed(0)} MB of messages: migrate ${(real.ms / 1000).toFixed(1)} s, peak ${real.rssMB.toFixed(0)} MB (messages index ${indexMB.toFixed(0)} MB); messages phase ${mbPerSecond(real.messages).toFixed(1)} MB/s, dry run ${mbPerSecond(dry.messages).toFixed(1)} MB/s (peak ${dry.rssMB.toFixed(0)} MB)`);
      }
    } finally {
      await sandbox.stop();
    }
    const [small, large] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const exSmall = small.real.rssMB - small.indexMB;
    const exLarge = large.real.rssMB - large.indexMB;
    const flat = exLarge / exSmall;
    const label = (r: (typeof runs)[0]): string => `${(r.bytes / 1e6).toFixed(0)} MB`;
    const c = `messages ${label(large)} vs ${label(small)}`;
    const phase = large.real.messages;
    const perSecond = phase.valid / (phase.durationMs / 1000);
    const vsDry = mbPerSecond(phase) / mbPerSecond(large.dry.messages);
    return [
      { id: 'migrate/rss/large-vs-small', bench: 'migrate-rss-flat', case: `${c}, messages index excluded`, value: exLarge, unit: 'MB peak RSS', baseline: exSmall, ratio: flat, target: RSS_RATIO_LIMIT, pass: flat <= RSS_RATIO_LIMIT, notes: `raw peaks ${small.real.rssMB.toFixed(0)} → ${large.real.rssMB.toFixed(0)} MB; messages dedupe index ${small.indexMB.toFixed(0)} → ${large.indexMB.toFixed(0)} MB`, guard: { value: flat, better: 'lower', tolerance: 0.2 } },
      { id: 'migrate/rss/dry-run-large-vs-small', bench: 'migrate-rss-dry', case: `${c}, dry run, messages index excluded`, value: large.dry.rssMB - large.indexMB, unit: 'MB peak RSS', baseline: small.dry.rssMB - small.indexMB, ratio: (large.dry.rssMB - large.indexMB) / (small.dry.rssMB - small.indexMB), notes: 'not guarded: the dry run is the reference the real run is read against' },
      { id: 'migrate/messages/vs-dry-run', bench: 'migrate-messages', case: `messages ${label(large)}, into the sandbox, 1 connection (ordered)`, value: mbPerSecond(phase), unit: 'MB/s (messages phase)', baseline: mbPerSecond(large.dry.messages), ratio: vsDry, notes: 'the same phase validated without sending; messages go one request at a time to keep their order, so the sandbox answering each request bounds this: not guarded' },
      { id: 'migrate/messages/vs-quota', bench: 'migrate-vs-quota', case: `messages ${label(large)}, into the sandbox`, value: perSecond, unit: 'messages/s delivered', baseline: QUOTA_RECORDS_PER_SECOND, ratio: perSecond / QUOTA_RECORDS_PER_SECOND, target: QUOTA_MULTIPLE_TARGET, pass: perSecond / QUOTA_RECORDS_PER_SECOND >= QUOTA_MULTIPLE_TARGET, notes: 'baseline: CometChat\'s documented quota (60 requests a minute, 50 messages each)' },
    ];
  },
};
