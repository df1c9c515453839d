// The files of a generated dump written to the attachments folder: GridFS files of several chunks
// (interleaved in the chunks collection) and a FileSystem-store file byte-identical, thumbnails
// left out, a file with a chunk gap, one without chunks and one never completed reported with
// why; a second run keeps whole files and redoes partial ones; every attachment URL of the
// messages names a file that is there, and a message whose only file is missing is skipped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileContent, generateMongodump, type GeneratedDump } from '../bench/generate-mongodump.js';
import type { Log } from '../src/log.js';
import { writeUploadFiles, type UploadFilesReport } from '../src/mongodump/upload-files.js';
import { safeFileName } from '../src/sources/rocketchat/file-name.js';
import { createWorkspaceMappers, loadRocketChatWorkspace } from '../src/sources/rocketchat/index.js';
import { fileUrlOf } from '../src/sources/rocketchat/message-content.js';
import { NOW, tempDir } from './helpers/run.js';

const FILE_URL = 'https://files.example.com/{fileId}/{name}';
const log: Log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function expectWritten(dump: GeneratedDump, out: string): void {
  for (const u of dump.uploads) {
    const path = join(out, safeFileName(u.id), safeFileName(u.name));
    if (u.fate === 'written' || u.fate === 'filesystem') {
      assert.ok(readFileSync(path).equals(fileContent(u.id, u.size)), `${u.id} byte-identical`);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } else assert.equal(existsSync(path), false, `${u.id} (${u.fate}) not written`);
  }
}

function fates(dump: GeneratedDump): Record<string, number> {
  const n: Record<string, number> = {};
  for (const u of dump.uploads) n[u.fate] = (n[u.fate] ?? 0) + 1;
  return n;
}

test('GridFS and FileSystem files byte-identical under {fileId}/{name}; gaps, missing and incomplete files reported; a second run keeps whole files', async () => {
  const dir = tempDir('cm-files-');
  try {
    const dump = await generateMongodump({ dir: join(dir, 'dump'), now: NOW, messages: 400, chunkBytes: 1024, fileUrl: true });
    const n = fates(dump);
    assert.ok(n['written']! >= 3 && n['thumbnail']! >= 3, JSON.stringify(n));
    assert.ok(dump.uploads.some((u) => u.fate === 'written' && u.size > 5 * 1024), 'files of several chunks');
    const out = join(dir, 'files');
    const options = { uploads: dump.gridfs.uploads, chunks: dump.gridfs.chunks, uploadsDir: dump.uploadsDir, outDir: out, workDir: join(dir, 'state', 'files'), log };
    const r = await writeUploadFiles(options);
    const whole = n['written']! + n['filesystem']!;
    assert.deepEqual(
      [r.uploads, r.written, r.kept, r.thumbnails, r.missing, r.broken],
      [dump.uploads.length, whole, 0, n['thumbnail'], 1, 2],
    );
    assert.equal(r.bytes, dump.uploads.filter((u) => u.fate === 'written' || u.fate === 'filesystem').reduce((s, u) => s + u.size, 0));
    const why = (fate: string): string => r.problems.find((p) => p.fileId === dump.uploads.find((u) => u.fate === fate)!.id)!.why;
    assert.match(why('gap'), /^chunk 1 is missing/);
    assert.match(why('no-chunks'), /no GridFS chunks/);
    assert.match(why('incomplete'), /never completed/);
    expectWritten(dump, out);
    assert.equal(statSync(out).mode & 0o777, 0o700);
    assert.equal(r.files.size, whole);

    // Again: nothing rewritten. Then one file lost, one cut short, and a stale .part: those are redone.
    const again = await writeUploadFiles(options);
    assert.deepEqual([again.written, again.kept], [0, whole]);
    const [a, b] = dump.uploads.filter((u) => u.fate === 'written');
    const pathOf = (u: { id: string; name: string }): string => join(out, safeFileName(u.id), safeFileName(u.name));
    rmSync(pathOf(a!));
    writeFileSync(`${pathOf(a!)}.part`, 'half a file');
    truncateSync(pathOf(b!), 10);
    const third = await writeUploadFiles(options);
    assert.deepEqual([third.written, third.kept], [2, whole - 2]);
    expectWritten(dump, out);
    assert.equal(existsSync(`${pathOf(a!)}.part`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with --gzip the chunks are read through a decompressed copy that is removed; without --uploads-dir the FileSystem file is missing', async () => {
  const dir = tempDir('cm-files-');
  try {
    const dump = await generateMongodump({ dir: join(dir, 'dump'), now: NOW, messages: 200, chunkBytes: 2048, gzip: true, fileUrl: true });
    const work = join(dir, 'state', 'files');
    const r: UploadFilesReport = await writeUploadFiles({ uploads: dump.gridfs.uploads, chunks: dump.gridfs.chunks, outDir: join(dir, 'files'), workDir: work, log });
    assert.deepEqual([r.missing, r.broken], [2, 2]);
    assert.match(r.problems.find((p) => p.why.includes('--uploads-dir'))!.why, /FileSystem:Uploads store/);
    assert.equal(existsSync(work), false, 'the copy is removed, and the folder made for it');
    for (const u of dump.uploads) if (u.fate === 'written') assert.ok(readFileSync(join(dir, 'files', safeFileName(u.id), safeFileName(u.name))).equals(fileContent(u.id, u.size)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('messages: every attachment URL names a written file; a file message without text whose file is missing is skipped as file-missing', async () => {
  const dir = tempDir('cm-files-');
  try {
    const dump = await generateMongodump({ dir: join(dir, 'dump'), now: NOW, messages: 300, chunkBytes: 4096, fileUrl: true, shuffle: 0 });
    const out = join(dir, 'files');
    const r = await writeUploadFiles({ uploads: dump.gridfs.uploads, chunks: dump.gridfs.chunks, uploadsDir: dump.uploadsDir, outDir: out, workDir: join(dir, 'work'), log });
    const fileAvailable = (id: string): boolean => r.files.has(id);
    const { tables } = await loadRocketChatWorkspace({ users: dump.files.users, rooms: dump.files.rooms }, { fileUrl: FILE_URL, fileAvailable }, log);
    const map = createWorkspaceMappers(tables, { nowSeconds: NOW, fileUrl: FILE_URL, fileAvailable });
    const { deserialize } = await import('bson');
    const buf = readFileSync(dump.files.messages);
    const skipped: Record<string, number> = {};
    let attachments = 0;
    for (let at = 0; at < buf.length; at += buf.readInt32LE(at)) {
      const m = map.messages(toExport(deserialize(buf.subarray(at, at + buf.readInt32LE(at)))));
      if (m.kind === 'skip') skipped[m.rule] = (skipped[m.rule] ?? 0) + 1;
      if (m.kind !== 'record') continue;
      const data = (m.record as { data: { attachments?: Array<{ url: string }> } }).data;
      for (const a of data.attachments ?? []) {
        const [, id, name] = new URL(a.url).pathname.split('/').map(decodeURIComponent);
        assert.ok(existsSync(join(out, id!, name!)), `${a.url} is in the folder`);
        attachments++;
      }
    }
    assert.ok(attachments >= 3);
    assert.equal(skipped['file-missing'], 1, 'the report without text, whose chunks are missing');
    assert.equal(r.files.has('no-such-file'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** BSON dates as the mappers read mongoexport's (the pipeline does this in decodeBlock). */
function toExport(v: unknown): unknown {
  if (v instanceof Date) return { $date: v.getTime() };
  if (Array.isArray(v)) return v.map(toExport);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toExport(x)]));
  return v;
}

test('file names are made safe for a file system, and the URL names the file as written', () => {
  const cases: Array<[string, string]> = [
    ['photo 1.png', 'photo 1.png'],
    ['résumé.pdf', 'résumé.pdf'],
    ['e\u0301t\u00e9.txt', 'été.txt'],
    ['../../etc/passwd', '.._.._etc_passwd'],
    ['a\\b:c*?.txt', 'a_b_c__.txt'],
    ['..', '_..'],
    ['', 'file'],
    ['bad\u0000name\u001f', 'bad_name_'],
    ['lone \ud800 surrogate', 'lone \ufffd surrogate'],
  ];
  for (const [name, safe] of cases) assert.equal(safeFileName(name), safe, JSON.stringify(name));
  const long = safeFileName(`${'ü'.repeat(300)}.jpeg`);
  assert.ok(Buffer.byteLength(long) <= 200 && long.endsWith('ü.jpeg'), long);
  assert.equal(fileUrlOf(FILE_URL, { id: 'AbC', name: '../x y.png' }, 'r'), 'https://files.example.com/AbC/.._x%20y.png');
});
