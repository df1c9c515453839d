// Small node:http helpers shared by the sandbox's routes: read a body once, answer JSON.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Bodies above this are refused whole; 50 maximal entities stay far below it. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Reads the whole body as UTF-8 and calls `done` once: with the text, or with `undefined` when the
 * body exceeds `limit` (the rest is drained so the keep-alive connection stays usable).
 * Nothing is called if the client goes away first.
 */
export function readBody(req: IncomingMessage, limit: number, done: (text: string | undefined) => void): void {
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let length = 0;
  req.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > limit) return; // keep draining, keep nothing
    // Most bodies arrive in one or two chunks: avoid the array and the concat for the first one.
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (length > limit) done(undefined);
    else if (chunks !== undefined) done(Buffer.concat(chunks, length).toString('utf8'));
    else done(first === undefined ? '' : first.toString('utf8'));
  });
  req.on('error', () => {
    // The socket is gone; the response's 'close' event does the bookkeeping.
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: OutgoingHttpHeaders): void {
  sendText(res, status, JSON.stringify(body), 'application/json', headers);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers?: OutgoingHttpHeaders,
): void {
  if (res.destroyed || res.headersSent) return;
  const all: OutgoingHttpHeaders = { 'content-type': contentType, 'content-length': Buffer.byteLength(text) };
  if (headers !== undefined) Object.assign(all, headers);
  res.writeHead(status, all);
  res.end(text);
}

/** `{"error": {"code", "message"}}`, the shape CometChat uses for whole-request errors. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers?: OutgoingHttpHeaders): void {
  sendJson(res, status, { error: { code, message } }, headers);
}
