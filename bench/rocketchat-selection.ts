// Bench (not a timed test): does `import --to rocketchat -` keep memory flat as the selection
// grows? Generates a getImportFileData-shaped selection of N users (plus channels) from a seed,
// pipes it through stdin into the real CLI against a sandbox in its own process, and reports the
// CLI's peak RSS (GNU time's %M) at 100k users and at N. The user_id dedupe index is the one part
// allowed to grow (SPEC §5: compact, ~30 B/user); the report gives its size, and flatness is
// judged on peak RSS minus it. Control: the naive approach (read the
// whole document, JSON.parse it) on the same data, which must grow, proving the probe can tell.
//
//   node dist/bench/rocketchat-selection.js --users 1000000 [--small 100000] [--no-control]

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { CLI, startSandboxProcess } from './lib/sandbox-process.js';

const USER_ID = 'bench-admin';
const TOKEN = 'bench-token-0b5e';
/** Flat: the large run may use at most this much more than the small one (GC slack). */
const FLAT_MARGIN_MB = 40;

interface Expected {
  users: number;
  selectedUsers: number;
}

/** Every 50th user is a bot, every 97th repeats the previous id: rules and dedupe run at scale. */
function* selection(users: number, channels: number, exp: Expected): Generator<Buffer> {
  let chunk = '{"users":[';
  let selected = 0;
  for (let i = 0; i < users; i++) {
    const dup = i % 97 === 96;
    const n = dup ? i - 1 : i;
    const bot = n % 50 === 49;
    if (!dup && !bot) selected++;
    chunk += `${i > 0 ? ',' : ''}{"user_id":"u${n}","username":"user${n}","email":"user${n}@example.com","is_deleted":false,"is_bot":${bot},"do_import":true,"is_email_taken":false}`;
    if (chunk.length >= 65536) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  chunk += '],"channels":[';
  for (let i = 0; i < channels; i++) chunk += `${i > 0 ? ',' : ''}{"channel_id":"c${i}","name":"room-${i}","is_archived":false,"do_import":true,"is_private":false,"is_direct":false}`;
  yield Buffer.from(chunk + '],"message_count":0,"success":true}');
  exp.users = users;
  exp.selectedUsers = selected;
}

/** Runs argv under GNU time, feeding `input` to stdin; returns peak RSS in MB and the exit code. */
function measured(argv: string[], input: Iterable<Buffer>): Promise<{ code: number | null; rssMB: number; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, ...argv], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, ROCKETCHAT_USER_ID: USER_ID, ROCKETCHAT_AUTH_TOKEN: TOKEN } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  Readable.from(input).pipe(child.stdin).on('error', () => undefined);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const kb = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1] ?? 'NaN');
      resolve({ code, rssMB: kb / 1024, stderr, ms: Date.now() - started });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '1000000' }, small: { type: 'string', default: '100000' }, 'no-control': { type: 'boolean' } } });
  const sizes = [Number(values.small), Number(values.users)];
  const dir = mkdtempSync(join(tmpdir(), 'chatmigrate-rc-bench-'));
  const sandbox = await startSandboxProcess(['--user-id', USER_ID, '--auth-token', TOKEN, '--rc-rate-limit', '0', '--rc-progress-polls', '1']);
  const rows: Array<{ users: number; rssMB: number; indexMB: number; seconds: number; ok: boolean }> = [];
  try {
    for (const users of sizes) {
      await sandbox.reset();
      const exp: Expected = { users: 0, selectedUsers: 0 };
      const report = join(dir, `report-${users}.json`);
      const r = await measured(['--single-threaded-gc', CLI, 'import', '--to', 'rocketchat', '-', '--base-url', sandbox.url, '--skip-bots', '--poll-interval-ms', '50', '--report', report, '--log-level', 'warn', '--no-progress'], selection(users, 1000, exp));
      const rep = JSON.parse(readFileSync(report, 'utf8')) as { status: string; selection: { users: { read: number; selected: number }; dedupeIndexBytes: number } };
      const indexMB = rep.selection.dedupeIndexBytes / (1024 * 1024);
      const ok = r.code === 0 && rep.status === 'ok' && rep.selection.users.read === exp.users && rep.selection.users.selected === exp.selectedUsers;
      rows.push({ users, rssMB: r.rssMB, indexMB, seconds: r.ms / 1000, ok });
      process.stdout.write(`import --to rocketchat, ${users.toLocaleString('en-US')} users via stdin: peak RSS ${r.rssMB.toFixed(0)} MB (dedupe index ${indexMB.toFixed(1)} MB), ${(r.ms / 1000).toFixed(1)} s, counts ${ok ? 'right' : `WRONG (exit ${r.code}) ${r.stderr.slice(-400)}`}\n`);
    }
    if (values['no-control'] !== true) {
      // Control: whole-document JSON.parse of the large selection grows with it.
      const exp: Expected = { users: 0, selectedUsers: 0 };
      const naive = "let t='';process.stdin.setEncoding('utf8').on('data',d=>t+=d).on('end',()=>{const v=JSON.parse(t);process.stdout.write(String(v.users.length))})";
      const c = await measured(['-e', naive], selection(sizes[1] as number, 1000, exp));
      process.stdout.write(`control (read all + JSON.parse), ${(sizes[1] as number).toLocaleString('en-US')} users: peak RSS ${c.rssMB.toFixed(0)} MB\n`);
    }
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const [small, large] = rows as [(typeof rows)[0], (typeof rows)[0]];
  const rest = (row: typeof small): number => row.rssMB - row.indexMB;
  const flat = rest(large) <= rest(small) + FLAT_MARGIN_MB;
  process.stdout.write(
    `flat memory apart from the dedupe index: ${flat ? 'yes' : 'NO'} (${rest(small).toFixed(0)} MB at ${small.users.toLocaleString('en-US')} → ${rest(large).toFixed(0)} MB at ${large.users.toLocaleString('en-US')}; allowed +${FLAT_MARGIN_MB} MB)\n`,
  );
  process.exitCode = flat && small.ok && large.ok ? 0 : 1;
}

await main();
