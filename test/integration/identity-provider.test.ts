// The API with a standard identity provider: `oidc-provider` (a certified OpenID Provider) on loopback
// as the only trusted issuer, configured as a team would configure Keycloak. No JWKS_URI: the keys are
// found through discovery. Roles sit at `realm_access.roles`. Each refused token is logged with the
// check it failed. Every answer, a gateway's 401 or 404 included, is readable by every allowed origin.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, signJwt } from '../../infra/local/jwt-sign';
import { recordCredential } from '../helpers/credentials';
import { API_AUDIENCE, startCertifiedProvider, WEB_CLIENT_ID, type CertifiedProvider } from '../helpers/oidc-provider';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

const FIRST = 'https://app.example.com';
const SECOND = 'https://cdn.example.net';

const logLines = (stack: StackProcess): Record<string, unknown>[] =>
  readFileSync(stack.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a standard OpenID provider as the issuer (discovery, nested roles, named refusals, CORS)', () => {
  let idp: CertifiedProvider;
  let stack: StackProcess;
  const now = () => Math.floor(Date.now() / 1000);
  const get = (path: string, token?: string, origin = SECOND) =>
    fetch(`${stack.baseUrl}${path}`, { headers: { Origin: origin, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });

  beforeAll(async () => {
    idp = await startCertifiedProvider('http://127.0.0.1:9/');
    stack = await startStackProcess({
      JWT_ISSUER: idp.issuer,
      JWT_AUDIENCE: `${API_AUDIENCE},${WEB_CLIENT_ID}`,
      ROLES_CLAIM: 'realm_access.roles',
      CORS_ORIGINS: `${FIRST},${SECOND}`,
      RATE_LIMIT_PER_MINUTE: '5',
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await idp?.close();
    for (const t of idp?.issued ?? []) recordCredential(t);
  });

  it('verifies the provider\'s JWT access tokens with keys found through discovery (no JWKS_URI)', async () => {
    const res = await get('/me', await idp.serviceToken([]));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { roles: string[] }).roles).toEqual(['user']);
  });

  it('reads roles from the nested claim ROLES_CLAIM names (realm_access.roles)', async () => {
    const admin = await get('/me', await idp.serviceToken(['admin']));
    expect(((await admin.json()) as { roles: string[] }).roles).toEqual(['admin']);
    const guest = await idp.serviceToken(['guest']);
    expect(((await (await get('/me', guest)).json()) as { roles: string[] }).roles).toEqual(['guest']);
    const write = await fetch(`${stack.baseUrl}/threads`, { method: 'POST', headers: { Authorization: `Bearer ${guest}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(write.status).toBe(403);
  });

  it('logs each refused token with the check it failed, never the token', async () => {
    const base = () => ({ iss: idp.issuer, sub: 'rule-breaker', aud: API_AUDIENCE, iat: now(), exp: now() + 300 });
    const impostor = generateSigningKey('RS256', idp.key.kid); // the provider's kid, another key
    const cases: Record<string, string> = {
      wrong_issuer: idp.sign({ ...base(), iss: `${idp.issuer}/realms/other` }),
      wrong_audience: idp.sign({ ...base(), aud: 'another-api' }),
      bad_signature: signJwt(impostor, base()),
      expired: idp.sign({ ...base(), iat: now() - 900, exp: now() - 600 }),
      not_yet_valid: idp.sign({ ...base(), nbf: now() + 3600 }),
      unknown_kid: signJwt(generateSigningKey('RS256'), base()),
      typ_not_accepted: idp.sign(base(), { typ: 'logout+jwt' }),
      lifetime_too_long: idp.sign({ ...base(), exp: now() + 30 * 86_400 }),
    };
    for (const token of Object.values(cases)) recordCredential(token);
    for (const [reason, token] of Object.entries(cases)) {
      const res = await get('/me', token);
      expect(res.status, reason).toBe(401);
      // The refusal is readable from the second allowed origin (a gateway response: the first one's before).
      expect(res.headers.get('access-control-allow-origin'), reason).toBe(SECOND);
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'Unauthorized' } });
    }
    // The log reaches its file a moment after the answer.
    const refusals = () => logLines(stack).filter((l) => l.message === 'authorization failed' && l.path === '/me').map((l) => l.reason);
    await expect.poll(refusals, { timeout: 10_000 }).toEqual(expect.arrayContaining(Object.keys(cases)));
    const log = readFileSync(stack.logFile, 'utf8');
    for (const token of Object.values(cases)) expect(log).not.toContain(token.split('.')[2]);
  });

  it('lets every allowed origin read 401, 403, 404 and 429 answers, and no other origin read the API\'s own', async () => {
    for (const origin of [FIRST, SECOND]) {
      const unauthorized = await get('/me', undefined, origin);
      expect([unauthorized.status, unauthorized.headers.get('access-control-allow-origin')]).toEqual([401, origin]);
      const notFound = await get('/no-such-route', undefined, origin);
      expect([notFound.status, notFound.headers.get('access-control-allow-origin')]).toEqual([404, origin]);
    }
    const user = await idp.serviceToken([]);
    const forbidden = await get('/admin/audit', user);
    expect([forbidden.status, forbidden.headers.get('access-control-allow-origin')]).toEqual([403, SECOND]);
    let limited: Response | null = null;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await get('/threads', user);
      if (res.status === 429) limited = res;
    }
    expect(limited?.headers.get('access-control-allow-origin')).toBe(SECOND);
    expect(limited?.headers.get('access-control-expose-headers')).toContain('Retry-After');
    // The API's own answers keep the allow-list: an unlisted origin is not named.
    const other = await get('/me', await idp.serviceToken([]), 'https://evil.example.org');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // And its preflight fails, so its page never sends a credential nor reads what comes back.
    const preflight = await fetch(`${stack.baseUrl}/me`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example.org', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('an issuer configured with a trailing slash its tokens do not carry', () => {
  let idp: CertifiedProvider;
  let stack: StackProcess;

  beforeAll(async () => {
    idp = await startCertifiedProvider('http://127.0.0.1:9/');
    stack = await startStackProcess({ JWT_ISSUER: `${idp.issuer}/`, JWT_AUDIENCE: API_AUDIENCE, ROLES_CLAIM: 'realm_access.roles' });
  });
  afterAll(async () => {
    await stack?.stop();
    await idp?.close();
    for (const t of idp?.issued ?? []) recordCredential(t);
  });

  it('warns at start, naming both spellings, and logs each refusal as wrong_issuer', async () => {
    const log = () => readFileSync(stack.logFile, 'utf8');
    await expect.poll(log, { timeout: 10_000 }).toContain(`Warning: JWT_ISSUER "${idp.issuer}/" differs from the issuer its discovery document names ("${idp.issuer}")`);
    // The banner's example runs as written once TOKEN is set (no `$(<a token …>)` to paste over).
    await expect.poll(log, { timeout: 10_000 }).toMatch(/^Try: curl -H "Authorization: Bearer \$TOKEN" http:\/\/\S+\/me {3}\(TOKEN: an access or ID token from /m);
    const res = await fetch(`${stack.baseUrl}/me`, { headers: { Authorization: `Bearer ${await idp.serviceToken([])}` } });
    expect(res.status).toBe(401);
    // The log reaches its file a moment after the answer.
    await expect.poll(() => logLines(stack).filter((l) => l.message === 'authorization failed').map((l) => l.reason), { timeout: 10_000 }).toContain('wrong_issuer');
    // The authorizer says it too, once, at its first token (deployed: once per cold start, in CloudWatch).
    const warned = () => logLines(stack).filter((l) => l.level === 'WARN' && String(l.message).startsWith(`JWT_ISSUER "${idp.issuer}/" differs`));
    await expect.poll(() => warned().length, { timeout: 10_000 }).toBeGreaterThan(0);
  });
});
