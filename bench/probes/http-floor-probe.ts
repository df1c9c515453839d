// Probe: the HTTP floor of import — what one 50-member request costs a client that does
// nothing else. A raw undici Pool (keep-alive, `--connections` sockets, one request per socket
// at a time, as chatmigrate's pool) POSTs one prebuilt body, made of the input's first 50
// records, to http-floor-server, and reads each reply to a string. No parsing, validation,
// batching, retry layer or bookkeeping. Prints the client's CPU time per request and per record
// as one JSON line. Args: INPUT ORIGIN [--requests N] [--connections N].

import { open } from 'node:fs/promises';
import { Pool } from 'undici';

const [input, origin, ...rest] = process.argv.slice(2);
const options: Record<string, string> = {};
for (let i = 0; i < rest.length; i += 2) options[rest[i]!.replace(/^--/, '')] = rest[i + 1]!;
const requests = Number(options['requests'] ?? 6000);
const connections = Number(options['connections'] ?? 4);
const PER_REQUEST = 50;

const body = await firstRecordsAsBody(input!, PER_REQUEST);
const headers = { apikey: 'floor', 'content-type': 'application/json', accept: 'application/json' };
const pool = new Pool(origin!, { connections, pipelining: 1 });

/** One request: resolves with the reply text once it is read to the end. */
function post(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pool.dispatch(
      { method: 'POST', path: '/v3/data_import/members', headers, body },
      {
        onConnect() {},
        onHeaders: () => true,
        onData: (chunk: Buffer) => chunks.push(chunk) > 0,
        onComplete: () => resolve(Buffer.concat(chunks).toString('utf8')),
        onError: reject,
      },
    );
  });
}

async function worker(count: number): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += (await post()).length;
  return bytes;
}

// Warm-up (JIT, sockets), then the measured run: `connections` requests in flight throughout.
await Promise.all(Array.from({ length: connections }, () => worker(50)));
const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(Array.from({ length: connections }, (_, i) => worker(Math.floor(requests / connections) + (i < requests % connections ? 1 : 0))));
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await pool.close();
const cpuUsPerRequest = (cpu.user + cpu.system) / requests;
process.stdout.write(JSON.stringify({ requests, connections, bodyBytes: body.length, ms, cpuUsPerRequest, cpuUsPerRecord: cpuUsPerRequest / PER_REQUEST }) + '\n');

/** `{"members":{"k0":<record>,...}}` from the first `count` NDJSON records of the input. */
async function firstRecordsAsBody(path: string, count: number): Promise<Buffer> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(1 << 20), 0, 1 << 20, 0);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n').slice(0, count);
    return Buffer.from(`{"members":{${lines.map((line, i) => `"k${i}":${line}`).join(',')}}}`);
  } finally {
    await file.close();
  }
}
