// How deep a record may nest arrays and objects. JSON.parse reads any depth (V8's parser does not
// recurse), but JSON.stringify, the bson library and every recursive walk do, and run out of
// stack at a few thousand levels: a record nested deeper is refused as soon as it is parsed
// (NESTED_TOO_DEEP), so nothing after that ever meets one. No real export comes near the limit
// (MongoDB itself stores at most 100 levels; CometChat's metadata is 5 KB).

/** Levels of arrays and objects a record may have (the record itself is level 1). */
export const MAX_NESTING = 1000;

/**
 * A record of `bytes` bytes (JSON text or a BSON document) may nest deeper than MAX_NESTING only
 * if it has at least two bytes per level ("[" and "]"; a BSON level takes 7): shorter records
 * need no walk.
 */
export function mayNestTooDeep(bytes: number): boolean {
  return bytes > 2 * MAX_NESTING;
}

/**
 * Where `value` nests arrays or objects more than `limit` levels deep: the path of the field it
 * happens under, to two levels ("userDetails.metadata"; "" when the record itself is an array),
 * or undefined when it does not. Iterative: any depth.
 */
export function tooDeepAt(value: unknown, limit = MAX_NESTING): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: object[] = [value];
  const depths: number[] = [1];
  const paths: string[] = [''];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const depth = depths.pop()!;
    const path = paths.pop()!;
    if (depth > limit) return path;
    const named = depth <= 2 && !Array.isArray(v);
    for (const [key, child] of Object.entries(v)) {
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
        paths.push(named ? (path === '' ? key : `${path}.${key}`) : path);
      }
    }
  }
  return undefined;
}

/** A stack overflow (a RangeError), as a recursive library meets a value nested deeper than it can go. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}
