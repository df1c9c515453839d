// The pre-pass over the messages export that runs before the users phase: every user a message
// would be imported with (its sender, a direct message's receiver) but who is missing from the
// users export (a deleted user, Rocket.Chat's erasure type "Keep") gets a placeholder user, so
// the users phase imports it and the messages phase finds it. Pure per document; the placeholders
// go into the users table (one packed entry each), nothing else is kept.

import { dateSeconds } from './extended-json.js';
import type { RocketChatTables } from './lookup-tables.js';
import { routeMessage } from './map-message.js';
import { messageBody } from './message-content.js';
import { userState } from './workspace-rules.js';

export interface PlaceholderScanOptions {
  /** `--file-url`: without it a file message with no text is skipped, and needs no users. */
  fileUrl?: string | undefined;
  /** The same predicate as the messages mapping's (a message whose files are all missing may be skipped). */
  fileAvailable?: ((fileId: string) => boolean) | undefined;
  /** UNIX seconds: older messages (outside retention) need no users. 0 or absent: no limit. */
  sentAfter?: number | undefined;
}

export interface PlaceholderCounts {
  /** Messages read by the pre-pass. */
  messages: number;
  /** Placeholder users made (one per missing user id). */
  users: number;
  /** Messages that will be imported with a placeholder as sender or receiver. */
  placeholderMessages: number;
}

export interface PlaceholderScan {
  add(doc: unknown): void;
  readonly counts: PlaceholderCounts;
}

/** Call once every user is in the tables, before they are sealed. */
export function createPlaceholderScan(tables: RocketChatTables, options: PlaceholderScanOptions): PlaceholderScan {
  const counts: PlaceholderCounts = { messages: 0, users: 0, placeholderMessages: 0 };
  const sentAfter = options.sentAfter ?? 0;
  return {
    counts,
    add(doc) {
      counts.messages++;
      const route = routeMessage(doc, tables);
      if (!('muid' in route)) return;
      if (sentAfter > 0 && dateSeconds(route.doc['ts']) < sentAfter) return;
      if (messageBody(route.doc, route.rid, options.fileUrl, options.fileAvailable).kind === 'skip') return;
      const sender = userState(route.senderId, tables).kind;
      const receiver = route.receiverId === undefined ? 'user' : userState(route.receiverId, tables).kind;
      // A message skipped or invalid for its other user needs no placeholder for this one.
      const usable = (k: string): boolean => k === 'user' || k === 'placeholder' || k === 'missing';
      if (!usable(sender) || !usable(receiver)) return;
      let placeholder = false;
      if (sender === 'missing' || sender === 'placeholder') {
        if (tables.users.addPlaceholder(route.senderId, route.senderName)) counts.users++;
        placeholder = true;
      }
      if (route.receiverId !== undefined && (receiver === 'missing' || receiver === 'placeholder')) {
        if (tables.users.addPlaceholder(route.receiverId, undefined)) counts.users++;
        placeholder = true;
      }
      if (placeholder) counts.placeholderMessages++;
    },
  };
}
