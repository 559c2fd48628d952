// A WebSocket connection outlives the handshake that authorized it (up to API Gateway's 2 hours), so
// every message re-checks that the credential still stands: a key disabled or revoked after
// $connect, or a token past its `exp`, stops working on open connections as it does on REST.
import type { ApiKeyStore } from './api-keys';
import type { Clock } from './ports';
import type { Principal } from './principal';

export interface SessionValidityDeps {
  readonly apiKeys: (principal: Principal) => Pick<ApiKeyStore, 'isActive'>;
  readonly clock: Clock;
}

export async function credentialStillValid(deps: SessionValidityDeps, principal: Principal): Promise<boolean> {
  switch (principal.authMethod) {
    case 'apiKey':
      return principal.keyId !== null && (await deps.apiKeys(principal).isActive(principal.keyId));
    case 'jwt':
      return typeof principal.expiresAt === 'number' && principal.expiresAt * 1000 > deps.clock.now().getTime();
    default:
      return false;
  }
}
