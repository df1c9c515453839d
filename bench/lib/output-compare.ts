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
  /** Unchanged lines shown before the first difference. */
  context?: number;
  /** Differing lines shown per side. */
  maxLines?: number;
  /** Line cut to this many characters (accepted records are long). */
  maxWidth?: number;
}

/**
 * A unified diff hunk from the first differing line of `a` (the ref's) to the last one before a
 * common tail of `b` (this build's), capped; undefined when the texts are equal.
 */
export function firstDifference(a: string, b: string, labels: { a: string; b: string }, options: DiffOptions = {}): string | undefined {
  if (a === b) return undefined;
  const { context = 3, maxLines = 12, maxWidth = 300 } = options;
  const al = a.split('\n');
  const bl = b.split('\n');
  let start = 0;
  while (start < al.length && start < bl.length && al[start] === bl[start]) start++;
  let aEnd = al.length;
  let bEnd = bl.length;
  while (aEnd > start && bEnd > start && al[aEnd - 1] === bl[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  const cut = (line: string) => (line.length > maxWidth ? `${line.slice(0, maxWidth)}… (${line.length} characters)` : line);
  const from = Math.max(0, start - context);
  const aShown = al.slice(start, Math.min(aEnd, start + maxLines));
  const bShown = bl.slice(start, Math.min(bEnd, start + maxLines));
  const lines = [
    `--- ${labels.a}`,
    `+++ ${labels.b}`,
    `@@ -${from + 1},${start - from + aShown.length} +${from + 1},${start - from + bShown.length} @@`,
    ...al.slice(from, start).map((l) => ` ${cut(l)}`),
    ...aShown.map((l) => `-${cut(l)}`),
    ...bShown.map((l) => `+${cut(l)}`),
  ];
  const more = aEnd - start - aShown.length + (bEnd - start - bShown.length);
  if (more > 0) lines.push(`… ${more} more differing lines (${aEnd - start} in ${labels.a}, ${bEnd - start} in ${labels.b} from line ${start + 1})`);
  return lines.join('\n');
}
