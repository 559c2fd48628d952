// A WebSocket connection outlives the handshake that authorized it (up to API Gateway's 2 hours), so
// every message re-checks that the credential still stands: a key disabled or revoked after
// $connect, a key past its expiry, a key whose owner was demoted since (its rights would now be read-only), a token past
// its `exp`, or a token ended by a sign-out stops working on open connections as it does on REST.
import type { ApiKeyStore } from './api-keys';
import type { Clock } from './ports';
import type { Principal } from './principal';
import { endedBySignOut, NO_SESSION_STATE, type SessionStore } from './sessions';

export interface SessionValidityDeps {
  readonly apiKeys: (principal: Principal) => Pick<ApiKeyStore, 'isActive'>;
  readonly clock: Clock;
  /** Sign-out times and owners' roles; without it only keys and `exp` are re-checked. */
  readonly sessions?: Pick<SessionStore, 'get'>;
}

export async function credentialStillValid(deps: SessionValidityDeps, principal: Principal): Promise<boolean> {
  const session = () => (deps.sessions ? deps.sessions.get(principal.userId) : Promise.resolve(NO_SESSION_STATE));
  switch (principal.authMethod) {
    case 'apiKey':
      if (typeof principal.expiresAt === 'number' && !(principal.expiresAt * 1000 > deps.clock.now().getTime())) return false;
      if (principal.keyId === null || !(await deps.apiKeys(principal).isActive(principal.keyId))) return false;
      // Rights lowered since the handshake: close, and the reconnect gets the read-only principal.
      return principal.readOnly || !(await session()).keysReadOnly;
    case 'jwt':
      if (!(typeof principal.expiresAt === 'number' && principal.expiresAt * 1000 > deps.clock.now().getTime())) return false;
      return !endedBySignOut(await session(), principal.issuedAt);
    default:
      return false;
  }
}
