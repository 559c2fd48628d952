// Credentials → principal. Pure rules; the JWT verifier and the key lookup are injected ports.
// Every failure is an UnauthenticatedError whose `reason` is safe to log (it never holds token text).
import { ServiceUnavailableError, UnauthenticatedError } from './errors';
import { systemClock, type Clock } from './ports';
import { claimAt, MAX_SUB_BYTES, rolesFromClaim, type Principal } from './principal';
import type { Scope } from './scopes';
import { endedBySignOut, NO_SESSION_STATE, roleChanged, type SessionStore } from './sessions';
import type { Digest } from './ports';
import { isWellFormed } from './text';

/** Verified JWT payload (only what we read). */
export interface VerifiedClaims {
  readonly iss: string;
  readonly sub: string;
  readonly [claim: string]: unknown;
}

export interface TokenVerifier {
  /** Resolves with verified claims, or rejects for any invalid token. */
  verify(token: string): Promise<VerifiedClaims>;
}

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly ownerId: string;
  readonly readOnly: boolean;
  readonly enabled: boolean;
  /** ISO time of the last recorded use, null when never used. */
  readonly lastUsedAt?: string | null;
  /** ISO time (whole seconds) from which the key is refused; null or absent: never. */
  readonly expiresAt?: string | null;
  /** What the key is limited to; null or absent (a key made before scopes): its owner's rights. */
  readonly scopes?: readonly Scope[] | null;
}

export interface ApiKeyLookup {
  /** Finds a key by the SHA-256 (hex) of its text; null when absent or revoked. */
  findByHash(sha256Hex: string): Promise<ApiKeyRecord | null>;
}

/** Records that a key was used; never throws (a failed note must not refuse a valid request). */
export interface ApiKeyUsage {
  noteUse(sha256Hex: string, record: ApiKeyRecord): Promise<void>;
}

export interface Credentials {
  readonly apiKey?: string | undefined;
  readonly authorization?: string | undefined;
}

export interface AuthenticateDeps {
  readonly tokens: TokenVerifier;
  readonly apiKeys: ApiKeyLookup;
  /** Hashes API keys for lookup and tags issuers in user ids. */
  readonly digest: Digest;
  /** Where roles are read: a claim name or a dotted path (principal.ts `claimAt`). */
  readonly rolesClaim: string;
  /** Per trusted issuer, when several carry roles in different claims; others use `rolesClaim`. */
  readonly rolesClaimByIssuer?: Readonly<Record<string, string>>;
  readonly apiKeyUsage?: ApiKeyUsage;
  /** Sign-out times and owners' last-seen roles (core/sessions.ts); tests of token rules alone leave it out. */
  readonly sessions?: SessionStore;
  /** What API key expiry is compared with. @default systemClock */
  readonly clock?: Clock;
}

/** Longer tokens are refused before any parsing (THREATS T5, T10). */
export const MAX_TOKEN_LENGTH = 8192;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class AuthFailure extends UnauthenticatedError {
  constructor(readonly reason: string, options?: ErrorOptions) {
    super('Unauthorized', options);
    this.name = 'AuthFailure';
  }
}

const issuerTags = new Map<string, string>();

/** A short, stable tag per issuer, so equal `sub` values from two issuers never share a userId. */
export function issuerTag(digest: Digest, iss: string): string {
  let tag = issuerTags.get(iss);
  if (tag === undefined) {
    tag = digest.sha256Hex(iss).slice(0, 12);
    // Only verified issuers reach here, so the map stays as small as the issuer list.
    issuerTags.set(iss, tag);
  }
  return tag;
}

export const userIdFor = (digest: Digest, iss: string, sub: string): string => `${issuerTag(digest, iss)}:${sub}`;

export function isApiKeyFormat(key: string): boolean {
  return UUID_V4.test(key);
}

export async function authenticate(deps: AuthenticateDeps, creds: Credentials): Promise<Principal> {
  // The API key wins when both are sent (API.md), as on the WebSocket handshake.
  if (creds.apiKey !== undefined) return authenticateApiKey(deps, creds.apiKey);
  if (creds.authorization === undefined) throw new AuthFailure('missing_credentials');
  const m = /^Bearer +(\S*)\s*$/i.exec(creds.authorization);
  if (!m) throw new AuthFailure('wrong_scheme');
  return authenticateJwt(deps, m[1] ?? '');
}

export async function authenticateApiKey(deps: AuthenticateDeps, key: string): Promise<Principal> {
  const trimmed = key.trim();
  if (!isApiKeyFormat(trimmed)) throw new AuthFailure('malformed_api_key');
  const hash = deps.digest.sha256Hex(trimmed.toLowerCase());
  const record = await deps.apiKeys.findByHash(hash);
  if (!record) throw new AuthFailure('unknown_api_key');
  if (!record.enabled) throw new AuthFailure('disabled_api_key');
  // Refused from its expiry's very second (the authorizer's results are not cached: infra/stack.ts).
  const expiresAtMs = record.expiresAt ? Date.parse(record.expiresAt) : null;
  if (expiresAtMs !== null && !((deps.clock ?? systemClock).now().getTime() < expiresAtMs)) throw new AuthFailure('expired_api_key');
  // A key's rights never exceed its owner's role as last seen: an owner demoted to guest holds read-only keys.
  const session = deps.sessions ? await deps.sessions.get(record.ownerId) : NO_SESSION_STATE;
  await deps.apiKeyUsage?.noteUse(hash, record);
  return {
    userId: record.ownerId,
    roles: ['user'], // a key never carries admin
    authMethod: 'apiKey',
    keyId: record.keyId,
    readOnly: record.readOnly || session.keysReadOnly,
    scopes: record.scopes ?? null,
    email: null,
    // Open WebSocket connections are closed at their first frame from this second (session-validity.ts).
    expiresAt: expiresAtMs === null ? null : Math.floor(expiresAtMs / 1000),
  };
}

export async function authenticateJwt(deps: AuthenticateDeps, token: string): Promise<Principal> {
  if (token.length === 0) throw new AuthFailure('empty_token');
  if (token.length > MAX_TOKEN_LENGTH) throw new AuthFailure('token_too_large');
  if (!JWT_SHAPE.test(token)) throw new AuthFailure('malformed_token');
  let claims: VerifiedClaims;
  try {
    claims = await deps.tokens.verify(token);
  } catch (err) {
    // The verifier names the check that failed (wrong_issuer, expired, …), already log-safe.
    if (err instanceof AuthFailure) throw err;
    if (err instanceof ServiceUnavailableError) throw err; // the issuer's keys could not be read: no verdict on the token
    // Anything else: the error's name is safe to log; its message may quote claims, so keep the name only.
    throw new AuthFailure(`invalid_token:${(err as Error)?.name ?? 'Error'}`);
  }
  // The library checks exp only when present; a token that never expires is refused here.
  if (typeof claims.exp !== 'number') throw new AuthFailure('missing_exp');
  if (typeof claims.sub !== 'string' || claims.sub.length === 0 || Buffer.byteLength(claims.sub, 'utf8') > MAX_SUB_BYTES) {
    throw new AuthFailure('missing_sub');
  }
  // `bob\ud800` and `bob\udc00` would be stored as the same partition key (THREATS T15).
  if (!isWellFormed(claims.sub)) throw new AuthFailure('ill_formed_sub');
  const roles = rolesFromClaim(claimAt(claims, deps.rolesClaimByIssuer?.[claims.iss] ?? deps.rolesClaim));
  const email = typeof claims.email === 'string' ? claims.email : null;
  const userId = userIdFor(deps.digest, claims.iss, claims.sub);
  const readOnly = roles.includes('guest'); // guest wins over any other role
  const iat = typeof claims.iat === 'number' ? claims.iat : null;
  if (deps.sessions) {
    const session = await deps.sessions.get(userId);
    if (endedBySignOut(session, iat)) throw new AuthFailure('signed_out');
    // The newest token's role decides what the user's API keys may do (rare write: only on a change).
    if (roleChanged(session, readOnly, iat)) await deps.sessions.noteRole(userId, readOnly, iat);
  }
  return {
    userId,
    roles,
    authMethod: 'jwt',
    keyId: null,
    readOnly,
    email,
    expiresAt: claims.exp,
    issuedAt: iat,
  };
}
