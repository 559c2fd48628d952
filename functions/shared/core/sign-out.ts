// Sign-out everywhere (THREATS T16, T22, T23), the use case behind `POST /me/sign-out`: the
// sign-out time that ends the caller's tokens, their open WebSockets closed, and on request the API
// keys that the ended sessions created revoked; the answer lists the keys left.
import { revokeApiKey, type ApiKeyStore, type ApiKeyView } from './api-keys';
import type { AuditLog, RequestOrigin } from './audit';
import { authorize } from './policy';
import type { Clock } from './ports';
import type { Principal } from './principal';
import type { SessionStore } from './sessions';

/** A user's open WebSocket connections, closed from outside the WebSocket function. */
export interface UserConnections {
  /** Closes every open connection of the user and frees its slot; how many there were. */
  closeAll(userId: string): Promise<number>;
}

export interface SignOutDeps {
  readonly sessions: Pick<SessionStore, 'signOut'>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  /** The caller's API keys: listed in the answer, and revoked on request. */
  readonly apiKeys: (principal: Principal) => Pick<ApiKeyStore, 'list' | 'revoke'>;
  readonly connections: UserConnections;
}

export interface SignOutResult {
  /** The sign-out second: every token issued at or before it is refused. */
  readonly signedOutAt: string;
  /** Keys revoked because a session this sign-out ends created them (`revokeKeysCreatedBefore`). */
  readonly revokedKeys: readonly ApiKeyView[];
  /** The keys left, which keep working: check them (a stolen session may have made one). */
  readonly remainingKeys: readonly ApiKeyView[];
}

/**
 * Sign-out everywhere: every token of the caller issued at or before this second stops working
 * (within SESSION_CACHE_SECONDS on every authorizer instance), the caller's open WebSockets close
 * now, and with `revokeKeysCreatedBefore` the API keys created up to now (by the sessions this
 * sign-out ends: keys are made only with tokens) are revoked. A token issued later in the same
 * second is refused too: sign in again a second later.
 */
export async function signOut(deps: SignOutDeps, principal: Principal, origin: RequestOrigin, opts: { revokeKeysCreatedBefore: boolean }): Promise<SignOutResult> {
  authorize(principal, 'session.end');
  const at = Math.floor(deps.clock.now().getTime() / 1000);
  await deps.sessions.signOut(principal.userId, at);
  await deps.audit.record({ action: 'session.sign_out', userId: principal.userId, ownerId: principal.userId, threadId: null, outcome: 'allowed', ...origin, reason: null });
  await deps.connections.closeAll(principal.userId);
  const signedOutAt = new Date(at * 1000).toISOString();
  const keys = await deps.apiKeys(principal).list();
  if (!opts.revokeKeysCreatedBefore) return { signedOutAt, revokedKeys: [], remainingKeys: keys };
  // Created within or before the sign-out second; a key made later in that second goes too.
  const ended = keys.filter((k) => Math.floor(Date.parse(k.createdAt) / 1000) <= at);
  const revokedKeys: ApiKeyView[] = [];
  for (const key of ended) if (await revokeApiKey({ store: deps.apiKeys, audit: deps.audit }, principal, origin, key.id).then(() => true, () => false)) revokedKeys.push(key);
  return { signedOutAt, revokedKeys, remainingKeys: keys.filter((k) => !revokedKeys.includes(k)) };
}
