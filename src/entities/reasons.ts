// Stable reason codes for records that are not delivered. Each record outcome that is not a
// success carries one of these (or a target's own error code, e.g. ERR_GUID_NOT_FOUND) into the
// report and the rejects file. Codes never change meaning once released.

export const REASONS = {
  NOT_AN_OBJECT: 'the record is not a JSON object',
  MISSING_GUID: 'guid is missing',
  INVALID_GUID: 'guid must be 1-100 characters of a-z 0-9 _ -',
  MISSING_UID: 'uid is missing',
  INVALID_UID: 'uid must be 1-100 characters of a-z 0-9 _ -',
  INVALID_MEMBER_ID: 'memberId (or its map key) must equal <guid>_member_<uid>',
  INVALID_KEY: "the record's map key is not its id",
  MISSING_NAME: 'name is missing',
  INVALID_NAME: 'name must be visible text of at most 100 characters',
  INVALID_GROUP_TYPE: 'type must be public, private or password',
  MISSING_PASSWORD: 'a password group needs a password',
  INVALID_OWNER_DETAILS: "groupOwnerDetails must be a user whose uid is the group's owner",
  INVALID_FIELD: 'a field has an unusable value (the message names it)',
  INVALID_SCOPE: 'scope must be admin, moderator or participant (or owner/member)',
  INVALID_IS_BANNED: 'isBanned must be a boolean',
  INVALID_TIMESTAMP: 'a timestamp is not seconds, milliseconds, ISO-8601 or {"$date": ...}',
  JOINED_BEFORE_GROUP_CREATED: 'joinedAt is earlier than the group createdAt (CometChat: ERR_IMPORT_INVALID_JOINEDAT)',
  JOINED_IN_FUTURE: 'joinedAt is in the future (CometChat: ERR_IMPORT_INVALID_JOINEDAT)',
  INVALID_GROUP_DETAILS: 'groupDetails needs guid (= member guid), name and type public/private/password',
  INVALID_USER_DETAILS: 'userDetails needs uid (= member uid) and name',
  LIMIT_EXCEEDED: "a value is over CometChat's documented limits (names 100, URLs 3000, metadata 5 KB, 25 tags of 100)",
  DUPLICATE_CONFLICT: 'same memberId as an earlier record but different content; the first one wins',
  EXCLUDED: 'excluded by a selection rule',
  ROOM_NOT_FOUND: "Rocket.Chat: the subscription's room (rid) is not in the --rooms export",
  USER_NOT_FOUND: "Rocket.Chat: the subscription's user (u._id) is not in the --users export",
  UNSUPPORTED_ROOM_TYPE: 'Rocket.Chat: the room type (t) is not c, p, d, l or v',
} as const;

export type ReasonCode = keyof typeof REASONS;
