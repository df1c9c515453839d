// Whether a bench script was run as the program (node dist/bench/X.js), not imported by a test.

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** `metaUrl`: the calling module's import.meta.url. */
export function isMainModule(metaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === metaUrl;
  } catch {
    return false;
  }
}
