// Sandbox options: the public shape, documented defaults, and one check at the edge.

import { ChatmigrateError } from '../errors.js';
import type { FaultOptions } from './faults.js';
import type { CometChatRouteOptions } from './cometchat-import.js';
import { resolveRocketChatOptions, type ResolvedRocketChatOptions, type RocketChatSandboxOptions } from './rocketchat-options.js';

export interface SandboxOptions {
  /** 0 (default) = a free port. The sandbox listens on 127.0.0.1 only. */
  port?: number;
  apiKey: string;
  /** Requests admitted per window; default 60 (CometChat's documented 60/min); 0 or Infinity = unlimited. */
  rpm?: number;
  /** Sliding window length; default 60000 (tests use short windows). */
  windowMs?: number;
  /** Entities per request; default 50 (CometChat's documented limit). */
  maxEntities?: number;
  /** Status of auth errors; CometChat does not document it, default 401. */
  authErrorStatus?: number;
  /** Answer data.<id>.data.data, the deeper variant some documented examples show. */
  nestedReplies?: boolean;
  /** Members without groupDetails/userDetails need an existing group/user; default true. */
  requireKnownGroupsAndUsers?: boolean;
  /** Keep each accepted entity's whole JSON (default) or only its reply data (faster, less memory: for benchmarks). */
  storeFullRecords?: boolean;
  /** One rate window per endpoint instead of one shared by the four (default). */
  ratePerEndpoint?: boolean;
  /** Messages sent more than this many days before the sandbox clock are refused; default 180 (CometChat's default history), 0 = none. */
  messageRetentionDays?: number;
  faults?: FaultOptions;
  /** The Rocket.Chat import endpoints (/api/v1/...) served beside CometChat's. */
  rocketchat?: RocketChatSandboxOptions;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

/** The CometChat routes' options plus what the server itself needs. */
export interface ResolvedSandboxOptions extends CometChatRouteOptions {
  port: number;
  faults: FaultOptions;
  rocketchat: ResolvedRocketChatOptions;
  now: () => number;
}

function bad(option: string, expected: string, given: unknown): ChatmigrateError {
  const shown = typeof given === 'string' ? JSON.stringify(given) : String(given);
  return new ChatmigrateError('CM_CONFIG', `sandbox option ${option} expects ${expected}, got ${shown}`);
}

function intIn(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) throw bad(option, `an integer from ${min} to ${max}`, value);
  return value;
}

function rate(option: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw bad(option, 'a number from 0 to 1', value);
  return value;
}

function nonNegative(option: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(option, 'a number >= 0', value);
  return value;
}

export function resolveSandboxOptions(o: SandboxOptions): ResolvedSandboxOptions {
  if (typeof o.apiKey !== 'string' || o.apiKey.length === 0) {
    // Never show the value: it may be a real key.
    throw new ChatmigrateError('CM_CONFIG', 'sandbox option apiKey expects a non-empty string');
  }
  const rpm = o.rpm ?? 60;
  if (rpm !== Number.POSITIVE_INFINITY && (!Number.isInteger(rpm) || rpm < 0)) {
    throw bad('rpm', 'an integer >= 0 (0 or Infinity = unlimited)', rpm);
  }
  const f = o.faults ?? {};
  const faults: FaultOptions = {
    seed: f.seed === undefined ? 1 : intIn('faults.seed', f.seed, 1, -0x80000000, 0xffffffff),
    latencyMs: nonNegative('faults.latencyMs', f.latencyMs),
    latencyJitterMs: nonNegative('faults.latencyJitterMs', f.latencyJitterMs),
    errorRate: rate('faults.errorRate', f.errorRate),
    resetRate: rate('faults.resetRate', f.resetRate),
    spurious429Rate: rate('faults.spurious429Rate', f.spurious429Rate),
    partialApplyRate: rate('faults.partialApplyRate', f.partialApplyRate),
    stallAfter: f.stallAfter === undefined ? undefined : intIn('faults.stallAfter', f.stallAfter, 0, 0, Number.MAX_SAFE_INTEGER),
  };
  return Object.freeze({
    port: intIn('port', o.port, 0, 0, 65535),
    apiKey: o.apiKey,
    rpm,
    windowMs: intIn('windowMs', o.windowMs, 60_000, 1, 24 * 3600 * 1000),
    maxEntities: intIn('maxEntities', o.maxEntities, 50, 1, 100_000),
    authErrorStatus: intIn('authErrorStatus', o.authErrorStatus, 401, 400, 599),
    nestedReplies: o.nestedReplies ?? false,
    requireKnownGroupsAndUsers: o.requireKnownGroupsAndUsers ?? true,
    storeFullRecords: o.storeFullRecords ?? true,
    ratePerEndpoint: o.ratePerEndpoint ?? false,
    messageRetentionDays: intIn('messageRetentionDays', o.messageRetentionDays, 180, 0, 100_000),
    faults: Object.freeze(faults),
    rocketchat: resolveRocketChatOptions(o.rocketchat),
    now: o.now ?? Date.now,
  });
}
