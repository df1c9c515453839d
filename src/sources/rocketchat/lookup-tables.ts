// The rooms and users the Rocket.Chat mappings join with, reduced at load time to the few fields
// they need (SPEC §2.4, §2.5) and kept in packed tables: memory grows with rooms + users, never
// with subscriptions or messages, and nothing else of the documents is kept (a user's `services`
// is cut out of the bytes before parsing: see strip-services.ts).

import { createRoomTable, type RoomTable, type RoomView } from './room-table.js';
import { createUserTable, type LoadStats, type UserTable, type UserView } from './user-table.js';

export {
  ROOM_ARCHIVED,
  ROOM_COLLIDED,
  ROOM_DIRECT_BY_USERNAME,
  ROOM_DISCUSSION,
  ROOM_ENCRYPTED,
  ROOM_READ_ONLY,
  ROOM_TEAM_MAIN,
  ROOM_TYPE,
  roomTags,
  roomTypeCode,
  type RoomTypeCode,
  type RoomView,
} from './room-table.js';
export { USER_APP, USER_BOT, USER_COLLIDED, USER_INACTIVE, USER_OTHER_TYPE, type LoadStats, type PlaceholderView, type UserView } from './user-table.js';

export interface RocketChatTables {
  addRoom(doc: unknown): void;
  addUser(doc: unknown): void;
  room(id: string): RoomView | undefined;
  user(id: string): UserView | undefined;
  readonly rooms: RoomTable;
  readonly users: UserTable;
  readonly roomStats: LoadStats;
  readonly userStats: LoadStats;
  /** Releases growth slack and the collision indexes: no more rooms, users or placeholders. */
  seal(): void;
}

export function createRocketChatTables(): RocketChatTables {
  const rooms = createRoomTable();
  const users = createUserTable();
  return {
    rooms,
    users,
    roomStats: rooms.stats,
    userStats: users.stats,
    addRoom: rooms.add,
    addUser: users.add,
    room: rooms.find,
    user: users.find,
    seal() {
      rooms.seal();
      users.seal();
    },
  };
}
