// A real HTTP server on 127.0.0.1 whose every answer is scripted by the test, for sink tests:
// what each request carried, when it came, and how many were on the wire at once.

import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DeliveryLogger, PendingRecord, RecordOutcome } from '../../src/sinks/sink.js';

export interface Seen {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body's wrapper key ("members" for member imports). */
  wrapper: string;
  keys: string[];
  body: string;
}

export type Answer = { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number } | 'reset' | 'stall';

/** Answers each data-import request with `script(request number, keys sent)`. */
export async function scriptedServer(script: (n: number, keys: string[]) => Answer) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let onWire = 0;
  let maxOnWire = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    onWire++;
    maxOnWire = Math.max(maxOnWire, onWire);
    res.on('close', () => onWire--);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = JSON.parse(body) as Record<string, Record<string, unknown>>;
      const wrapper = Object.keys(parsed)[0] ?? '';
      const keys = Object.keys(parsed[wrapper] ?? {});
      seen.push({ at: performance.now(), path: req.url ?? '', headers: req.headers, wrapper, keys, body });
      const answer = script(seen.length, keys);
      if (answer === 'reset') return req.socket.destroy();
      if (answer === 'stall') return;
      const text = JSON.stringify(answer.body);
      const reply = () => {
        res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...answer.headers });
        res.end(text);
      };
      if (answer.delayMs === undefined) reply();
      else setTimeout(reply, answer.delayMs);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v3`,
    port,
    seen,
    maxOnWire: () => maxOnWire,
    /** Closes the port: later connections are refused. */
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every entity imported (after `delayMs`, when given). */
export const allOk = (keys: string[], delayMs?: number): Answer => ({
  status: 200,
  body: { data: Object.fromEntries(keys.map((k) => [k, { success: true, data: {} }])) },
  ...(delayMs === undefined ? {} : { delayMs }),
});

export function records(n: number, prefix = 'g_member_u'): PendingRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, json: `{"memberId":"${prefix}${i}"}`, index: i }));
}

/** Callbacks that record every outcome (each record settled once) in order. */
export function collect() {
  const outcomes = new Map<string, RecordOutcome>();
  const order: string[] = [];
  return {
    outcomes,
    order,
    callbacks: {
      onOutcome(r: PendingRecord, o: RecordOutcome) {
        assert.ok(!outcomes.has(r.key), `${r.key} settled twice`);
        outcomes.set(r.key, o);
        order.push(r.key);
      },
    },
  };
}

export function memoryLogger(): DeliveryLogger & { lines: string[]; at(level: string, text: string): string[] } {
  const lines: string[] = [];
  const put = (level: string) => (obj: object, msg: string) => lines.push(JSON.stringify({ level, ...obj, msg }));
  return {
    lines,
    at: (level, text) => lines.filter((l) => l.startsWith(`{"level":"${level}"`) && l.includes(text)),
    info: put('info'),
    warn: put('warn'),
    error: put('error'),
    debug: put('debug'),
  };
}
