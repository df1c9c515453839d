// Every kind's compiled fast path held to its zod reference path on mutated records, with the
// paths to mutate read from the declaration itself; and canonical JSON as a fixed point.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { specOf } from '../src/entities/fields.js';
import type { Kind, ValidateContext } from '../src/entities/kind.js';
import { KINDS, KIND_NAMES } from '../src/entities/kinds.js';
import { validateRecord, validateReference } from '../src/entities/validate.js';
import { createRandom } from './helpers/random.js';

const NOW = 1_800_000_000;

/** A valid record of each kind, as an export would write it (not in canonical form). */
const SEEDS: Record<string, () => Record<string, any>> = {
  users: () => ({ uid: 'Ada_1', name: 'Ada', avatar: 'https://cdn/a.png', role: 'default', createdAt: 1673421419, metadata: { team: 'x' }, tags: ['a'] }),
  groups: () => ({ guid: 'Team_1', name: 'Team', type: 'Password', password: 'pw', owner: 'ada_1', createdAt: '2023-01-11T07:16:59Z', groupOwnerDetails: { name: 'Ada' }, tags: ['t'] }),
  members: () => ({ guid: 'g1', uid: 'u1', scope: 'owner', joinedAt: 1673421500, groupDetails: { name: 'G', type: 'public', createdAt: 1673421419 }, userDetails: { name: 'U' } }),
  messages: () => ({
    muid: 'Msg-1', sender: 'U1', receiverType: 'group', receiver: 'g1', type: 'image', sentAt: 1700000000000, deliveredAt: 1700000001,
    data: { text: 'cap', attachments: [{ name: 'a.png', mimeType: 'image/png', extension: 'png', url: 'https://x/a.png', size: '12' }], metadata: { thread: 'm0' } },
    senderUserDetails: { name: 'One' }, receiverGroupDetails: { name: 'G', type: 'public' }, mentionedUserDetails: { u3: { name: 'Three' } }, tags: ['x'],
  }),
};

const POOL: unknown[] = [
  undefined, null, '', ' ', 'x', 'X Y', 'Ab-1', 'x'.repeat(101), 'y'.repeat(3001), '😀'.repeat(60), 0, 1, -1, 1.5, 2 ** 60, NaN, true, false, 'true',
  'OWNER', 'admin', 'public', 'Private', 'PASSWORD', 'user', 'group', 'custom', 'message', 'text', 'image', 'u1', 'G1', 1673421419, '1673421419',
  1673421419000, '2023-01-11T07:16:59Z', { $date: 1673421419000 }, NOW + 5, 999_999_999, [], ['a'], [1], Array(26).fill('t'), {}, { k: 'v' },
  { k: 'é'.repeat(6000) }, 'quote"back\\', 'ctl\u0001', [{ name: 'n', mimeType: 'm', extension: 'e', url: 'u' }], [{ name: 'n' }],
];

/** Every field path of a declaration, lists stepped into at index 0 and maps at one key. */
function pathsOf(shape: Record<string, unknown>, prefix: PropertyKey[] = []): PropertyKey[][] {
  const out: PropertyKey[][] = [];
  for (const [field, schema] of Object.entries(shape)) {
    const path = [...prefix, field];
    out.push(path);
    const rule = specOf(schema as never, field).rule;
    if (rule.shape) out.push(...pathsOf(rule.shape, path));
    if (rule.item) out.push(...pathsOf(specOf(rule.item, field).rule.shape!, [...path, rule.kind === 'list' ? 0 : 'u3']));
  }
  return out;
}

function setAt(root: Record<string, any>, path: PropertyKey[], value: unknown): void {
  let node: any = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) return; // the path left the record: no change
    node = node[key];
  }
  node[path[path.length - 1]!] = value;
}

const strip = (r: ReturnType<typeof validateRecord>) => (r.ok === true ? { ok: true, key: r.key, json: r.json } : r);

function differential(kind: Kind, seed: number, count: number): Map<string, number> {
  const rnd = createRandom(seed);
  const paths = pathsOf(kind.rule.shape!);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const raw = SEEDS[kind.name]!();
    for (let m = Math.floor(rnd() * 3); m > 0; m--) setAt(raw, paths[Math.floor(rnd() * paths.length)]!, POOL[Math.floor(rnd() * POOL.length)]);
    const ctx: ValidateContext = { nowSeconds: NOW, retentionDays: rnd() < 0.2 ? 180 : 0, ...(rnd() < 0.3 ? { key: kind.key.derive({ ...raw, guid: 'g1', uid: 'u1' }) } : {}) };
    const fast = validateRecord(kind, raw, ctx);
    assert.deepEqual(strip(fast), strip(validateReference(kind, raw, ctx)), `${kind.name}: the paths disagree on ${JSON.stringify(raw).slice(0, 400)}`);
    if (fast.ok === true) {
      // Canonical JSON reads back to itself.
      const again = validateRecord(kind, JSON.parse(fast.json), { nowSeconds: NOW });
      assert.equal(again.ok === true ? again.json : JSON.stringify(again), fast.json);
    }
    const outcome = fast.ok === true ? 'ok' : fast.ok === false ? fast.reason : `skip:${fast.rule}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return outcomes;
}

describe('every kind: fast path and reference path agree', () => {
  for (const name of KIND_NAMES) {
    it(`${name}: on 3000 mutated records`, () => {
      const outcomes = differential(KINDS[name], 7 + name.length, 3000);
      assert.ok((outcomes.get('ok') ?? 0) > 100, `${name}: too few valid records to compare: ${JSON.stringify([...outcomes])}`);
      assert.ok(outcomes.size >= 5, `${name}: too few outcomes: ${JSON.stringify([...outcomes])}`);
    });
  }

  it('the seeds are valid and normalize as CometChat writes them', () => {
    const json = (name: string) => {
      const r = validateRecord(KINDS[name as keyof typeof KINDS], SEEDS[name]!(), { nowSeconds: NOW });
      assert.equal(r.ok, true, JSON.stringify(r));
      return r.ok === true ? r.json : '';
    };
    assert.equal(json('users'), '{"uid":"ada_1","name":"Ada","avatar":"https://cdn/a.png","role":"default","createdAt":"1673421419","metadata":{"team":"x"},"tags":["a"]}');
    assert.equal(json('groups'), '{"guid":"team_1","name":"Team","type":"password","owner":"ada_1","createdAt":"1673421419","password":"pw","tags":["t"],"groupOwnerDetails":{"uid":"ada_1","name":"Ada"}}');
    assert.match(json('messages'), /^\{"muid":"Msg-1","sender":"u1","receiverType":"group","receiver":"g1","category":"message","type":"image","data":\{"text":"cap","attachments":\[.*\],"metadata":\{"thread":"m0"\}\},"tags":\["x"\],"sentAt":"1700000000","deliveredAt":"1700000001","senderUserDetails":\{"uid":"u1","name":"One"\},"receiverGroupDetails":\{"guid":"g1","name":"G","type":"public"\},"mentionedUserDetails":\{"u3":\{"uid":"u3","name":"Three"\}\}\}$/);
  });
});
