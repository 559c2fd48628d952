// What an open WebSocket connection re-checks on each message (THREATS T8, T29).
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/core/principal';
import { credentialStillValid } from '../../../functions/shared/core/session-validity';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const base: Principal = { userId: 'u1', roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };
const active = new Set(['k-live']);
const deps = {
  clock: { now: () => new Date(NOW) },
  apiKeys: () => ({ isActive: async (keyId: string) => active.has(keyId) }),
};

describe('credentialStillValid', () => {
  it.each<[string, Partial<Principal>, boolean]>([
    ['a token before its exp', { expiresAt: NOW / 1000 + 1 }, true],
    ['a token at its exp', { expiresAt: NOW / 1000 }, false],
    ['a token with no exp carried through', { expiresAt: null }, false],
    ['an enabled key', { authMethod: 'apiKey', keyId: 'k-live' }, true],
    ['a disabled or revoked key', { authMethod: 'apiKey', keyId: 'k-gone' }, false],
    ['a key principal without a key id', { authMethod: 'apiKey', keyId: null }, false],
    ['a key before its expiry second', { authMethod: 'apiKey', keyId: 'k-live', expiresAt: NOW / 1000 + 1 }, true],
    ['a key at its expiry second (T29)', { authMethod: 'apiKey', keyId: 'k-live', expiresAt: NOW / 1000 }, false],
    ['anything else', { authMethod: 'webhook' }, false],
  ])('%s', async (_name, p, expected) => {
    expect(await credentialStillValid(deps, { ...base, ...p })).toBe(expected);
  });
});
