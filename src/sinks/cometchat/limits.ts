// CometChat target config and limits: the platform's documented numbers (with their source) and the config check.

import { ChatmigrateError } from '../../errors.js';
import type { DeliverySettings } from '../delivery-settings.js';

export const COMETCHAT_LIMITS = {
  /**
   * At most 50 entities per request, for every kind. Source: CometChat's Data Import API documentation,
   * as restated in SPEC §3.1 and §1b ("at most 50 entities per request"). `--batch-size` may only lower it.
   */
  maxEntitiesPerRequest: 50,
  /**
   * 60 requests per minute for the data-import endpoints. Source: CometChat's Data Import API
   * documentation, as restated in SPEC §3.1. The quota can be raised by agreement with CometChat,
   * so it is only the default of `--rpm`; whether users/groups/members share it is undocumented,
   * so we budget per process and honour every 429.
   */
  requestsPerMinute: 60,
  /** The quota's window: "per minute". Tests shorten it through `rateWindowMs`. */
  rateWindowMs: 60_000,
} as const;

/**
 * The data-import endpoint of one entity kind, appended to the API root (which carries the
 * version, e.g. /v3): `/data_import/<kind>`. Source: SPEC §3.1 (members, users, groups) and §1b (messages).
 */
export function importPath(endpoint: string): string {
  return `/data_import/${endpoint}`;
}

/** Endpoint names and body wrapper keys: lowercase words (users, groups, members, messages). */
const KIND_NAME = /^[a-z][a-z_]{0,63}$/;

/** Error codes CometChat documents for auth failures (SPEC §3.1): fatal, never retried. */
export const AUTH_ERROR_CODES: ReadonlySet<string> = new Set([
  'AUTH_ERR_EMPTY_APIKEY',
  'AUTH_ERR_APIKEY_NOT_FOUND',
  'AUTH_ERR_NO_ACCESS',
]);

/** Per-entity codes that mean "already there": the record counts as delivered (SPEC §3.1). */
export const ALREADY_PRESENT_CODES: ReadonlySet<string> = new Set([
  'ERR_ALREADY_JOINED',
  'ERR_UID_ALREADY_EXISTS',
  'ERR_GUID_ALREADY_EXISTS',
  'ERR_IMPORT_MUID_ALREADY_EXISTS',
]);

/** The throttling code (HTTP 429 or per entity). */
export const THROTTLE_CODE = 'ERR_TOO_MANY_REQUESTS';

/**
 * Whole-request codes that say the request itself is malformed (a bad wrapper for its kind): every
 * entity is rejected with it, no retry. Source: SPEC §3.1 (ERR_IMPORT_INVALID_MEMBER_FORMAT); the
 * other kinds' codes follow the same naming.
 */
export const WHOLE_BATCH_REJECT_CODES: ReadonlySet<string> = new Set([
  'ERR_IMPORT_INVALID_MEMBER_FORMAT',
  'ERR_IMPORT_INVALID_USER_FORMAT',
  'ERR_IMPORT_INVALID_GROUP_FORMAT',
  'ERR_IMPORT_INVALID_MESSAGE_FORMAT',
  'ERR_BAD_REQUEST',
]);

export interface CometChatTargetConfig extends DeliverySettings {
  /** API root including the version, e.g. https://APPID.api-us.cometchat.io/v3 */
  baseUrl: string;
  apiKey: string;
  /** Entities per request, at most 50. */
  batchSize: number;
  /** Keep-alive sockets, and the cap on requests in flight. */
  connections: number;
  /** Batches admitted at once (in flight, waiting for a socket or backing off); default 2 x connections. */
  window?: number;
  /** Throttled attempts a batch may repeat without spending a retry; default 100. */
  maxFreeThrottles?: number;
  /** The entity kind's endpoint, `/data_import/<endpoint>`: users, groups, members (default) or messages. */
  endpoint?: string;
  /** The body's wrapper key, `{"<wrapperKey>": {"<key>": record, ...}}`; default: the endpoint name. */
  wrapperKey?: string;
  /** Deliver in input order: one batch on the wire at a time, settled before the next is sent (messages). */
  ordered?: boolean;
  /** Imported outcomes carry the id the reply gives each entity (messages: CometChat's message id). */
  wantIds?: boolean;
}

function configError(option: string, expected: string, given: unknown): ChatmigrateError {
  return new ChatmigrateError('CM_CONFIG', `${option} expects ${expected}, got ${JSON.stringify(given)}`);
}

/** Checks the config once at the edge (messages name the option, the expectation and the value); returns the endpoint. */
export function checkCometChatConfig(config: CometChatTargetConfig): { origin: string; path: string; endpoint: string; wrapperKey: string } {
  const endpoint = config.endpoint ?? 'members';
  const wrapperKey = config.wrapperKey ?? endpoint;
  if (!KIND_NAME.test(endpoint)) throw configError('endpoint', 'an entity kind such as users, groups, members or messages', config.endpoint);
  if (!KIND_NAME.test(wrapperKey)) throw configError('wrapperKey', 'an entity kind such as users, groups, members or messages', config.wrapperKey);
  const ints: Array<[keyof CometChatTargetConfig, number, number]> = [
    ['batchSize', 1, COMETCHAT_LIMITS.maxEntitiesPerRequest],
    ['rpm', 0, Number.MAX_SAFE_INTEGER],
    ['rateWindowMs', 1, Number.MAX_SAFE_INTEGER],
    ['connections', 1, 1024],
    ['maxRetries', 0, 1000],
    ['retryMinMs', 0, Number.MAX_SAFE_INTEGER],
    ['retryMaxMs', 0, Number.MAX_SAFE_INTEGER],
    ['requestTimeoutMs', 1, Number.MAX_SAFE_INTEGER],
  ];
  if (config.window !== undefined) ints.push(['window', 1, 100_000]);
  if (config.maxFreeThrottles !== undefined) ints.push(['maxFreeThrottles', 0, 1_000_000]);
  for (const [name, min, max] of ints) {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw configError(name, `an integer from ${min} to ${max}`, v);
  }
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    throw configError('baseUrl', 'an http(s) URL such as https://APPID.api-us.cometchat.io/v3', config.baseUrl);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError('baseUrl', 'an http(s) URL', config.baseUrl);
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') + importPath(endpoint), endpoint, wrapperKey };
}

