// The unit of work: a normalized CometChat group-member record (SPEC §1), as sent to the API.

export type Scope = 'admin' | 'moderator' | 'participant';
export type GroupType = 'public' | 'private' | 'password';

/** Timestamps are 10-digit UNIX seconds written as strings, exactly as CometChat's own example. */
export type UnixSecondsText = string;

export interface GroupDetails {
  guid: string;
  name: string;
  type: GroupType;
  owner?: string;
  createdAt?: UnixSecondsText;
  icon?: string;
  password?: string;
  metadata?: Record<string, unknown>;
  tags?: string[];
}

export interface UserDetails {
  uid: string;
  name: string;
  avatar?: string;
  link?: string;
  role?: string;
  createdAt?: UnixSecondsText;
  lastActiveAt?: UnixSecondsText;
  metadata?: Record<string, unknown>;
  tags?: string[];
  deactivatedAt?: UnixSecondsText;
}

export interface Member {
  memberId: string;
  uid: string;
  guid: string;
  joinedAt?: UnixSecondsText;
  scope: Scope;
  isBanned?: boolean;
  groupDetails?: GroupDetails;
  userDetails?: UserDetails;
}
