// Pure classifier of Rocket.Chat REST replies: ok, retry (throttled or transient), the body form
// refused (invalid-params: the caller falls back once), or a final error with a clear message.

import { readWaitMs, type HeaderBag } from '../rate-hints.js';

export type RocketChatDecision =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'retry'; reason: string; throttled: boolean; waitMs: number | undefined }
  | { kind: 'invalidParams'; message: string }
  | { kind: 'fatal'; errorCode: 'CM_AUTH' | 'CM_TARGET'; message: string; hint: string | undefined };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{success: false, error: "text [code]", errorType}` → [code, text]; 401's `{status, message}` too. */
export function readRocketChatError(body: unknown): { code: string | undefined; text: string } {
  if (!isObject(body)) return { code: undefined, text: '' };
  const error = typeof body['error'] === 'string' ? body['error'] : typeof body['message'] === 'string' ? body['message'] : '';
  const bracket = /\[([\w-]+)\]\s*$/.exec(error)?.[1];
  const code = typeof body['errorType'] === 'string' ? body['errorType'] : bracket;
  return { code, text: error };
}

/** Short excerpt of a non-JSON body (a proxy page) for messages. */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? flat.slice(0, 117) + '...' : flat;
}

export function classifyRocketChatReply(operation: string, status: number, headers: HeaderBag, bodyText: string, nowMs: number): RocketChatDecision {
  let body: unknown;
  try {
    body = bodyText === '' ? undefined : JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const { code, text } = readRocketChatError(body);
  const said = text !== '' ? text : excerpt(bodyText);
  if (status === 429 || code === 'too-many-requests' || code === 'error-too-many-requests') {
    return { kind: 'retry', reason: `HTTP ${status} too many requests`, throttled: true, waitMs: readWaitMs(headers, text, nowMs) };
  }
  if (status >= 500 || status === 408) return { kind: 'retry', reason: `HTTP ${status}${said ? `: ${said}` : ''}`, throttled: false, waitMs: undefined };
  if (status === 401) {
    return {
      kind: 'fatal',
      errorCode: 'CM_AUTH',
      message: `Rocket.Chat refused the credentials (HTTP 401${said ? `: ${said}` : ''})`,
      hint: 'check --user-id and the token (--auth-token-file, --auth-token, or ROCKETCHAT_USER_ID / ROCKETCHAT_AUTH_TOKEN_FILE / ROCKETCHAT_AUTH_TOKEN): the token must belong to that user id and not be expired',
    };
  }
  if (status === 403 || code === 'error-unauthorized' || code === 'error-action-not-allowed') {
    return {
      kind: 'fatal',
      errorCode: 'CM_AUTH',
      message: `Rocket.Chat answered ${operation} with HTTP ${status}: the user lacks the run-import permission${said ? ` (${said})` : ''}`,
      hint: 'give the user a role holding run-import (Administration → Permissions), or use an admin\'s token',
    };
  }
  if (code === 'error-operation-not-found') {
    return {
      kind: 'fatal',
      errorCode: 'CM_TARGET',
      message: `Rocket.Chat has no import operation to start (${operation}: error-operation-not-found)`,
      hint: 'upload and prepare an import file first (Administration → Import → Import new file), then run again',
    };
  }
  if (status === 400 && code === 'invalid-params') return { kind: 'invalidParams', message: said };
  if (status >= 200 && status < 300) {
    if (!isObject(body)) return { kind: 'fatal', errorCode: 'CM_TARGET', message: `${operation} answered HTTP ${status} with a body that is not a JSON object: ${excerpt(bodyText)}`, hint: undefined };
    if (body['success'] === false) return { kind: 'fatal', errorCode: 'CM_TARGET', message: `${operation} failed: ${said || 'success: false without an error'}`, hint: undefined };
    return { kind: 'ok', body };
  }
  return { kind: 'fatal', errorCode: 'CM_TARGET', message: `${operation} answered HTTP ${status}${code ? ` ${code}` : ''}${said ? `: ${said}` : ''}`, hint: status === 404 ? 'check --base-url: it is the server root (the tool appends /api/v1/...)' : undefined };
}
