// What to do with one upload document of `rocketchat_uploads` (pure): a thumbnail is no attachment;
// an upload that never completed or keeps its bytes outside the dump cannot be written; the rest
// come from GridFS chunks or from the FileSystem store folder (--uploads-dir). And whether a file's
// chunks, as indexed, make the whole file: 0..k-1 without a gap or a repeat, adding up to `size`.

import { idText, numberValue, textOf } from '../sources/rocketchat/extended-json.js';
import { safeFileName } from '../sources/rocketchat/file-name.js';
import type { ChunkRun } from './gridfs-index.js';

export type UploadPlan =
  | { kind: 'thumbnail' }
  | { kind: 'missing' | 'broken'; id: string; name: string | undefined; why: string }
  | { kind: 'gridfs'; id: string; name: string; size: number | undefined }
  | { kind: 'filesystem'; id: string; name: string; size: number | undefined; candidates: string[] };

/**
 * Rocket.Chat's stores (`store`): `GridFS:Uploads` (the default; bytes in the dump's
 * rocketchat_uploads.chunks), `FileSystem:Uploads` (bytes on the server's disk, in the folder of
 * the FileUpload_FileSystemPath setting: `{_id}` or `{_id}.{extension}`, as Rocket.Chat's UploadFS
 * LocalStore names them), or a cloud store (AmazonS3, GoogleCloudStorage, Webdav) outside the dump.
 * An upload without `store` predates the setting: GridFS.
 */
export function planUpload(doc: Record<string, unknown>, hasUploadsDir: boolean): UploadPlan {
  if (doc['typeGroup'] === 'thumb') return { kind: 'thumbnail' };
  const id = idText(doc['_id']);
  const name = textOf(doc['name']);
  if (id === undefined) return { kind: 'broken', id: '', name, why: 'the upload has no _id' };
  if (doc['complete'] === false) return { kind: 'broken', id, name, why: 'the upload never completed (complete: false)' };
  const size = numberValue(doc['size']);
  const known = size !== undefined && Number.isSafeInteger(size) && size >= 0 ? size : undefined;
  const store = textOf(doc['store']) ?? 'GridFS:Uploads';
  const fileName = name ?? 'file';
  if (store.startsWith('GridFS')) return { kind: 'gridfs', id, name: fileName, size: known };
  if (store.startsWith('FileSystem')) {
    if (!hasUploadsDir) return { kind: 'missing', id, name, why: `kept in the ${store} store: give --uploads-dir (Rocket.Chat's FileUpload_FileSystemPath folder)` };
    if (!isPathElement(id)) return { kind: 'broken', id, name, why: 'the upload id cannot name a file in --uploads-dir' };
    const ext = textOf(doc['extension']);
    const candidates = ext !== undefined && isPathElement(`${id}.${ext}`) ? [`${id}.${ext}`, id] : [id];
    return { kind: 'filesystem', id, name: fileName, size: known, candidates };
  }
  return { kind: 'missing', id, name, why: `kept in the ${store} store, outside the dump` };
}

function isPathElement(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !/[/\\\u0000]/.test(s);
}

/** Why the chunks do not make the whole file, or undefined when they do (their payloads add up to the size). */
export function chunkProblem(run: ChunkRun, size: number | undefined): string | undefined {
  let total = 0;
  for (let i = 0; i < run.count; i++) {
    const n = run.n(i);
    if (n !== i) return n < i ? `chunk ${n} appears twice` : `chunk ${i} is missing (the next one is ${n})`;
    total += run.dataBytes(i);
  }
  if (size !== undefined && total !== size) {
    return total < size ? `its chunks hold ${total} bytes, the upload says ${size} (the last chunks are missing)` : `its chunks hold ${total} bytes, more than the ${size} the upload says`;
  }
  return undefined;
}

/** `{fileId}/{name}` under the attachments folder, both made safe (file-name.ts). */
export function attachmentPath(id: string, name: string): [folder: string, file: string] {
  return [safeFileName(id), safeFileName(name)];
}
