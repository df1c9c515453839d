// The examples of the seed documents (../shared/seeds/): CometChat's Import Group Members request
// and its documented response. Tests send them to the sandbox and expect exactly this.

export const SEED_REQUEST = {
  members: {
    guid1_member_uid2: {
      memberId: 'guid1_member_uid2',
      uid: 'uid2',
      guid: 'guid1',
      joinedAt: '1673421419',
      scope: 'admin',
      groupDetails: { guid: 'guid1', name: 'guid1', type: 'public', owner: 'uid1', createdAt: '1673421419' },
      userDetails: { uid: 'uid2', name: 'uid2' },
    },
  },
};

export const SEED_RESPONSE = {
  data: { guid1_member_uid2: { success: true, data: { guid: 'guid1', uid: 'uid2', scope: 'admin', joinedAt: 1673421419 } } },
};
