// Probe server for the HTTP floor (see http-floor-probe.ts): a node:http server on 127.0.0.1
// that reads each request body to its end and answers one prebuilt reply shaped like
// CometChat's for 50 imported members (~7 KB). It does no other work, so the client's cost per
// request is all that the floor measures. Prints its origin, then runs until killed.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const entity = (i: number) => `"group_${i % 7}_member_user_${1000 + i}":{"success":true,"data":{"guid":"group_${i % 7}","uid":"user_${1000 + i}","scope":"participant","joinedAt":1641317302}}`;
const reply = Buffer.from(`{"data":{${Array.from({ length: 50 }, (_, i) => entity(i)).join(',')}}}`);
const headers = { 'content-type': 'application/json', 'content-length': String(reply.length) };

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(reply);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
