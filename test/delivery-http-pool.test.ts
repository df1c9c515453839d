// Tests of the undici pool wrapper against a real local server: socket reuse, timeouts, resets, big
// replies, whether a failed request reached the server, GET, streamed request bodies and streamed replies.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpPool, TransportError, type HttpStreamReply } from '../src/sinks/http-pool.js';
import { describeTransportFailure } from '../src/sinks/transport-errors.js';

const post = (path: string, headers: Record<string, string>, body: string) => ({ method: 'POST' as const, path, headers, body });

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
      const replies = await Promise.all([0, 1].map(() => pool.request(post('/v3/x', { apikey: 'k', 'content-type': 'application/json' }, '{"members":{}}'))));
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
    const err = await pool.request(post('/x', {}, '{}')).then(
      () => assert.fail('should time out'),
      (e: unknown) => e as TransportError,
    );
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(err.reached, true, 'the request was written: the server may have it');
    assert.equal(describeTransportFailure(err.code, err.message).retryable, true);
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
    const err = await pool.request(post('/x', {}, '{}')).then(
      () => assert.fail('should fail'),
      (e: unknown) => e as TransportError,
    );
    assert.ok(['UND_ERR_SOCKET', 'ECONNRESET'].includes(err.code ?? ''), `code ${err.code}`);
    assert.equal(err.reached, true);
    assert.equal(describeTransportFailure(err.code, err.message).retryable, true);
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
      const reply = await pool.request(post('/x', {}, '{}'));
      assert.deepEqual([reply.status, reply.bodyText], [502, ''], `reply ${i}`);
    }
    assert.equal(seen, 4, 'the pool still works after each');
  } finally {
    await pool.destroy();
    await server.close();
  }
});

test('a refused connection did not reach the server; the next request on a live server does', async () => {
  const server = await startServer((_req, res) => res.end('ok'));
  await server.close(); // the port is now closed
  const pool = createHttpPool({ origin: server.origin, connections: 1, requestTimeoutMs: 2_000 });
  try {
    const err = await pool.request(post('/x', {}, '{}')).then(
      () => assert.fail('should fail'),
      (e: unknown) => e as TransportError,
    );
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.reached, false, 'nothing was written');
  } finally {
    await pool.destroy();
  }
});

test('GET without a body; a POST body streamed from chunks with its length', async () => {
  const seen: Array<{ method: string; length: string | undefined; body: string }> = [];
  const server = await startServer((req, res, body) => {
    seen.push({ method: req.method ?? '', length: req.headers['content-length'], body });
    res.end('{}');
  });
  const pool = createHttpPool({ origin: server.origin, connections: 1, requestTimeoutMs: 2_000 });
  try {
    assert.equal((await pool.request({ method: 'GET', path: '/api/v1/x', headers: {} })).status, 200);
    const parts = ['{"input":', '{"users":[', '"é"', ']}}'].map((p) => Buffer.from(p));
    const length = parts.reduce((n, p) => n + p.length, 0);
    const streamed = {
      length,
      async *chunks() {
        for (const p of parts) yield p;
      },
    };
    // Sent twice: each attempt reads the chunks afresh.
    for (let i = 0; i < 2; i++) assert.equal((await pool.request({ method: 'POST', path: '/api/v1/y', headers: {}, body: streamed })).status, 200);
    assert.deepEqual(seen[0], { method: 'GET', length: undefined, body: '' });
    for (const s of seen.slice(1)) assert.deepEqual(s, { method: 'POST', length: String(length), body: '{"input":{"users":["é"]}}' });
    assert.equal(server.connections(), 1, 'one keep-alive socket for all three');
  } finally {
    await pool.close();
    await server.close();
  }
});

test('a streamed reply reaches the consumer chunk by chunk, read whole or destroyed; other statuses are collected', async () => {
  const chunk = 'z'.repeat(64 * 1024);
  const server = await startServer((req, res) => {
    if (req.url === '/error') {
      res.writeHead(503);
      res.end('busy');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    // 4 MB, more than the stream queues before it pauses the socket.
    for (let i = 0; i < 64; i++) res.write(chunk);
    res.end();
  });
  const pool = createHttpPool({ origin: server.origin, connections: 1, requestTimeoutMs: 2_000, maxReplyBytes: 1024 });
  const only200 = (status: number) => status === 200;
  try {
    const whole = (await pool.request({ method: 'GET', path: '/big', headers: {} }, only200)) as HttpStreamReply;
    let bytes = 0;
    for await (const c of whole.body) {
      bytes += c.length;
      await new Promise((r) => setImmediate(r)); // a slow consumer
    }
    assert.equal(bytes, 64 * chunk.length, 'every byte, none buffered past the reply limit');
    assert.equal(whole.body.ended, true);

    const early = (await pool.request({ method: 'GET', path: '/big', headers: {} }, only200)) as HttpStreamReply;
    for await (const c of early.body) {
      assert.ok(c.length > 0);
      break; // stops reading: the request is destroyed, not left half-read
    }
    assert.equal(early.body.ended, false);

    const collected = await pool.request({ method: 'GET', path: '/error', headers: {} }, only200);
    assert.deepEqual('bodyText' in collected ? [collected.status, collected.bodyText] : [], [503, 'busy']);
    const again = (await pool.request({ method: 'GET', path: '/big', headers: {} }, only200)) as HttpStreamReply;
    let n = 0;
    for await (const c of again.body) n += c.length;
    assert.equal(n, 64 * chunk.length, 'the pool still works after a destroyed stream');
  } finally {
    await pool.destroy();
    await server.close();
  }
});
