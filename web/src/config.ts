// What the page needs to know about its deployment, read at start from `config.json` next to the
// page (written by the local stack or by the CDK deployment). Nothing in it is a secret.

export type AuthConfig =
  /** Local stack only: the dev issuer mints a token for any user name (`signInUrl` on the page's own origin). */
  | { readonly mode: 'dev'; readonly signInUrl: string }
  /** OpenID Connect authorization code with PKCE; a public client, so no client secret exists. */
  | {
      readonly mode: 'oidc';
      readonly issuer: string;
      readonly clientId: string;
      readonly scope: string;
      /** Some issuers (Auth0) need the API's audience to issue an access token for it. */
      readonly audience?: string;
      /** RFC 8707 resource indicator sent on the authorization and token requests (the API's identifier). */
      readonly resource?: string;
      /** Which token the API accepts: the access token (default) or the ID token. */
      readonly tokenType?: 'access_token' | 'id_token';
    };

export interface ClientConfig {
  readonly apiUrl: string;
  readonly wsUrl: string;
  readonly auth: AuthConfig;
}

export async function loadConfig(): Promise<ClientConfig> {
  const res = await fetch('config.json');
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const config = (await res.json()) as ClientConfig;
  return { ...config, apiUrl: config.apiUrl.replace(/\/+$/, '') };
}
