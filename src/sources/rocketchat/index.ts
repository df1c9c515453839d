// The Rocket.Chat source (`--from rocketchat INPUT --rooms ROOMS --users USERS`): loads the rooms
// and users into compact tables, then maps each subscription of INPUT to a member (the mapping
// step between JSON.parse and validation, map-subscription.ts).
//
// The mapping reads the tables, which live on the main thread, so this source's blocks are
// decoded there (--workers does not apply): sharing the tables with workers would need
// SharedArrayBuffer tables and a loader per worker, for little gain. One subscription costs one
// JSON.parse, two table look-ups and the usual validation, the cost of any member record, far
// above the delivery quota's pace (figures in bench/RESULTS.md). One thread also makes the results
// trivially identical for any --workers.

import type { Log } from '../../log.js';
import type { RecordMapper } from '../mapped-record.js';
import { loadRocketChatTables, type TableFiles } from './load-tables.js';
import { mapSubscription } from './map-subscription.js';

/** Reads the rooms and users exports, then maps subscriptions to members. */
export async function createSubscriptionMapper(files: TableFiles, nowSeconds: number, log: Log): Promise<RecordMapper> {
  const tables = await loadRocketChatTables(files, log);
  return (value) => mapSubscription(value, tables, nowSeconds);
}

export { loadRocketChatTables } from './load-tables.js';
export { mapSubscription } from './map-subscription.js';
export { createRocketChatTables, type RocketChatTables } from './lookup-tables.js';
