// Probe: bytes per user of the Rocket.Chat users table at N users (ids of 17 characters like
// Rocket.Chat's, names of ~12, three dates, flags), in a fresh process; prints one JSON line.
// Run: node --expose-gc dist/bench/probes/rocketchat-table-probe.js [users, default 1000000]

import { createRocketChatTables } from '../../src/sources/rocketchat/lookup-tables.js';

const count = Number(process.argv[2] ?? '1000000');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
let seed = 42;
const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
const randomId = () => {
  let s = '';
  for (let i = 0; i < 17; i++) s += ALPHABET[next() % ALPHABET.length];
  return s;
};

const used = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const before = used();
const tables = createRocketChatTables();
const ids: string[] = [];
for (let i = 0; i < count; i++) {
  const id = randomId();
  if (i % 1000 === 0) ids.push(id);
  tables.addUser({ _id: id, username: `user.${i}`, name: `Person ${i}`, active: i % 50 !== 0, createdAt: { $date: '2023-01-01T08:00:00.000Z' }, lastLogin: { $date: 1748764800000 } });
}
tables.seal();
const sample = ids.join(''); // keep the sampled ids out of the measurement below
const after = used() - sample.length;
let found = 0;
for (const id of ids) if (tables.user(id)) found++;
console.log(JSON.stringify({ users: count, bytesPerUser: Math.round(((after - before) / count) * 10) / 10, tableBytesPerUser: Math.round((tables.users.bytes / count) * 10) / 10, found, sampled: ids.length, node: process.version }));
