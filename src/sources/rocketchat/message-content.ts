// What a Rocket.Chat message says, as CometChat message content (SPEC §2.5): its text, its files
// as attachments at `--file-url` URLs, and the facts the import API has no field for (thread
// parent, last edit, reactions) in data.metadata. Pure functions over one message document.

import { usageError } from '../../errors.js';
import { hasText } from '../../entities/values.js';
import { toCometChatId } from './cometchat-id.js';
import { safeFileName } from './file-name.js';
import { dateSeconds, idText, numberValue, textOf } from './extended-json.js';
import type { RocketChatTables } from './lookup-tables.js';
import { userState } from './workspace-rules.js';

export const FILE_WITHOUT_URL = 'file-without-url';
export const FILE_MISSING = 'file-missing';
/** CometChat takes at most 25 attachments per message (entities/messages MESSAGE_LIMITS). */
const MAX_ATTACHMENTS = 25;
/** Reactions beyond this much JSON are kept as counts: data (text + metadata) must stay ≤ 10 KB. */
const REACTIONS_CHARS = 3000;

export interface FileRef {
  id: string;
  name: string;
  mimeType: string;
  size: number | undefined;
}

export type MessageBody =
  | { kind: 'skip'; rule: string }
  | { kind: 'body'; type: 'text' | 'image' | 'audio' | 'video' | 'file'; text: string | undefined; attachments: Array<Record<string, string>> | undefined };

/**
 * Text and files. Files become attachments only with a URL template; without one a file message
 * keeps its text (a text message), or is skipped by rule `file-without-url` when it has none.
 * `fileAvailable` (a dump's files written to --attachments-dir): a file not written is left out;
 * a message none of whose files was written keeps its text, or is skipped by rule `file-missing`.
 */
export function messageBody(doc: Record<string, unknown>, rid: string, fileUrl: string | undefined, fileAvailable?: (fileId: string) => boolean): MessageBody {
  let files = messageFiles(doc);
  const text = messageText(doc, files.length > 0);
  if (files.length === 0) return { kind: 'body', type: 'text', text, attachments: undefined };
  const asText = (rule: string): MessageBody => (text !== undefined && hasText(text) ? { kind: 'body', type: 'text', text, attachments: undefined } : { kind: 'skip', rule });
  if (fileUrl === undefined) return asText(FILE_WITHOUT_URL);
  if (fileAvailable !== undefined) {
    files = files.filter((f) => fileAvailable(f.id));
    if (files.length === 0) return asText(FILE_MISSING);
  }
  const attachments = files.slice(0, MAX_ATTACHMENTS).map((f) => attachment(f, rid, fileUrl));
  const kinds = new Set(files.map((f) => mediaType(f.mimeType)));
  const type = kinds.size === 1 ? [...kinds][0]! : 'file';
  return { kind: 'body', type, text: text !== undefined && hasText(text) ? text : undefined, attachments };
}

/** `msg`; for a file message without one, the upload's description (Rocket.Chat keeps it on the file card). */
function messageText(doc: Record<string, unknown>, hasFiles: boolean): string | undefined {
  const msg = typeof doc['msg'] === 'string' ? doc['msg'] : undefined;
  if ((msg !== undefined && hasText(msg)) || !hasFiles) return msg;
  const cards = doc['attachments'];
  if (!Array.isArray(cards)) return msg;
  for (const card of cards) {
    const d = typeof card === 'object' && card !== null ? (card as Record<string, unknown>)['description'] : undefined;
    if (typeof d === 'string' && hasText(d)) return d;
  }
  return msg;
}

/** `files[]` (or the older single `file`), thumbnails (`typeGroup: thumb`) and nameless entries left out. */
export function messageFiles(doc: Record<string, unknown>): FileRef[] {
  const list = Array.isArray(doc['files']) && doc['files'].length > 0 ? doc['files'] : doc['file'] !== undefined ? [doc['file']] : [];
  const out: FileRef[] = [];
  for (const f of list) {
    if (typeof f !== 'object' || f === null) continue;
    const o = f as Record<string, unknown>;
    if (o['typeGroup'] === 'thumb') continue;
    const id = idText(o['_id']);
    const name = textOf(o['name']);
    if (id === undefined || name === undefined) continue;
    const size = numberValue(o['size']);
    out.push({ id, name, mimeType: textOf(o['type']) ?? 'application/octet-stream', size: size !== undefined && size >= 0 ? Math.floor(size) : undefined });
  }
  return out;
}

export function mediaType(mimeType: string): 'image' | 'audio' | 'video' | 'file' {
  const slash = mimeType.indexOf('/');
  const top = slash < 0 ? '' : mimeType.slice(0, slash).toLowerCase();
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

/** The file name's extension, else the MIME subtype's (`image/svg+xml` → svg), else `bin`. */
export function extensionOf(name: string, mimeType: string): string {
  const dot = /\.([A-Za-z0-9]{1,16})$/.exec(name);
  if (dot) return dot[1]!.toLowerCase();
  const sub = /^[^/]+\/(?:x-)?([A-Za-z0-9]{1,16})/.exec(mimeType);
  return sub ? sub[1]!.toLowerCase() : 'bin';
}

function attachment(f: FileRef, rid: string, template: string): Record<string, string> {
  const a: Record<string, string> = { name: f.name, mimeType: f.mimeType, extension: extensionOf(f.name, f.mimeType), url: fileUrlOf(template, f, rid) };
  if (f.size !== undefined) a['size'] = String(f.size);
  return a;
}

/**
 * The template with {fileId}, {name} and {rid} replaced by their URL-encoded values; {fileId} and
 * {name} as the files step names the folder and file it writes (file-name.ts: unchanged for
 * ordinary names), so the URL names the file as it is in --attachments-dir.
 */
export function fileUrlOf(template: string, file: { id: string; name: string }, rid: string): string {
  return template.replace(/\{(fileId|name|rid)\}/g, (_m, key: string) => encodeURIComponent(key === 'fileId' ? safeFileName(file.id) : key === 'name' ? safeFileName(file.name) : rid));
}

const FILE_URL_FIELDS = ['fileId', 'name', 'rid'] as const;

/** Checks a `--file-url` template once, at the edge: absolute http(s), with {fileId}, and no other {field}. */
export function checkFileUrlTemplate(template: string): string {
  // A mistyped field ({fileid}, {nme}) would otherwise stay in every URL as it is, unnoticed.
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!).find((f) => !(FILE_URL_FIELDS as readonly string[]).includes(f));
  if (unknown !== undefined) {
    const near = FILE_URL_FIELDS.find((f) => f.toLowerCase() === unknown.toLowerCase());
    throw usageError('--file-url', `a template whose fields are {fileId}, {name} and {rid} (${near ? `{${unknown}}: did you mean {${near}}?` : `{${unknown}} is none of them`})`, template);
  }
  if (!/^https?:\/\/[^/{}\s]+/i.test(template) || !template.includes('{fileId}')) {
    throw usageError('--file-url', 'an absolute http(s) URL template containing {fileId} (and optionally {name} and {rid}), e.g. https://files.example.com/{fileId}/{name}', template);
  }
  return template;
}

/**
 * data.metadata: `parentMuid` (a thread reply's `tmid`: the parent's muid, as muids are the
 * Rocket.Chat ids), `editedAt` (UNIX seconds of the last edit), `reactions` (shortcode → the
 * CometChat uids of the users who reacted; usernames resolved through the users, unknown ones
 * left out), or `reactionCounts` (shortcode → count) when the uids would not fit.
 */
export function messageMetadata(doc: Record<string, unknown>, tables: RocketChatTables): Record<string, unknown> | undefined {
  let m: Record<string, unknown> | undefined;
  const parent = idText(doc['tmid']);
  if (parent !== undefined) m = { parentMuid: parent };
  const edited = doc['editedAt'] === undefined ? 0 : dateSeconds(doc['editedAt']);
  if (edited > 0) (m ??= {})['editedAt'] = edited;
  const reactions = reactionsOf(doc['reactions'], tables);
  if (reactions !== undefined) {
    m ??= {};
    if (JSON.stringify(reactions).length <= REACTIONS_CHARS) m['reactions'] = reactions;
    else m['reactionCounts'] = Object.fromEntries(Object.entries(reactions).map(([emoji, uids]) => [emoji, uids.length]));
  }
  return m;
}

function reactionsOf(value: unknown, tables: RocketChatTables): Record<string, string[]> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let out: Record<string, string[]> | undefined;
  for (const [emoji, r] of Object.entries(value as Record<string, unknown>)) {
    const names = typeof r === 'object' && r !== null ? (r as Record<string, unknown>)['usernames'] : undefined;
    if (!Array.isArray(names)) continue;
    const uids: string[] = [];
    for (const name of names) {
      if (typeof name !== 'string') continue;
      const id = tables.users.idOfUsername(name);
      if (id === undefined) continue;
      const state = userState(id, tables).kind;
      if (state !== 'user' && state !== 'placeholder') continue;
      const uid = toCometChatId(id);
      if (!uids.includes(uid)) uids.push(uid);
    }
    if (uids.length > 0) (out ??= {})[emoji] = uids;
  }
  return out;
}
