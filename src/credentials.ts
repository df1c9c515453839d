// Where a secret comes from (a flag, a file named by a flag, the environment, or a file named by
// the environment) and that it can travel in an HTTP header. One function per secret kind, used
// by every command that sends one, so they all answer the same way. Messages name the source and
// never show the value.

import { closeSync, openSync, readSync } from 'node:fs';
import { ChatmigrateError } from './errors.js';

/** The four places one secret may come from. */
export interface CredentialSources {
  flag: string;
  fileFlag: string;
  env: string;
  fileEnv: string;
  /** What the secret is, for messages ("CometChat API key"). */
  what: string;
}

export const COMETCHAT_API_KEY_SOURCES: CredentialSources = {
  flag: '--api-key',
  fileFlag: '--api-key-file',
  env: 'COMETCHAT_API_KEY',
  fileEnv: 'COMETCHAT_API_KEY_FILE',
  what: 'CometChat API key',
};

export const ROCKETCHAT_AUTH_TOKEN_SOURCES: CredentialSources = {
  flag: '--auth-token',
  fileFlag: '--auth-token-file',
  env: 'ROCKETCHAT_AUTH_TOKEN',
  fileEnv: 'ROCKETCHAT_AUTH_TOKEN_FILE',
  what: 'Rocket.Chat auth token',
};

/** A key or token is a few dozen characters (a JWT a few KB): anything longer is the wrong file. */
const MAX_SECRET_FILE_BYTES = 16 * 1024;

/** Visible ASCII only: what API keys and tokens are made of, and what a header carries safely. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * `value` trimmed, or a CM_CONFIG error naming `flag` and `envName` when what is left is not
 * visible ASCII. Empty stays empty (the caller decides whether a missing secret is an error).
 */
export function headerSafeCredential(value: string, flag: string, envName: string): string {
  return headerSafe(value, `${flag} (or ${envName})`);
}

function headerSafe(value: string, source: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || HEADER_SAFE.test(trimmed)) return trimmed;
  throw new ChatmigrateError('CM_CONFIG', `${source} holds a character an HTTP header cannot carry (a space, a control character or non-ASCII text); the value is not shown`, {
    hint: `copy the value again from its source; when it comes from a file, check the file for stray characters (e.g. \`od -c\`)`,
  });
}

export interface ResolvedCredential {
  /** Trimmed; '' when the source was given empty (the caller reports the missing secret). */
  value: string;
  /** Where it came from, for messages: a flag or an environment variable name. */
  source: string;
}

/**
 * The secret from the first source given, in this order: the flag or the file flag (giving both
 * is refused), then the environment variable or the file variable (setting both is refused).
 * A flag wins over the environment, as for every other option: the command line is the more
 * deliberate of the two. undefined when none is given. An empty environment variable counts as
 * unset. Files are read once, here.
 */
export function resolveCredential(
  sources: CredentialSources,
  given: { value?: string | undefined; file?: string | undefined },
  env: NodeJS.ProcessEnv,
): ResolvedCredential | undefined {
  if (given.value !== undefined && given.file !== undefined) {
    throw new ChatmigrateError('CM_USAGE', `${sources.flag} and ${sources.fileFlag} both give the ${sources.what}: pass one of them`, {
      hint: `keep ${sources.fileFlag} (the value form shows up in ps)`,
    });
  }
  if (given.value !== undefined) return { value: headerSafe(given.value, sources.flag), source: sources.flag };
  if (given.file !== undefined) return { value: readSecretFile(given.file, sources.fileFlag), source: sources.fileFlag };
  const envValue = env[sources.env] || undefined;
  const envFile = env[sources.fileEnv] || undefined;
  if (envValue !== undefined && envFile !== undefined) {
    throw new ChatmigrateError('CM_CONFIG', `${sources.env} and ${sources.fileEnv} are both set: the ${sources.what} must come from one of them`, {
      hint: `unset one of them (a ${sources.flag} or ${sources.fileFlag} flag would also take precedence over both)`,
    });
  }
  if (envValue !== undefined) return { value: headerSafe(envValue, sources.env), source: sources.env };
  if (envFile !== undefined) return { value: readSecretFile(envFile, sources.fileEnv), source: sources.fileEnv };
  return undefined;
}

/**
 * The secret in `path`: read once, surrounding whitespace (a final line end, CRLF, a BOM)
 * dropped. Refused, naming `source` and the path but never the content: an unreadable, empty or
 * oversized file, or one with more than one line. Read by chunks rather than by its size, so a
 * pipe (`--api-key-file <(pass show cometchat)`) works too.
 */
export function readSecretFile(path: string, source: string): string {
  if (path === '' || path === '-') {
    throw new ChatmigrateError('CM_USAGE', `${source} expects the path of a file holding the secret, got ${JSON.stringify(path)}`, {
      hint: path === '-' ? 'stdin carries the input; put the secret in a file (or use <(command) in bash)' : 'give the path of the file',
    });
  }
  const shown = `${source} ${JSON.stringify(path)}`;
  let bytes: Buffer;
  try {
    bytes = readAtMost(path, MAX_SECRET_FILE_BYTES + 1);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'this user may not read it' : code === 'EISDIR' ? 'it is a directory' : `it cannot be read (${code ?? (err as Error).message})`;
    throw new ChatmigrateError('CM_CONFIG', `${shown}: ${why}`, { hint: `check the path and the file's permissions (e.g. \`ls -l ${path}\`)` });
  }
  if (bytes.length > MAX_SECRET_FILE_BYTES) {
    throw new ChatmigrateError('CM_CONFIG', `${shown} is over ${MAX_SECRET_FILE_BYTES / 1024} KB: a secret file holds the secret alone; the content is not shown`, {
      hint: 'check that the path names the key file, not another file',
    });
  }
  const text = bytes.toString('utf8').trim();
  if (text === '') throw new ChatmigrateError('CM_CONFIG', `${shown} is empty`, { hint: 'write the secret into the file, alone on one line' });
  const lines = text.split(/\r\n|\r|\n/).length;
  if (lines > 1) {
    throw new ChatmigrateError('CM_CONFIG', `${shown} holds ${lines} lines: it must hold the secret alone on one line; the content is not shown`, {
      hint: 'keep only the secret in the file (no comments, no NAME=value)',
    });
  }
  return headerSafe(text, shown);
}

function readAtMost(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const n = readSync(fd, buffer, length, limit - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
