// Probe: reads a Rocket.Chat messages collection the way the messages phase does, from its
// mongoexport file or its mongodump .bson, in a fresh process; prints one JSON line.
//   node mongodump-read-probe.js parse|map MESSAGES [USERS ROOMS]
// parse: split + decode each record (JSON.parse, or BSON decoding into the mongoexport forms);
// map: the phase's own path on the main thread: split, blocks, decodeBlock with the workspace's
// messages mapper and the messages kind's validation (tables loaded first, not timed).

import { openInputPath } from '../../src/sources/open-input.js';
import { createRecordReader } from '../../src/sources/record-reader.js';
import { decodeBsonDocument, isBsonDocument } from '../../src/sources/bson-document.js';
import { createWorkspaceMappers, loadRocketChatWorkspace } from '../../src/sources/rocketchat/index.js';
import { createBlockBuilder } from '../../src/transforms/block-builder.js';
import { decodeBlock } from '../../src/transforms/decode-block.js';
import { readResult, VALID } from '../../src/transforms/block-results.js';

const [mode, messages, users, rooms] = process.argv.slice(2);
const NOW = 1_767_225_600;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

let records = 0;
let valid = 0;
let bytes = 0;
let started = 0;
if (mode === 'parse') {
  const input = await openInputPath(messages!);
  let sink = 0;
  const reader = createRecordReader('rocketchat', (buf, start, end) => {
    const v = isBsonDocument(buf, start, end) ? decodeBsonDocument(buf, start, end) : (JSON.parse(buf.toString('utf8', start, end)) as Record<string, unknown>);
    sink += Object.keys(v).length;
    records++;
  });
  started = performance.now();
  for await (const chunk of input.chunks) reader.push(chunk);
  reader.end();
  bytes = reader.bytesSeen;
  valid = sink > 0 ? records : 0;
} else {
  const { tables } = await loadRocketChatWorkspace({ users: users!, rooms: rooms!, messages: messages! }, { sentAfter: 0 }, quiet);
  const map = createWorkspaceMappers(tables, { nowSeconds: NOW });
  const builder = createBlockBuilder((block) => {
    const result = decodeBlock(block.input, { kind: 'messages', nowSeconds: NOW, wantJson: true }, map.messages);
    const c = readResult(result);
    while (c.next()) if (c.status === VALID) valid++;
    records += result.count;
    builder.recycle(block);
  });
  const reader = createRecordReader('rocketchat', builder.add);
  const input = await openInputPath(messages!);
  started = performance.now();
  for await (const chunk of input.chunks) reader.push(chunk);
  reader.end();
  builder.flush();
  bytes = reader.bytesSeen;
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ mode, records, valid, bytes, ms, mbPerS: bytes / 1e6 / (ms / 1000), recordsPerS: records / (ms / 1000), maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
