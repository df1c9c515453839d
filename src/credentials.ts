// Secrets travel in HTTP headers, which cannot carry control characters or non-ASCII text. A
// value that cannot be sent is refused before any request, naming where it came from but never
// showing it; surrounding whitespace (a token file saved with CRLF line ends) is dropped.

import { ChatmigrateError } from './errors.js';

/** Visible ASCII only: what API keys and tokens are made of, and what a header carries safely. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * `value` trimmed, or a CM_CONFIG error naming `flag` and `envName` when what is left is not
 * visible ASCII. Empty stays empty (the caller decides whether a missing secret is an error).
 */
export function headerSafeCredential(value: string, flag: string, envName: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || HEADER_SAFE.test(trimmed)) return trimmed;
  throw new ChatmigrateError('CM_CONFIG', `${flag} (or ${envName}) holds a character an HTTP header cannot carry (a space, a control character or non-ASCII text); the value is not shown`, {
    hint: `copy the value again from its source; when it comes from a file, check the file for stray characters (e.g. \`od -c\`)`,
  });
}
