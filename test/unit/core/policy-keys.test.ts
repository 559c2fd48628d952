// The role policy for API key principals (THREATS T7): keys read, read-only keys never write,
// and no key manages keys.
import { describe, expect, it } from 'vitest';
import { authorize, canWrite } from '../../../functions/shared/core/policy';
import type { Principal } from '../../../functions/shared/core/principal';

const key = (readOnly: boolean): Principal => ({
  userId: 'u1',
  roles: ['user'],
  authMethod: 'apiKey',
  keyId: '01JKEY0000000000000000000',
  readOnly,
  email: null,
});
const jwt: Principal = { ...key(false), authMethod: 'jwt', keyId: null };

describe('policy for API key principals', () => {
  it('lets a read-only key read but refuses its writes with read_only', () => {
    expect(() => authorize(key(true), 'read')).not.toThrow();
    expect(() => authorize(key(true), 'write')).toThrow(expect.objectContaining({ code: 'read_only' }));
    expect(canWrite(key(true))).toBe(false);
  });

  it('lets a full key write but never manage keys or read as admin', () => {
    expect(() => authorize(key(false), 'write')).not.toThrow();
    for (const p of [key(false), key(true)]) {
      expect(() => authorize(p, 'apikeys.manage')).toThrow(expect.objectContaining({ code: 'forbidden' }));
      expect(() => authorize({ ...p, roles: ['admin'] }, 'admin.read')).toThrow(expect.objectContaining({ code: 'admin_only' }));
    }
  });

  it('lets a user token manage keys', () => {
    expect(() => authorize(jwt, 'apikeys.manage')).not.toThrow();
  });
});
