// OAuth 2.0 authorization code with PKCE (RFC 7636, S256) for a public client: no client secret
// exists anywhere. Pure helpers over Web Crypto, shared by the page and its tests.

const base64url = (bytes: Uint8Array): string => {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** 32 random bytes → 43 characters, the RFC's recommended verifier size. */
export const randomToken = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

export async function codeChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  /** RFC 9207: the provider sends `iss` with every authorization response. */
  authorization_response_iss_parameter_supported?: boolean;
}

/** `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4). */
export const discoveryUrl = (issuer: string): string => `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

export interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string;
  readonly nonce: string;
  readonly challenge: string;
  readonly audience?: string;
  /** RFC 8707 resource indicator: the API the access token is for. */
  readonly resource?: string;
}

export function authorizeUrl(endpoint: string, p: AuthorizeParams): string {
  const url = new URL(endpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: p.scope,
    state: p.state,
    nonce: p.nonce,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    ...(p.audience ? { audience: p.audience } : {}),
    ...(p.resource ? { resource: p.resource } : {}),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** The token request body (RFC 6749 §4.1.3 plus the PKCE verifier and, RFC 8707, the resource again). */
export const tokenRequestBody = (p: { code: string; redirectUri: string; clientId: string; verifier: string; resource?: string }): URLSearchParams =>
  new URLSearchParams({
    grant_type: 'authorization_code',
    code: p.code,
    redirect_uri: p.redirectUri,
    client_id: p.clientId,
    code_verifier: p.verifier,
    ...(p.resource ? { resource: p.resource } : {}),
  });

/** A JWT's shape with a JSON object as payload; an opaque token (many providers' default access token) is not. */
export function isJwt(token: string): boolean {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return false;
  try {
    const claims: unknown = jwtClaims(token);
    return typeof claims === 'object' && claims !== null;
  } catch {
    return false;
  }
}

/** Reads a JWT's claims without verifying them: the API verifies; the page only shows `exp`/`nonce`. */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}
