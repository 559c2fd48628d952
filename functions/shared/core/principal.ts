import { normalizeScopes, type Scope } from './scopes';
import { isWellFormed } from './text';

// The verified caller. Built only by the authorizer and read back only from requestContext.authorizer.

export const ROLES = ['user', 'guest', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** `webhook`: a trusted server acting for a user (the `tasks` source); never built from a request's credentials. */
export type AuthMethod = 'jwt' | 'apiKey' | 'webhook';

/** Longest `sub` accepted (OIDC allows 255 ASCII characters); keeps every key under DynamoDB's limits. */
export const MAX_SUB_BYTES = 512;
/** A userId is a 12-character issuer tag, `:`, and the `sub`. */
export const MAX_USER_ID_BYTES = 13 + MAX_SUB_BYTES;
/** Whether `id` could be a userId at all; a longer one names a partition that cannot exist. */
export const isPossibleUserId = (id: string): boolean =>
  id.length > 0 && Buffer.byteLength(id, 'utf8') <= MAX_USER_ID_BYTES && isWellFormed(id);

export interface Principal {
  readonly userId: string;
  readonly roles: readonly Role[];
  readonly authMethod: AuthMethod;
  /** Set when the caller used an API key. */
  readonly keyId: string | null;
  /** Guests and read-only keys. */
  readonly readOnly: boolean;
  readonly email: string | null;
  /**
   * What an API key is limited to (core/scopes.ts); absent or null: no limit beyond the role (a
   * user's token, a key made before scopes existed).
   */
  readonly scopes?: readonly Scope[] | null;
  /**
   * When the credential ends (epoch seconds): a JWT's `exp`, or an API key's expiry (absent: never).
   * Long-lived sessions (WebSocket) stop honouring it after that.
   */
  readonly expiresAt?: number | null;
  /** A JWT's `iat` (epoch seconds), checked against the user's sign-out time on long-lived sessions. */
  readonly issuedAt?: number | null;
}

/** API Gateway context values must be flat strings, numbers or booleans. */
export type AuthorizerContext = Record<string, string>;

export function toAuthorizerContext(p: Principal): AuthorizerContext {
  return {
    userId: p.userId,
    roles: p.roles.join(','),
    authMethod: p.authMethod,
    keyId: p.keyId ?? '',
    readOnly: String(p.readOnly),
    // Space-separated; empty means no scope limit (a key always has at least one scope when limited).
    scopes: p.scopes ? p.scopes.join(' ') : '',
    email: p.email ?? '',
    expiresAt: p.expiresAt == null ? '' : String(p.expiresAt),
    issuedAt: p.issuedAt == null ? '' : String(p.issuedAt),
  };
}

/**
 * Rebuild the principal from what API Gateway passed on. Values arrive as strings (REST
 * stringifies booleans and numbers). Anything unexpected means a wiring fault, not a user error.
 */
export function fromAuthorizerContext(ctx: Record<string, unknown> | null | undefined): Principal | null {
  if (!ctx) return null;
  const userId = ctx.userId;
  const authMethod = ctx.authMethod;
  if (typeof userId !== 'string' || userId.length === 0) return null;
  if (authMethod !== 'jwt' && authMethod !== 'apiKey') return null;
  const roles = String(ctx.roles ?? '')
    .split(',')
    .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  const keyId = typeof ctx.keyId === 'string' && ctx.keyId !== '' ? ctx.keyId : null;
  const email = typeof ctx.email === 'string' && ctx.email !== '' ? ctx.email : null;
  const exp = Number(ctx.expiresAt);
  const expiresAt = ctx.expiresAt !== undefined && ctx.expiresAt !== '' && Number.isFinite(exp) ? exp : null;
  const iat = Number(ctx.issuedAt);
  const issuedAt = ctx.issuedAt !== undefined && ctx.issuedAt !== '' && Number.isFinite(iat) ? iat : null;
  const scopeNames = typeof ctx.scopes === 'string' && ctx.scopes !== '' ? ctx.scopes.split(' ') : [];
  // A name we do not know would widen nothing (it is dropped); a limited key whose names were all
  // unknown keeps no scope at all rather than falling back to none-means-all.
  const scopes = scopeNames.length > 0 ? normalizeScopes(scopeNames) : null;
  return {
    userId,
    roles: roles.length > 0 ? roles : ['user'],
    authMethod,
    keyId,
    readOnly: String(ctx.readOnly) === 'true',
    scopes,
    email,
    expiresAt,
    issuedAt,
  };
}

/**
 * Map verified role claim values to our roles. Unknown values are dropped; no roles means `user`.
 * A principal that is a guest is read-only even if it also claims `user`.
 */
/**
 * A claim by name or by dotted path: `roles`, `cognito:groups`, Keycloak's `realm_access.roles`. A name
 * that is itself a top-level claim wins, so Auth0's namespaced `https://example.com/roles` still works.
 */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function rolesFromClaim(claim: unknown): Role[] {
  const raw: unknown[] = Array.isArray(claim)
    ? claim
    : typeof claim === 'string'
      ? claim.split(/[ ,]+/)
      : [];
  const roles = [...new Set(raw.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r)))];
  return roles.length > 0 ? roles : ['user'];
}

export const isAdmin = (p: Principal): boolean => p.roles.includes('admin');
