// The Rocket.Chat options of the member pipeline (`--from rocketchat --rooms --users`) and the
// selection flags that belong to `--to rocketchat` only: checked where the run's config is
// resolved, so a misplaced flag is refused instead of silently doing nothing.

import { ChatmigrateError } from './errors.js';
import type { RunOptions } from './config.js';

interface CheckedPaths {
  from: string;
  to: string;
  input?: string | undefined;
  rooms?: string | undefined;
  users?: string | undefined;
  rejects?: string | undefined;
  report?: string | undefined;
  checkpoint?: string | undefined;
}

export function checkRocketChatOptions(o: CheckedPaths, options: RunOptions): void {
  checkRocketChatFiles(o);
  // The selection rules belong to `--to rocketchat` (its own config); here they would do nothing.
  for (const [flag, given] of [['--skip-bots', options.skipBots], ['--skip-deleted', options.skipDeleted], ['--skip-archived', options.skipArchived], ['--skip-direct', options.skipDirect], ['--exclude', options.exclude]] as const) {
    if (given !== undefined && given !== false) {
      throw new ChatmigrateError('CM_USAGE', `${flag} selects what a Rocket.Chat import takes: it needs --to rocketchat, got --to ${o.to}`, {
        hint: 'to leave members out of a CometChat import, filter the export (or use --shard)',
      });
    }
  }
}

/** --rooms and --users go with --from rocketchat, both of them, and are files. */
function checkRocketChatFiles(o: CheckedPaths): void {
  const files = [['--rooms', o.rooms], ['--users', o.users]] as const;
  if (o.from !== 'rocketchat') {
    for (const [flag, path] of files) {
      if (path !== undefined) throw new ChatmigrateError('CM_USAGE', `${flag} is only for --from rocketchat, got --from ${o.from}`, { hint: 'add --from rocketchat, or drop --rooms/--users' });
    }
    return;
  }
  for (const [flag, path] of files) {
    if (path === undefined || path === '') {
      throw new ChatmigrateError('CM_USAGE', `--from rocketchat needs ${flag} FILE (the mongoexport of ${flag === '--rooms' ? 'rocketchat_room' : 'users'})`, { hint: 'chatmigrate validate subscriptions.json --from rocketchat --rooms rooms.json --users users.json' });
    }
    if (path === '-') throw new ChatmigrateError('CM_USAGE', `${flag} expects a file, got "-" (stdin carries the subscriptions)`);
    // That it is not INPUT, the other table or an output is checked with every file of the run (accounting/output-paths.ts).
  }
}
