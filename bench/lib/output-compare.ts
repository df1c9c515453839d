// What `ab:outputs` compares, as pure functions: reports with their clock readings removed (and
// keys sorted: a report is JSON for programs, its key order carries nothing), text files byte for
// byte, and the first differing lines of two texts as a unified diff hunk.

/**
 * Report fields that are clock readings, so two runs of the same build differ in them: how long
 * the run took, when it started and ended, requests per minute achieved, the share of the quota
 * used (requests ÷ the rate windows the run's duration spanned), and a resumed run's earlier time.
 */
export const CLOCK_FIELDS: readonly string[] = ['durationMs', 'startedAt', 'finishedAt', 'achievedRpm', 'budgetUsed', 'resumed.earlierRunsMs'];

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

function deletePath(value: unknown, path: readonly string[]): void {
  if (value === null || typeof value !== 'object') return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  const obj = value as Record<string, unknown>;
  if (rest.length === 0) delete obj[head];
  else deletePath(obj[head], rest);
}

/** The report's text with `fields` (dotted paths) removed and keys sorted, one field per line. */
export function normalizeReport(text: string, fields: readonly string[] = CLOCK_FIELDS): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text; // not JSON: compared as it is
  }
  for (const field of fields) deletePath(value, field.split('.'));
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

export interface DiffOptions {
  /** Unchanged lines shown around changes. */
  context?: number;
  /** Changed lines shown in all (the first ones). */
  maxLines?: number;
  /** Line cut to this many characters (accepted records are long). */
  maxWidth?: number;
}

/** Lines aligned by a longest common subsequence: ' ' both, '-' only in a, '+' only in b. */
function align(a: readonly string[], b: readonly string[]): Array<[' ' | '-' | '+', string]> {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: common lines of a[i..] and b[j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const out: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push([' ', a[i]!]);
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) {
      out.push(['-', a[i++]!]); // removals before additions, as diff prints them
    } else {
      out.push(['+', b[j++]!]);
    }
  }
  return out;
}

/** Lines after the first difference that are aligned line by line (beyond them: only counted). */
const WINDOW = 400;

/**
 * A unified diff hunk of the first differences between `a` (the ref's) and `b` (this build's):
 * from the first differing line, aligned line by line over a window, the first `maxLines`
 * changed lines with `context` unchanged lines around them; undefined when the texts are equal.
 */
export function firstDifference(a: string, b: string, labels: { a: string; b: string }, options: DiffOptions = {}): string | undefined {
  if (a === b) return undefined;
  const { context = 3, maxLines = 12, maxWidth = 300 } = options;
  const al = a.split('\n');
  const bl = b.split('\n');
  let start = 0;
  while (start < al.length && start < bl.length && al[start] === bl[start]) start++;
  const from = Math.max(0, start - context);
  const ops = align(al.slice(start, start + WINDOW), bl.slice(start, start + WINDOW));
  const cut = (line: string) => (line.length > maxWidth ? `${line.slice(0, maxWidth)}… (${line.length} characters)` : line);
  const body: string[] = al.slice(from, start).map((l) => ` ${cut(l)}`);
  let aCount = start - from;
  let bCount = start - from;
  let changes = 0;
  let gap = 0; // unchanged lines since the last change
  let k = 0;
  for (; k < ops.length; k++) {
    const [op, line] = ops[k]!;
    if (op !== ' ') {
      if (changes === maxLines) break;
      changes++;
      gap = 0;
    } else if (++gap > context) {
      // The hunk ends here unless the next change is close enough to join it (as diff -u does).
      const next = ops.findIndex((o, x) => x > k && o[0] !== ' ');
      if (next < 0 || next - k > context) break;
    }
    body.push(`${op}${cut(line)}`);
    if (op !== '+') aCount++;
    if (op !== '-') bCount++;
  }
  const left = ops.slice(k).filter(([op]) => op !== ' ').length;
  const lines = [`--- ${labels.a}`, `+++ ${labels.b}`, `@@ -${from + 1},${aCount} +${from + 1},${bCount} @@`, ...body];
  if (left > 0 || al.length - start > WINDOW || bl.length - start > WINDOW) {
    lines.push(`… more differences follow (${al.length} lines in ${labels.a}, ${bl.length} in ${labels.b}; the first differs at line ${start + 1})`);
  }
  return lines.join('\n');
}
