// Tests of the undici pool wrapper against a real local server: socket reuse, timeouts, resets, big replies.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpPool } from '../src/sinks/http-pool.js';
import { classifyTransportError } from '../src/sinks/cometchat/classify.js';

async function startServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('posts the body and headers; keep-alive sockets are reused even after error replies', async () => {
  let seen = 0;
  const server = await startServer((req, res, body) => {
    seen++;
    assert.equal(req.headers['apikey'], 'k');
    // Every third reply is an error with a body: it must still be consumed so the socket is reused.
    const status = seen % 3 === 0 ? 503 : 200;
    const reply = JSON.stringify({ echo: body.length, pad: 'x'.repeat(20_000) });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
    res.end(reply);
  });
  const pool = createHttpPool({ origin: server.origin, connections: 2, requestTimeoutMs: 5_000 });
  try {
    for (let round = 0; round < 10; round++) {
      const replies = await Promise.all([0, 1].map(() => pool.post('/v3/x', { apikey: 'k', 'content-type': 'application/json' }, '{"members":{}}')));
      for (const r of replies) assert.equal((JSON.parse(r.bodyText) as { echo: number }).echo, 14);
    }
    assert.equal(seen, 20);
    assert.ok(server.connections() <= 2, `opened ${server.connections()} sockets`);
  } finally {
    await pool.close();
    await server.close();
  }
});

test('a server that never answers times out (retryable), within the configured time', async () => {
  const server = await startServer(() => {
    // never answer
  });
  const pool = createHttpPool({ origin: server.origin, connections: 1, requestTimeoutMs: 200 });
  const started = performance.now();
  try {
    const err = await pool.post('/x', {}, '{}').then(
      () => assert.fail('should time out'),
      (e: unknown) => e as { code?: string },
    );
    assert.equal(err.code, 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(classifyTransportError(err).kind, 'retry');
    assert.ok(performance.now() - started < 2_000);
  } finally {
    await pool.destroy();
    await server.close();
  }
});

test('a connection reset is a retryable transport error', async () => {
  const server = await startServer((req) => req.socket.destroy());
  const pool = createHttpPool({ origin: server.origin, connections: 1, requestTimeoutMs: 2_000 });
  try {
    const err = await pool.post('/x', {}, '{}').then(
      () => assert.fail('should fail'),
      (e: unknown) => e as { code?: string },
    );
    assert.ok(['UND_ERR_SOCKET', 'ECONNRESET'].includes(err.code ?? ''), `code ${err.code}`);
    assert.equal(classifyTransportError(err).kind, 'retry');
  } finally {
    await pool.destroy();
    await server.close();
  }
});

test('an oversized reply is not buffered, with or without a content-length', async () => {
  let seen = 0;
  const server = await startServer((_req, res) => {
    const page = '<html>' + 'y'.repeat(64 * 1024) + '</html>';
    // Every other reply is chunked: its size shows only while it arrives.
    if (seen++ % 2 === 1) {
      res.writeHead(502, { 'content-type': 'text/html' });
      for (let i = 0; i < 8; i++) res.write(page.slice(i * 8300, (i + 1) * 8300));
      res.end(page.slice(8 * 8300));
      return;
    }
    res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
    res.end(page);
  });
  const pool = createHttpPool({ origin: server.origin, connections: 1, requestTimeoutMs: 2_000, maxReplyBytes: 1024 });
  try {
    for (let i = 0; i < 4; i++) {
      const reply = await pool.post('/x', {}, '{}');
      assert.deepEqual([reply.status, reply.bodyText], [502, ''], `reply ${i}`);
    }
    assert.equal(seen, 4, 'the pool still works after each');
  } finally {
    await pool.destroy();
    await server.close();
  }
});
