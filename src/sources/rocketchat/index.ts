// The Rocket.Chat source (`--from rocketchat INPUT --rooms ROOMS --users USERS`): loads the rooms
// and users into compact tables, then processes blocks of subscriptions like any other source,
// with the join + mapping step (map-subscription.ts) between JSON.parse and validation.
//
// Why on the main thread only (--workers is ignored for this source): the mapper reads the
// tables, which live in this thread; sharing them with workers would mean SharedArrayBuffer
// tables and a second loader per worker, for little gain. The work per subscription is one
// JSON.parse of the subscription, two table look-ups and the usual validation — the same order of
// cost as any member record (PERF-NOTES: ~130-150k records/s on one core), while the CometChat
// quota delivers 3,000 members a minute by default. Measured (validate, 200k generated
// subscriptions of ~330 bytes, 2k rooms, 50k users of ~230 bytes, Node 20, a busy 2-core VM):
// tables loaded in 0.2-0.4 s, then ~90-110k subscriptions/s on the main thread — 10M
// subscriptions in about 2 minutes, against ~55 hours of delivery at the default quota. One thread also makes the results
// trivially identical for any --workers.

import type { Logger } from '../../observability/logger.js';
import type { BlockProcessor } from '../../transforms/block-processor.js';
import { processBlock, type BlockInput, type BlockResult, type ProcessOptions } from '../../transforms/record-block.js';
import { ChatmigrateError } from '../../errors.js';
import { loadRocketChatTables, type TableFiles } from './load-tables.js';
import { mapSubscription } from './map-subscription.js';
import type { RocketChatTables } from './lookup-tables.js';

export interface RocketChatSource extends BlockProcessor {
  /** Reads the rooms and users exports; must finish before the first block is processed. */
  load(log: Logger): Promise<void>;
}

export function createRocketChatSource(files: TableFiles, options: ProcessOptions): RocketChatSource {
  let tables: RocketChatTables | undefined;
  let map: ((value: unknown) => ReturnType<typeof mapSubscription>) | undefined;
  return {
    threads: 0,
    async load(log) {
      tables = await loadRocketChatTables(files, log);
      const t = tables;
      map = (value) => mapSubscription(value, t, options.nowSeconds);
    },
    process(input: BlockInput, wantJson?: boolean): Promise<BlockResult> {
      if (!map) return Promise.reject(new ChatmigrateError('CM_INTERNAL', 'rocket.chat tables used before they were loaded'));
      try {
        return Promise.resolve(processBlock(input, wantJson === undefined ? options : { ...options, wantJson }, map));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async close() {
      tables = undefined;
      map = undefined;
    },
  };
}

export { loadRocketChatTables } from './load-tables.js';
export { mapSubscription } from './map-subscription.js';
export { createRocketChatTables, type RocketChatTables } from './lookup-tables.js';
