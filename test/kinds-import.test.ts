// Users, groups and messages imported into the sandbox through 5xx, resets, spurious 429s and
// batches stored before a 500 (partial apply): the valid, deduplicated set arrives exactly once,
// every invalid record is in the rejects file with its reason, and for messages the retention
// skips and out-of-order records are counted, the order of arrival is the input's, and --ids
// holds the ids CometChat gave them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { kindExport, type TestKind } from './helpers/kind-records.js';
import { NOW, readNdjson, tempDir } from './helpers/run.js';
import { assertCountsAddUp, importInto, withSandbox } from './helpers/sandbox.js';
import { formatSummary } from '../src/observability/summary.js';

// A seed whose first 24 requests draw every fault at these rates.
const FAULTS = { seed: 8, errorRate: 0.05, resetRate: 0.02, spurious429Rate: 0.02, partialApplyRate: 0.04 };
// The sandbox's clock is the tests' "now": its 180-day retention is judged against the same day.
const SANDBOX = { faults: FAULTS, now: () => NOW * 1000 };

for (const kind of ['users', 'groups', 'messages'] as const satisfies readonly TestKind[]) {
  test(`${kind}: exactly the valid, deduplicated set arrives once through faults; every invalid record is in the rejects file`, { timeout: 30_000 }, async () => {
    const exp = kindExport(kind, 1500, 40 + kind.length);
    const dir = tempDir();
    const input = join(dir, `${kind}.ndjson`);
    writeFileSync(input, exp.text);
    await withSandbox(SANDBOX, async (sandbox) => {
      const rejects = join(dir, 'rejects.ndjson');
      const ids = join(dir, 'ids.ndjson');
      // Messages need --kind: NDJSON carries no wrapper key.
      const r = await importInto(sandbox, { input, rejects, kind, ...(kind === 'messages' ? { ids } : {}) });
      assertCountsAddUp(r, kind);
      assert.equal(r.kind, kind);
      assert.deepEqual(
        { read: r.read, invalid: r.invalid, duplicates: r.duplicates, conflicts: r.conflicts, valid: r.valid, skipped: r.skipped, outOfOrder: r.outOfOrder },
        { read: exp.read, invalid: exp.invalid.length, duplicates: exp.duplicates, conflicts: exp.conflicts, valid: exp.keys.length, skipped: exp.retention, outOfOrder: exp.outOfOrder },
      );
      assert.deepEqual(r.skippedBy, kind === 'messages' ? { retention: exp.retention } : {});
      // Already-present answers to our own re-sends (after a 500 that had stored the batch) count as imported, once.
      assert.deepEqual([r.imported, r.alreadyPresent, r.rejected, r.unsent], [exp.keys.length, 0, 0, 0]);

      const s = sandbox.stats();
      assert.ok(s.partialApplies > 0 && s.resets > 0 && (s.byStatus['429'] ?? 0) > 0, `faults were injected: ${JSON.stringify(s)}`);
      assert.ok(s.duplicateDeliveries > 0, 'batches stored before a 500 were sent again');
      assert.deepEqual(Object.keys(s.byKind), [kind]);
      const accepted = [...sandbox.accepted(kind).keys()];
      if (kind === 'messages') assert.deepEqual(accepted, exp.keys, 'messages arrive once each, in input order');
      else assert.deepEqual(accepted.sort(), [...exp.keys].sort(), 'the accepted set is the valid, deduplicated set');
      assert.equal(s.accepted[kind], exp.keys.length);

      const lines = readNdjson(rejects);
      const invalid = lines.filter((l) => l['reason'] !== 'DUPLICATE_CONFLICT');
      assert.deepEqual(invalid.map((l) => l['reason']).sort(), [...exp.invalid].sort());
      const conflicts = lines.filter((l) => l['reason'] === 'DUPLICATE_CONFLICT');
      assert.equal(conflicts.length, exp.conflicts);
      const keyField = { users: 'uid', groups: 'guid', messages: 'muid' }[kind];
      for (const c of conflicts) assert.match(String(c['message']), new RegExp(`^${keyField} \\S+: same ${keyField} as an earlier record`));

      if (kind === 'messages') {
        // An id for every message whose reply reached us; a batch stored before a 500 has none.
        const pairs = readNdjson(ids);
        assert.ok(pairs.length > exp.keys.length * 0.8 && pairs.length <= exp.keys.length, `${pairs.length} ids for ${exp.keys.length} messages`);
        // That gap is counted, not silent: the report and the summary say how many have no line.
        assert.deepEqual(r.ids, { written: pairs.length, missing: exp.keys.length - pairs.length });
        assert.ok(r.ids!.missing > 0, 'this seed stores a batch before a 500');
        assert.match(formatSummary(r), new RegExp(`\\n {2}ids: ${pairs.length.toLocaleString('en-US')} written this run; ${r.ids!.missing} messages imported without an id \\(.*\\), so their muids are missing from --ids`));
        const stored = sandbox.accepted('messages');
        assert.equal(new Set(pairs.map((p) => p['muid'])).size, pairs.length, 'one line per message');
        for (const p of pairs) assert.match(String(p['id']), /^\d+$/, 'CometChat message ids are numbers');
        assert.ok(pairs.every((p) => stored.has(String(p['muid']))));
      }
    });
  });
}

test('messages: an unsorted export is warned about once, with the hint to export sorted; the summary lists retention and out-of-order', async () => {
  const exp = kindExport('messages', 300, 3);
  const dir = tempDir();
  const input = join(dir, 'messages.json');
  // A CometChat body names its kind: no --kind needed.
  const body: Record<string, unknown> = {};
  for (const line of exp.text.split('\n').filter((l) => l !== '')) {
    const m = JSON.parse(line) as Record<string, unknown>;
    body[String(m['muid'] ?? `x${Object.keys(body).length}`)] = m;
  }
  writeFileSync(input, JSON.stringify({ messages: body }));
  const r = await runCli(['validate', input, '--now', String(NOW), '--log-format', 'json', '--log-level', 'warn']);
  assert.equal(r.code, 3, r.stderr);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('not in sentAt order'));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0]!, /mongoexport --sort '\{ts:1\}'/);
  assert.match(r.stderr, /out of order: [\d,]+ messages with an earlier sentAt than the message before them; they are sent in input order/);
  assert.match(r.stderr, /skipped, by rule:\n {4}retention +\d+/);
  assert.match(r.stderr, /plan: [\d,]+ messages → \d+ requests? →/);
});
