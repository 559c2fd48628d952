// A certified OpenID Provider on loopback: panva's `oidc-provider`, configured as a team would run
// Keycloak or any standard provider. Code + PKCE for the web client (a public client), ID tokens with
// the user's claims, JWT access tokens only for the API's resource indicator (RFC 8707) and opaque ones
// otherwise, `iss` on every authorization response (RFC 9207), keys at `/jwks` (not the path a
// JWKS_URI default would guess), and roles nested as Keycloak nests them (`realm_access.roles`).
// The login screen is replaced by an interaction that signs the configured user in at once.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { errors } from 'oidc-provider';
import { generateSigningKey, signJwt, type SigningKey } from '../../infra/local/jwt-sign';

/** The API's resource indicator and the `aud` of the JWT access tokens issued for it. */
export const API_RESOURCE = 'https://api.threadguard.test';
export const API_AUDIENCE = 'threadguard';
export const WEB_CLIENT_ID = 'threadguard-web';
/** A confidential client for tests that need an API access token without a browser. */
export const SERVICE_CLIENT = { id: 'threadguard-tests', secret: 'loopback-test-secret-not-used-anywhere-else' };

export interface CertifiedProvider {
  /** Exactly as the provider writes it in `iss` (no trailing slash). */
  readonly issuer: string;
  /** Who the interaction signs in, and the roles (`realm_access.roles`) their tokens carry. */
  user: { sub: string; roles: string[] };
  /** Every token issued (tests record them as credentials). */
  readonly issued: string[];
  /** Signs a token with the provider's own key (for tokens that break one rule at a time). */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
  readonly key: SigningKey;
  /** A JWT access token for the API (client credentials, resource indicator), carrying `roles`. */
  serviceToken(roles: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startCertifiedProvider(webRedirectUri: string): Promise<CertifiedProvider> {
  let provider: Provider | null = null;
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const issuer = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const key = generateSigningKey('RS256');
  const state: CertifiedProvider = {
    issuer,
    user: { sub: 'oidc-user', roles: [] },
    issued: [],
    key,
    sign: (payload, header) => signJwt(key, payload, header),
    serviceToken: async (roles) => {
      serviceRoles = roles;
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${SERVICE_CLIENT.id}:${SERVICE_CLIENT.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: API_RESOURCE, scope: 'api' }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`client credentials refused: ${body.error}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  let serviceRoles: string[] = [];

  provider = new Provider(issuer, {
    clients: [
      { client_id: WEB_CLIENT_ID, token_endpoint_auth_method: 'none', redirect_uris: [webRedirectUri], grant_types: ['authorization_code'], response_types: ['code'] },
      { client_id: SERVICE_CLIENT.id, client_secret: SERVICE_CLIENT.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    ],
    jwks: { keys: [{ ...key.privateJwk, kid: key.kid, alg: 'RS256', use: 'sig' } as never] },
    cookies: { keys: ['loopback-test-cookie-key'] },
    claims: { openid: ['sub', 'realm_access'], email: ['email', 'email_verified'] },
    // Scope claims in the ID token itself, as most providers put them (the web client sends the ID token).
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true, realm_access: { roles: state.user.sub === sub ? state.user.roles : [] } }),
    }),
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== 'AccessToken' && token.kind !== 'ClientCredentials') return undefined;
      const roles = token.kind === 'ClientCredentials' ? serviceRoles : state.user.sub === (token as { accountId?: string }).accountId ? state.user.roles : [];
      return { realm_access: { roles } };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => {
          if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
          return { scope: 'api', audience: API_AUDIENCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    ttl: { AccessToken: 600, ClientCredentials: 600, IdToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  });
  const callback = provider.callback();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!provider) return void res.writeHead(503).end();
    if (req.url?.startsWith('/interaction/')) {
      // The "login and consent" step: the configured user, every scope and resource asked for.
      const details = await provider.interactionDetails(req, res);
      const params = details.params as Record<string, string | undefined>;
      const grant = new provider.Grant({ accountId: state.user.sub, clientId: params.client_id! });
      grant.addOIDCScope(params.scope ?? 'openid');
      if (params.resource) grant.addResourceScope(params.resource, 'api');
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: state.user.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return;
    }
    // Record what the token endpoint hands out, for the credential scan at the end of the run.
    if (req.url === '/token' && req.method === 'POST') {
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      const chunks: Buffer[] = [];
      res.write = ((chunk: Buffer | string, ...rest: never[]) => (chunks.push(Buffer.from(chunk)), write(chunk, ...rest))) as typeof res.write;
      res.end = ((chunk?: Buffer | string, ...rest: never[]) => {
        if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          for (const k of ['access_token', 'id_token']) if (typeof body[k] === 'string') state.issued.push(body[k] as string);
        } catch {
          /* not JSON: nothing issued */
        }
        return end(chunk as never, ...rest);
      }) as typeof res.end;
    }
    callback(req, res);
  }
  return state;
}
