// Every rule across fields names the field that broke it (the report's reasonFields and the
// summary's "fields:" line are made of it), and a message says what is wrong with that field.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KINDS } from '../src/entities/kinds.js';
import { validateRecord } from '../src/entities/validate.js';

const NOW = 1_800_000_000;

function failure(kind: keyof typeof KINDS, raw: Record<string, unknown>): { reason: string; message: string; field?: string } {
  const r = validateRecord(KINDS[kind], raw, { nowSeconds: NOW });
  assert.equal(r.ok, false, JSON.stringify(raw));
  return r as { reason: string; message: string; field?: string };
}

const text = { sender: 's', sentAt: 1_799_000_000, data: { text: 'x' } };

const CASES: Array<[keyof typeof KINDS, Record<string, unknown>, string, string, RegExp]> = [
  ['groups', { guid: 'g', name: 'G', type: 'password' }, 'MISSING_PASSWORD', 'password', /needs a password/],
  ['groups', { guid: 'g', name: 'G', type: 'public', groupOwnerDetails: { uid: 'o', name: 'O' } }, 'INVALID_OWNER_DETAILS', 'owner', /no owner/],
  ['groups', { guid: 'g', name: 'G', type: 'public', owner: 'o', groupOwnerDetails: { uid: 'p', name: 'P' } }, 'INVALID_OWNER_DETAILS', 'groupOwnerDetails.uid', /^groupOwnerDetails\.uid "p" differs from the group owner "o"$/],
  ['members', { guid: 'g', uid: 'u', groupDetails: { guid: 'h', name: 'H', type: 'public' } }, 'INVALID_GROUP_DETAILS', 'groupDetails.guid', /^groupDetails\.guid "h" differs/],
  ['members', { guid: 'g', uid: 'u', userDetails: { uid: 'v', name: 'V' } }, 'INVALID_USER_DETAILS', 'userDetails.uid', /^userDetails\.uid "v" differs/],
  ['members', { guid: 'g', uid: 'u', joinedAt: NOW + 60 }, 'JOINED_IN_FUTURE', 'joinedAt', /^joinedAt \d+ is after now/],
  ['members', { guid: 'g', uid: 'u', joinedAt: 1_700_000_000, groupDetails: { name: 'G', type: 'public', createdAt: 1_700_000_100 } }, 'JOINED_BEFORE_GROUP_CREATED', 'joinedAt', /^joinedAt \d+ is before groupDetails\.createdAt/],
  ['messages', { ...text, muid: 'm', receiverType: 'group', receiver: 'g', receiverGroupDetails: { guid: 'h', name: 'H', type: 'public' } }, 'INVALID_RECEIVER_DETAILS', 'receiverGroupDetails.guid', /^receiverGroupDetails\.guid "h" differs from the receiver "g"$/],
  ['messages', { ...text, muid: 'm', receiverType: 'user', receiver: 'u', receiverUserDetails: { uid: 'v', name: 'V' } }, 'INVALID_RECEIVER_DETAILS', 'receiverUserDetails.uid', /^receiverUserDetails\.uid "v" differs from the receiver "u"$/],
  [
    'messages',
    { ...text, muid: 'm', receiverType: 'group', receiver: 'g', receiverGroupDetails: { name: 'G', type: 'public', owner: 'o' }, receiverGroupOwnerDetails: { uid: 'p', name: 'P' } },
    'INVALID_RECEIVER_DETAILS',
    'receiverGroupOwnerDetails.uid',
    /^receiverGroupOwnerDetails\.uid "p" differs from the group owner "o"$/,
  ],
  // The uid is a fine id: what is wrong is that it is not the key it is filed under.
  ['messages', { ...text, muid: 'm', receiverType: 'user', receiver: 'u', mentionedUserDetails: { u1: { uid: 'u2', name: 'U' } } }, 'INVALID_MENTIONS', 'mentionedUserDetails.u1.uid', /^mentionedUserDetails\.u1\.uid "u2" differs from its map key "u1"$/],
];

test('a failure across fields names the field that broke and says how', () => {
  for (const [kind, raw, reason, field, message] of CASES) {
    const f = failure(kind, raw);
    assert.equal(f.reason, reason, `${kind} ${JSON.stringify(raw)}: ${f.message}`);
    assert.equal(f.field, field, `${kind} ${JSON.stringify(raw)}: ${f.message}`);
    assert.match(f.message, message);
  }
});

test('consistent details still pass: a mention filed under its uid in capitals, owner details of the named owner', () => {
  const ok = (raw: Record<string, unknown>) => assert.equal(validateRecord(KINDS.messages, raw, { nowSeconds: NOW }).ok, true, JSON.stringify(raw));
  ok({ ...text, muid: 'm', receiverType: 'user', receiver: 'u', mentionedUserDetails: { U1: { name: 'U' } } });
  ok({ ...text, muid: 'm', receiverType: 'group', receiver: 'g', receiverGroupDetails: { name: 'G', type: 'public', owner: 'O' }, receiverGroupOwnerDetails: { uid: 'o', name: 'O' } });
  // No owner named in the group details: nothing to hold the owner details against.
  ok({ ...text, muid: 'm', receiverType: 'group', receiver: 'g', receiverGroupOwnerDetails: { uid: 'o', name: 'O' } });
});
