// "Did you mean" for a mistyped flag (the nearest name itself: ../did-you-mean.ts).

import { closest } from '../did-you-mean.js';

/**
 * The unknown flag as typed, and the known one to suggest. node:util reads `-kind` as the short
 * flags -k -i -n -d and reports `-k`: the word typed (one dash short of `--kind`) is what to show
 * and match. A lone letter only suggests the one flag it starts (`-h` → `--help`), if any.
 */
export function nearFlag(reported: string, argv: readonly string[], known: readonly string[]): { typed: string; near: string | undefined } {
  const singleDash = /^-[^-]/.test(reported) ? argv.find((a) => /^-[^-]{2,}/.test(a) && a.startsWith(reported)) : undefined;
  const typed = (singleDash ?? reported).split('=')[0]!;
  const word = typed.replace(/^-+/, '');
  if (word.length === 1) {
    const starting = known.filter((k) => k.startsWith(word));
    return { typed, near: starting.length === 1 ? starting[0] : undefined };
  }
  return { typed, near: closest(word, known) };
}
