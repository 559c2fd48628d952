// A small OpenID Connect provider on loopback for the web client's sign-in test: discovery, an
// authorization endpoint that signs the configured user in at once (no login form), a token
// endpoint that checks the code, the redirect URI, the client and the PKCE verifier (RFC 7636,
// S256) as a real provider does, and the JWKS the local stack verifies the tokens with.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { generateSigningKey, jwksOf, signJwt } from '../../infra/local/jwt-sign';

export interface OidcIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Set before the browser signs in: the client's one registered redirect URI and allowed origin. */
  client: { id: string; redirectUri: string; origin: string };
  /** Who the authorization endpoint signs in. */
  user: { sub: string; roles?: string[] };
  readonly audience: string;
  /** Token requests refused, with the OAuth error code. */
  readonly refusals: string[];
  /** Tokens issued (tests record them as credentials). */
  readonly issued: string[];
  close(): Promise<void>;
}

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
  });

export async function startOidcIssuer(audience: string): Promise<OidcIssuer> {
  const key = generateSigningKey('RS256');
  const codes = new Map<string, { challenge: string; redirectUri: string; clientId: string; nonce: string; sub: string; roles?: string[] }>();
  const state: OidcIssuer = {
    issuer: '',
    jwksUri: '',
    client: { id: '', redirectUri: '', origin: '' },
    user: { sub: 'oidc-user' },
    audience,
    refusals: [],
    issued: [],
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.issuer);
    // Browsers read discovery and the token response cross-origin: CORS for the client's origin only.
    const cors = req.headers.origin === state.client.origin ? { 'Access-Control-Allow-Origin': state.client.origin } : {};
    const json = (status: number, value: unknown) => res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...cors }).end(JSON.stringify(value));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: state.issuer,
        authorization_endpoint: `${state.issuer}/authorize`,
        token_endpoint: `${state.issuer}/token`,
        jwks_uri: state.jwksUri,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
    if (url.pathname === '/.well-known/jwks.json') return json(200, jwksOf(key));
    if (url.pathname === '/authorize') {
      const p = Object.fromEntries(url.searchParams);
      if (p.client_id !== state.client.id || p.redirect_uri !== state.client.redirectUri) return res.writeHead(400).end('unknown client or redirect_uri');
      const back = new URL(p.redirect_uri!);
      if (p.response_type !== 'code' || p.code_challenge_method !== 'S256' || !p.code_challenge) {
        back.searchParams.set('error', 'invalid_request');
      } else {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, { challenge: p.code_challenge, redirectUri: p.redirect_uri!, clientId: p.client_id!, nonce: p.nonce ?? '', ...state.user });
        back.searchParams.set('code', code);
      }
      back.searchParams.set('state', p.state ?? '');
      return res.writeHead(302, { Location: back.toString() }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      void body(req).then((raw) => {
        const p = Object.fromEntries(new URLSearchParams(raw));
        const grant = codes.get(p.code ?? '');
        codes.delete(p.code ?? ''); // one use only
        const refuse = (error: string) => (state.refusals.push(error), json(400, { error }));
        if (!grant || p.grant_type !== 'authorization_code') return refuse('invalid_grant');
        if (p.client_id !== grant.clientId || p.redirect_uri !== grant.redirectUri) return refuse('invalid_grant');
        if (createHash('sha256').update(p.code_verifier ?? '').digest('base64url') !== grant.challenge) return refuse('invalid_grant');
        const now = Math.floor(Date.now() / 1000);
        const common = { iss: state.issuer, sub: grant.sub, iat: now, exp: now + 600, ...(grant.roles ? { roles: grant.roles } : {}) };
        const access = signJwt(key, { ...common, aud: audience });
        const id = signJwt(key, { ...common, aud: grant.clientId, nonce: grant.nonce });
        state.issued.push(access, id);
        return json(200, { access_token: access, id_token: id, token_type: 'Bearer', expires_in: 600 });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const issuer = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return Object.assign(state, {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  });
}
