// The group kind (SPEC §1b), declared once: what CometChat's /data_import/groups takes. A group
// may bring its owner as a user (groupOwnerDetails); CometChat documents no description field.

import { object } from '../fields.js';
import { defineKind, fail, type Values } from '../kind.js';
import { userShape } from '../users/shape.js';
import { groupShape } from './shape.js';

const schema = object(
  {
    ...groupShape({
      guid: { missing: 'MISSING_GUID', invalid: 'INVALID_GUID' },
      name: { missing: 'MISSING_NAME', invalid: 'INVALID_NAME' },
      type: { missing: 'INVALID_GROUP_TYPE', invalid: 'INVALID_GROUP_TYPE' },
      other: 'INVALID_FIELD',
    }),
    groupOwnerDetails: object(userShape(), { optional: true, invalid: 'INVALID_OWNER_DETAILS' }),
  },
  // Owner details name their uid only to repeat the group's owner: absent, they take it.
  { inherit: { groupOwnerDetails: { uid: 'owner' } }, invalid: 'INVALID_FIELD' },
);

export const groups = defineKind({
  name: 'groups',
  entity: 'group',
  schema,
  key: { field: 'guid', derive: (g) => g['guid'] as string, plain: true, match: 'lowercase', describe: 'the guid', mismatch: 'INVALID_KEY' },
  cross: [
    (g) => (g['type'] === 'password' && g['password'] === undefined ? fail('MISSING_PASSWORD', 'a group of type password needs a password', 'password') : undefined),
    (g) => {
      const owner = g['groupOwnerDetails'] as Values | undefined;
      if (owner === undefined) return undefined;
      if (g['owner'] === undefined) return fail('INVALID_OWNER_DETAILS', `groupOwnerDetails names a user (${owner['uid'] as string}) but the group has no owner`, 'owner');
      return owner['uid'] !== g['owner'] ? fail('INVALID_OWNER_DETAILS', `groupOwnerDetails.uid "${owner['uid'] as string}" differs from the group owner "${g['owner'] as string}"`, 'groupOwnerDetails.uid') : undefined;
    },
  ],
  signature: ['guid', 'name', 'type'],
});
