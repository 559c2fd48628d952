// Per-user session state the authorizers consult (THREATS T16): the sign-out time (tokens issued at
// or before it are refused) and whether the owner's API keys are held read-only because the owner
// was last seen as a guest. One small item per user, read through a short per-instance cache.

export interface SessionState {
  /** Epoch seconds of the last sign-out; tokens with `iat` at or before it are refused. */
  readonly notBefore: number | null;
  /** The owner was last seen (newest token) with a read-only role: their keys may not write. */
  readonly keysReadOnly: boolean;
  /** `iat` of the token that set `keysReadOnly`, so an older token cannot undo a newer demotion. */
  readonly roleIat: number | null;
}

export const NO_SESSION_STATE: SessionState = { notBefore: null, keysReadOnly: false, roleIat: null };

export interface SessionStore {
  get(userId: string): Promise<SessionState>;
  /** Records the role a token issued at `iat` showed, unless a newer token already did. */
  noteRole(userId: string, keysReadOnly: boolean, iat: number): Promise<void>;
  /** Moves the user's not-before time forward to `notBefore` (never back). */
  signOut(userId: string, notBefore: number): Promise<void>;
}

/**
 * How long an authorizer instance may answer from its cache: the bound on how late a sign-out or a
 * demotion takes effect there (API.md: a signed-out token stops working within 5 s).
 */
export const SESSION_CACHE_SECONDS = 5;
/** Cache entries per instance; the oldest go first. */
const MAX_CACHED_USERS = 10_000;

/**
 * Whether a token issued at `iat` was ended by a sign-out. A token without `iat` cannot show it came
 * after one. Compared in whole seconds: the sign-out time is a whole second, and an RFC 7519
 * NumericDate may carry a fraction (`iat = S + 0.1` was issued within the sign-out's second S).
 */
export function endedBySignOut(state: SessionState, iat: number | null | undefined): boolean {
  if (state.notBefore === null) return false;
  return typeof iat !== 'number' || !Number.isFinite(iat) || Math.floor(iat) <= state.notBefore;
}

/** Whether a token issued at `iat` showing `readOnly` should update the stored role. */
export function roleChanged(state: SessionState, readOnly: boolean, iat: number | null | undefined): iat is number {
  return typeof iat === 'number' && state.keysReadOnly !== readOnly && (state.roleIat === null || iat > state.roleIat);
}

/**
 * A per-instance read cache of at most `ttlMs` in front of `inner`; writes go through and drop the
 * entry. A failed read answers with the last state this instance saw for the user, else with no
 * state, and reports the failure: during a DynamoDB outage a request is let through to its function
 * (which answers 503 with Retry-After) rather than refused as unauthenticated, at the cost of not
 * applying a sign-out or demotion this instance has not seen yet. The next call reads again.
 */
export function cachedSessionStore(
  inner: SessionStore,
  now: () => number = Date.now,
  ttlMs = SESSION_CACHE_SECONDS * 1000,
  onUnavailable: (err: unknown) => void = () => undefined,
): SessionStore {
  const cache = new Map<string, { state: Promise<SessionState>; at: number }>();
  const lastKnown = new Map<string, SessionState>();
  const put = (userId: string, state: Promise<SessionState>) => {
    cache.delete(userId);
    cache.set(userId, { state, at: now() });
    if (cache.size > MAX_CACHED_USERS) cache.delete(cache.keys().next().value as string);
  };
  return {
    get(userId) {
      const hit = cache.get(userId);
      if (hit && now() - hit.at < ttlMs) return hit.state;
      const state = inner.get(userId).then(
        (s) => {
          lastKnown.delete(userId);
          lastKnown.set(userId, s);
          if (lastKnown.size > MAX_CACHED_USERS) lastKnown.delete(lastKnown.keys().next().value as string);
          return s;
        },
        (err: unknown) => {
          cache.delete(userId); // not cached: the next call reads again
          onUnavailable(err);
          return lastKnown.get(userId) ?? NO_SESSION_STATE;
        },
      );
      put(userId, state);
      return state;
    },
    async noteRole(userId, keysReadOnly, iat) {
      await inner.noteRole(userId, keysReadOnly, iat);
      cache.delete(userId);
    },
    async signOut(userId, notBefore) {
      await inner.signOut(userId, notBefore);
      cache.delete(userId);
    },
  };
}
