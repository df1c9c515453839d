// /__sandbox/* routes, so tests can inspect a sandbox running in another process:
// GET stats (JSON), GET accepted/<kind> (NDJSON in acceptance order), POST reset.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, sendJson } from './http-util.js';
import type { SandboxStats } from './stats.js';

export const INTROSPECTION_PREFIX = '/__sandbox/';

export interface IntrospectionTarget {
  stats(): SandboxStats;
  acceptedRecords(kind: string): IterableIterator<[string, string]> | undefined;
  reset(): void;
}

export function handleIntrospection(req: IncomingMessage, res: ServerResponse, path: string, target: IntrospectionTarget): void {
  req.resume(); // these routes take no body
  const route = path.slice(INTROSPECTION_PREFIX.length);
  if (route === 'stats' && req.method === 'GET') {
    sendJson(res, 200, target.stats());
  } else if (route === 'reset' && req.method === 'POST') {
    target.reset();
    sendJson(res, 200, { reset: true });
  } else if (route.startsWith('accepted/') && req.method === 'GET') {
    const records = target.acceptedRecords(route.slice('accepted/'.length));
    if (records === undefined) sendError(res, 404, 'ERR_NOT_FOUND', `No accepted records of kind ${route.slice(9)}.`);
    else streamNdjson(res, records);
  } else {
    sendError(res, 404, 'ERR_NOT_FOUND', `No sandbox route ${req.method ?? ''} ${path}.`);
  }
}

/** Writes one JSON line per record in ~64 KB chunks, waiting for 'drain' so memory stays flat. */
function streamNdjson(res: ServerResponse, records: Iterator<[string, string]>): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const pump = (): void => {
    let chunk = '';
    for (;;) {
      const next = records.next();
      if (next.done === true) {
        res.end(chunk);
        return;
      }
      chunk += next.value[1] + '\n';
      if (chunk.length >= 65536) {
        const flowing = res.write(chunk);
        chunk = '';
        if (!flowing) {
          res.once('drain', pump);
          return;
        }
      }
    }
  };
  pump();
}
