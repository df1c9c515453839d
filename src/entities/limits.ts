// CometChat's documented limits for imported entities (users, groups, members; SPEC §1): names
// 100 characters, URLs 3000, metadata 5 KB of JSON, at most 25 tags of 100 characters.

export const LIMITS = {
  nameChars: 100,
  urlChars: 3000,
  passwordChars: 100,
  metadataBytes: 5 * 1024,
  tags: 25,
  tagChars: 100,
} as const;
