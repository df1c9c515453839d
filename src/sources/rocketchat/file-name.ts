// The one rule that turns a Rocket.Chat upload's id and name into a path element of the
// attachments folder (`DIR/{fileId}/{name}`), shared by the files step that writes them and by
// the `--file-url` template that points at them, so every URL names the file as written:
//   1. Unicode NFC (a name typed on macOS comes decomposed); a lone surrogate becomes U+FFFD;
//   2. path separators `/` `\`, control characters and `< > : " | ? *` (not allowed on Windows
//      or SMB shares the folder may be copied to) become `_`;
//   3. an empty name becomes `file`; a name of dots only (`.`, `..`) gets a leading `_`;
//   4. at most MAX_FILE_NAME_BYTES bytes of UTF-8: a longer name is cut at a character boundary,
//      its extension (up to 16 letters or digits) kept.
// An ordinary name (`photo 1.png`, `résumé.pdf`) comes out unchanged.

/** Under the 255 bytes of common file systems, with room for the `.part` suffix used while writing. */
export const MAX_FILE_NAME_BYTES = 200;

const UNSAFE = /[/\\<>:"|?*\u0000-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function safeFileName(name: string): string {
  let safe = name.replace(LONE_SURROGATE, '\ufffd').normalize('NFC').replace(UNSAFE, '_');
  if (safe === '') return 'file';
  if (/^\.+$/.test(safe)) safe = `_${safe}`;
  if (Buffer.byteLength(safe) <= MAX_FILE_NAME_BYTES) return safe;
  const ext = /\.[A-Za-z0-9]{1,16}$/.exec(safe)?.[0] ?? '';
  return cutToBytes(safe.slice(0, safe.length - ext.length), MAX_FILE_NAME_BYTES - ext.length) + ext;
}

/** The longest prefix of `text` of at most `bytes` bytes of UTF-8, never splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  let used = 0;
  let i = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (used + size > bytes) break;
    used += size;
    i += ch.length;
  }
  return text.slice(0, i);
}
