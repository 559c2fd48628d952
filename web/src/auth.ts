// Sign-in. The token lives in this module's memory only (never localStorage or a cookie), so a
// reload or a closed tab signs the user out; with OIDC the issuer's own session makes signing in
// again one redirect. Only the PKCE verifier and state survive the redirect, in sessionStorage.
import type { AuthConfig } from './config';
import { authorizeUrl, codeChallenge, discoveryUrl, isJwt, jwtClaims, randomToken, tokenRequestBody, type OidcMetadata } from './pkce';
import { SignInError } from './refusals';

export interface Session {
  readonly token: string;
  /** Epoch ms from the token's `exp`. */
  readonly expiresAt: number;
}

let session: Session | null = null;

export const currentToken = (): string | null => (session && session.expiresAt > Date.now() ? session.token : null);
export const currentSession = (): Session | null => session;
/** "Sign out" (this browser): forgets the token; it stays valid at the API until it expires. */
export const signOut = (): void => {
  session = null;
};

const startSession = (token: string): Session => {
  const exp = Number(jwtClaims(token).exp);
  session = { token, expiresAt: Number.isFinite(exp) ? exp * 1000 : Date.now() + 3_600_000 };
  return session;
};

export type DevRole = 'user' | 'guest' | 'admin';

/** Local stack only: its dev issuer signs a token for the chosen name and role. */
export async function devSignIn(signInUrl: string, user: string, role: DevRole): Promise<Session> {
  const res = await fetch(signInUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, role }),
  });
  const body = (await res.json()) as { token?: string; error?: { message?: string } };
  if (!res.ok || !body.token) throw new Error(body.error?.message ?? `Sign-in failed (HTTP ${res.status})`);
  return startSession(body.token);
}

type OidcConfig = Extract<AuthConfig, { mode: 'oidc' }>;
const PENDING = 'threadguard.oidc.pending';
const redirectUri = () => `${location.origin}${location.pathname}`;

async function metadata(cfg: OidcConfig): Promise<OidcMetadata> {
  const res = await fetch(discoveryUrl(cfg.issuer));
  if (!res.ok) throw new Error(`The sign-in service could not be reached (HTTP ${res.status})`);
  return (await res.json()) as OidcMetadata;
}

/** Sends the browser to the issuer; it comes back to this page with `?code=&state=`. */
export async function beginOidcSignIn(cfg: OidcConfig): Promise<void> {
  const meta = await metadata(cfg);
  const verifier = randomToken();
  const state = randomToken();
  const nonce = randomToken();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce }));
  location.assign(
    authorizeUrl(meta.authorization_endpoint, {
      clientId: cfg.clientId,
      redirectUri: redirectUri(),
      scope: cfg.scope,
      state,
      nonce,
      challenge: await codeChallenge(verifier),
      audience: cfg.audience,
      resource: cfg.resource,
    }),
  );
}

const startOver = 'Please sign in again.';

/**
 * On return from the issuer: checks `state` first (nothing else in the URL is trusted before that), then
 * the RFC 9207 `iss`, then redeems the code with the verifier. Null when not returning. Errors are ours,
 * in fixed words: `error_description` is whatever the link's author wrote, so it is never shown.
 */
export async function completeOidcSignIn(cfg: OidcConfig): Promise<Session | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const returned = params.get('state');
  const error = params.get('error');
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; nonce: string } | null;
  sessionStorage.removeItem(PENDING);
  // The code must not stay in the address bar or the history.
  history.replaceState(null, '', redirectUri() + location.hash);
  if (!pending || pending.state !== returned) throw new SignInError('sign_in_mismatch', `Sign-in response did not match this browser. ${startOver}`);
  if (error) throw new SignInError('sign_in_refused', `Sign-in was not completed at the identity provider. ${startOver}`);
  const meta = await metadata(cfg);
  // RFC 9207 §2.4: an `iss` that is not this issuer means the response came from another provider (mix-up).
  const iss = params.get('iss');
  if ((iss !== null && iss !== meta.issuer) || (iss === null && meta.authorization_response_iss_parameter_supported)) {
    throw new SignInError('sign_in_mismatch', `Sign-in response came from another identity provider. ${startOver}`);
  }
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({ code: code!, redirectUri: redirectUri(), clientId: cfg.clientId, verifier: pending.verifier, resource: cfg.resource }),
  });
  const tokens = (await res.json()) as { access_token?: string; id_token?: string; error?: string };
  if (!res.ok) throw new SignInError('sign_in_failed', `Sign-in failed at the token endpoint (${/^[a-z_]{1,40}$/.test(tokens.error ?? '') ? tokens.error : `HTTP ${res.status}`}). ${startOver}`);
  if (tokens.id_token && jwtClaims(tokens.id_token).nonce !== pending.nonce) throw new SignInError('sign_in_mismatch', `Sign-in response was replayed. ${startOver}`);
  const tokenType = cfg.tokenType ?? 'access_token';
  const token = tokenType === 'id_token' ? tokens.id_token : tokens.access_token;
  if (!token) throw new SignInError('sign_in_config', `The identity provider returned no ${tokenType}.`);
  if (!isJwt(token)) {
    // Many providers issue opaque access tokens unless asked for one for a named API: the API can only verify JWTs.
    throw new SignInError(
      'opaque_token',
      'The identity provider returned an opaque access token, which the API cannot verify. Configure the provider to issue JWT access tokens for the API (WEB_OIDC_RESOURCE or WEB_OIDC_AUDIENCE), or send the ID token (WEB_OIDC_TOKEN=id_token).',
    );
  }
  return startSession(token);
}
