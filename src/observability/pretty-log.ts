// Log lines for a person at a terminal: pino's JSON line turned into "time LEVEL message key=value".
// pino still builds (and redacts) the JSON; this only re-renders it, so both formats carry the
// same facts. Logs are rare (nothing per record at info), so parsing each line again costs nothing.

const LEVEL_WORDS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** ANSI colours for the level word: errors stand out, routine lines stay quiet. */
const LEVEL_COLOURS: Record<number, string> = { 10: '2', 20: '2', 30: '36', 40: '33', 50: '31', 60: '1;31' };
/** pino's own fields, shown in the line's fixed parts or not at all. */
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);
/** A field's value longer than this is cut: a line is for reading, the JSON format keeps everything. */
const MAX_VALUE_CHARS = 120;

export interface PrettyOptions {
  colour?: boolean;
}

/** One JSON log line (with or without its line end) as a human line; anything else is returned as it came. */
export function formatLogLine(line: string, options: PrettyOptions = {}): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line.replace(/\n$/, '');
    entry = parsed as Record<string, unknown>;
  } catch {
    return line.replace(/\n$/, '');
  }
  const level = typeof entry['level'] === 'number' ? entry['level'] : 30;
  const word = (LEVEL_WORDS[level] ?? `L${level}`).padEnd(5);
  const shownWord = options.colour ? `\x1b[${LEVEL_COLOURS[level] ?? '0'}m${word}\x1b[0m` : word;
  const parts = [clock(entry['time']), shownWord, typeof entry['msg'] === 'string' ? entry['msg'] : ''];
  const fields: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (OWN_FIELDS.has(key) || value === undefined) continue;
    fields.push(`${key}=${showValue(key, value)}`);
  }
  if (fields.length > 0) parts.push(' ' + fields.join(' '));
  return parts.filter((p) => p !== '').join(' ');
}

/** A writable that takes pino's JSON lines and writes them pretty to `dest`. */
export function createPrettyStream(dest: { write(text: string): unknown }, options: PrettyOptions = {}): { write(text: string): boolean } {
  return {
    write(text: string): boolean {
      // pino writes one line per call; split anyway, so a batch of lines stays a batch of lines.
      let out = '';
      for (const line of text.split('\n')) if (line !== '') out += formatLogLine(line, options) + '\n';
      dest.write(out);
      return true;
    },
  };
}

/** HH:MM:SS in local time: a terminal session runs for hours, not across days. */
function clock(time: unknown): string {
  if (typeof time !== 'number') return '';
  const d = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function showValue(key: string, value: unknown): string {
  // An error object says what matters in its message; its stack belongs to the JSON format.
  if ((key === 'err' || key === 'error') && typeof value === 'object' && value !== null && 'message' in value) {
    const e = value as { type?: unknown; code?: unknown; message?: unknown };
    value = `${typeof e.code === 'string' ? e.code + ': ' : ''}${String(e.message)}`;
  }
  let text: string;
  if (typeof value === 'string') text = /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? text.slice(0, MAX_VALUE_CHARS - 1) + '…' : text;
}
