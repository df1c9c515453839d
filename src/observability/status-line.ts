// The one status line a terminal shows (the progress line). Anything else written to stderr,
// log lines above all, clears it first, so the two never end up glued on one row; the line is
// drawn again on its next tick.

let clearLine: (() => void) | undefined;

export const statusLine = {
  /** Registers (or, with undefined, removes) the function that clears the drawn line. */
  set(clear: (() => void) | undefined): void {
    clearLine = clear;
  },
  /** Clears the line if one is drawn; call before writing anything else to the terminal. */
  clear(): void {
    clearLine?.();
  },
};
