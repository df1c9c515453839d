// The user kind (SPEC §1b), declared once: what CometChat's /data_import/users takes.

import { object } from '../fields.js';
import { defineKind } from '../kind.js';
import { userShape } from './shape.js';

const shape = userShape({ uid: { missing: 'MISSING_UID', invalid: 'INVALID_UID' }, name: { missing: 'MISSING_NAME', invalid: 'INVALID_NAME' }, other: 'INVALID_FIELD' });

export const users = defineKind({
  name: 'users',
  entity: 'user',
  schema: object(shape, { invalid: 'INVALID_FIELD' }),
  key: { field: 'uid', derive: (u) => u['uid'] as string, plain: true, match: 'lowercase', describe: 'the uid', mismatch: 'INVALID_KEY' },
  signature: ['uid', 'name'],
});
