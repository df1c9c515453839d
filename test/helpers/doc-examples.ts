// The request and response examples of CometChat's Data Import OpenAPI file (cometchat/docs,
// data-import-apis.json @102307cc) for users, groups and messages, as its curl examples send them.
// The members one is the seed (seeds.ts). Its typos are kept: they are what the docs send.

export const USERS_REQUEST = {
  users: {
    uid1: {
      uid: 'uid1',
      name: 'uid1',
      avatar: 'https://assets.cometchat.io/sampleapp/v2/users/cometchat-uid-1.webp',
      createdAt: '1673421419',
      metadata: { key: 'value' },
      lastActiveAt: '1673421425',
    },
  },
};

export const USERS_RESPONSE = {
  data: {
    uid1: {
      success: true,
      data: {
        uid: 'uid1',
        name: 'uid1',
        avatar: 'https://assets.cometchat.io/sampleapp/v2/users/cometchat-uid-1.webp',
        metadata: { key: 'value' },
        status: 'offline',
        role: 'default',
        lastActiveAt: 1673421425,
        createdAt: 1673421419,
      },
    },
  },
};

export const GROUPS_REQUEST = {
  groups: {
    guid1: {
      guid: 'guid1',
      name: 'guid1',
      createdAt: '1673421419',
      type: 'public',
      owner: 'cometchat-uid-1',
      groupOwnerDetails: { uid: 'cometchat-uid-1', name: 'cometchat-uid-1' },
    },
  },
};

export const GROUPS_RESPONSE = {
  data: {
    guid1: {
      success: true,
      data: { guid: 'guid1', name: 'guid1', type: 'public', conversationId: 'group_guid1', createdAt: 1673421419, owner: 'cometchat-uid-1' },
    },
  },
};

const AVATAR = 'https://assets.cometchat.io/sampleapp/v2/users/cometchat-uid-1.webp';

export const MESSAGES_REQUEST = {
  messages: {
    '3118': {
      muid: '3118',
      sender: 's12',
      receiverType: 'user',
      receiver: 'r123',
      type: 'text',
      category: 'message',
      data: {
        text: 'Hi there',
        attachments: [{ name: 'cometchat-uid-1.webp', extension: 'webp', size: '350.2', mimeType: 'image/webp', url: AVATAR }],
        metadata: { key: 'value' },
        custodata: { key: 'value' },
      },
      sentAt: '1674104348',
      deliveredAt: '1674224684',
      readAt: '1674224684',
      senderUserDetails: { uid: 's12', name: 'user1', avatar: AVATAR, createdAt: '1674228536', metadata: { key: 'value' } },
      receiverUserDetails: {
        uid: 'r123',
        name: 'Hiking Group',
        type: 'public',
        description: 'Hello group',
        icon: 'https://assets.cometchat.io/sampleapp/v2/groups/cometchat-guid-1.webp',
        owner: 'cometchat-uid-1',
        avatar: AVATAR,
        createdAt: '1674228536',
        metadata: { key: 'value' },
      },
      tags: ['tag1'],
      mentionedUserDetails: { 'example-uid-new': { uid: 'example-uid-new', name: 'example-uid' } },
    },
  },
};

/**
 * The documented response's shape for one message (its example answers muid 3117 to a request
 * for 3118, and names the receiver differently: the shape is what can be held to).
 */
export const MESSAGE_RESPONSE_FIELDS = ['id', 'muid', 'conversationId', 'sender', 'receiverType', 'receiver', 'category', 'type', 'data', 'sentAt', 'deliveredAt', 'readAt', 'updatedAt', 'tags'];
export const MESSAGE_ENTITY_USER_FIELDS = ['uid', 'name', 'avatar', 'metadata', 'status', 'role', 'createdAt', 'updatedAt'];
/** The documented clock: the entities' updatedAt in the example (seconds). */
export const DOC_NOW_SECONDS = 1674232131;
