// THREATS T4 and T5 over real HTTP through the local API Gateway, plus /me isolation and log hygiene.
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { ROUTES } from '../../infra/routes';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { api, UNAUTHORIZED_BODY } from '../helpers/http';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { forgedTokens, missingCredentialHeaders } from '../helpers/hostile-tokens';
import { PUBLIC_ROUTES, routeKey } from '../infra/public-routes';

// Every route but the hand-written public list, whatever the route table says about it; the test
// below fails when a route outside the list is declared public.
const protectedRoutes = ROUTES.filter((r) => !PUBLIC_ROUTES.includes(routeKey(r)));
const concretePath = (p: string) => p.replace(/\{\w+\}/g, '01JTESTID0000000000000000');
const usedSecrets: string[] = [];

describe('edge authentication over HTTP', () => {
  it('serves /health publicly', async () => {
    const res = await api(baseUrl(), 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('declares only the documented public routes public; every other route has an authorizer', () => {
    expect(ROUTES.filter((r) => r.auth === 'public').map(routeKey)).toEqual(PUBLIC_ROUTES);
    for (const r of protectedRoutes) expect(r.auth, routeKey(r)).not.toBe('public');
    expect(protectedRoutes.length).toBe(ROUTES.length - PUBLIC_ROUTES.length);
  });

  it('does not serve the emulated WebSocket Management API on the public port', async () => {
    const token = devToken(uniqueUser('mgmt'));
    for (const method of ['GET', 'POST', 'DELETE']) {
      for (const path of ['/_ws-management/@connections/abc%3D', '/@connections/abc%3D']) {
        const res = await api(baseUrl(), method, path, { token, rawBody: method === 'POST' ? '{"type":"pong"}' : undefined });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body).toEqual({ error: { code: 'not_found', message: 'Not found' } });
      }
    }
  });

  it('lets the method-scoped Allow through on paths with wildcard and regex characters', async () => {
    // The authorizer allows exactly the request's method ARN; the gateway must still match it, so
    // the function answers (the thread 403), not the gateway's ACCESS_DENIED.
    const token = devToken(uniqueUser('arn'));
    for (const id of ['a.b(c)+d$e', 'x*y', '%5Bz%5D%7Bq%7D%5E%7C']) {
      const res = await api(baseUrl(), 'GET', `/threads/${id}`, { token });
      expect(res.status, id).toBe(403);
      expect(res.body, id).toEqual({ error: { code: 'forbidden', message: 'Thread not found or access denied' } });
    }
    const me = await api(baseUrl(), 'GET', '/me/', { token });
    expect(me.status).toBe(200);
  });

  it('answers an unknown route with the documented 404 body', async () => {
    const res = await api(baseUrl(), 'GET', '/no/such/route', { token: devToken('alice') });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Not found' } });
  });

  describe.each(protectedRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('T4 on %s', (_name, route) => {
    const cases = Object.entries(missingCredentialHeaders(devIssuer()));
    it.each(cases.map(([n]) => n))('refuses %s with 401 and the standard body', async (name) => {
      const value = Object.fromEntries(cases)[name];
      if (value) usedSecrets.push(value.replace(/^Bearer ?/, ''));
      const res = await api(baseUrl(), route.method, concretePath(route.path), {
        headers: value === undefined ? {} : { Authorization: value },
        body: route.method === 'GET' ? undefined : {},
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_BODY);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      // Refused by the gateway's authorizer step (its gateway response), not by the function.
      expect(res.headers.get('x-amzn-errortype')).toBe('UNAUTHORIZED');
    });
  });

  describe('T5 forged and replayed tokens', () => {
    const tokens = forgedTokens(devIssuer());
    it.each(Object.keys(tokens))('refuses a token with %s on every protected route', async (name) => {
      const token = tokens[name]!;
      usedSecrets.push(token);
      for (const route of protectedRoutes) {
        const res = await api(baseUrl(), route.method, concretePath(route.path), { token });
        expect(res.status, `${route.method} ${route.path}`).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_BODY);
        // None reaches a chat function: the authorizer refused at the edge.
        expect(res.headers.get('x-amzn-errortype'), `${route.method} ${route.path}`).toBe('UNAUTHORIZED');
      }
    });

    it('refuses a malformed API key and never answers 5xx for odd credentials', async () => {
      for (const key of ['not-a-uuid', 'x'.repeat(5000), '00000000-0000-0000-0000-000000000000']) {
        const res = await api(baseUrl(), 'GET', '/me', { apiKey: key });
        expect(res.status).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_BODY);
      }
    });

    it('answers an oversized header block with 431 or 401, never a 5xx', async () => {
      const res = await api(baseUrl(), 'GET', '/me', { token: 'e'.repeat(20_000) });
      expect([401, 431]).toContain(res.status);
    });
  });

  describe('/me', () => {
    it('creates the profile on first call and keeps two users apart', async () => {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      const aliceToken = devToken(alice, { email: `${alice}@example.com` });
      const bobToken = devToken(bob, { roles: ['admin'] });
      usedSecrets.push(aliceToken, bobToken);

      const a1 = await api(baseUrl(), 'GET', '/me', { token: aliceToken });
      const b1 = await api(baseUrl(), 'GET', '/me', { token: bobToken });
      const a2 = await api(baseUrl(), 'GET', '/me', { token: devToken(alice) });

      expect(a1.status).toBe(200);
      expect(a1.body).toMatchObject({
        userId: userIdFor(devIssuer().issuer, alice),
        email: `${alice}@example.com`,
        roles: ['user'],
        authMethod: 'jwt',
      });
      expect(b1.body).toMatchObject({ userId: userIdFor(devIssuer().issuer, bob), roles: ['admin'], email: null });
      expect(a2.body.createdAt).toBe(a1.body.createdAt); // stored, not re-created
      expect(a2.body.email).toBe(`${alice}@example.com`);
      expect(JSON.stringify(b1.body)).not.toContain(alice);
    });

    it('ignores identity claims in headers (X-User-Id, X-User-Context)', async () => {
      const alice = uniqueUser('alice');
      const token = devToken(alice);
      usedSecrets.push(token);
      const res = await api(baseUrl(), 'GET', '/me', {
        token,
        headers: { 'X-User-Id': 'victim', 'X-User-Context': '{"role":"admin","user_id":"victim"}' },
      });
      expect(res.body).toMatchObject({ userId: userIdFor(devIssuer().issuer, alice), roles: ['user'] });
    });

    it('lists read tools only for guests on /tools/available', async () => {
      const guest = await api(baseUrl(), 'GET', '/tools/available', { token: devToken(uniqueUser('g'), { roles: ['guest'] }) });
      const user = await api(baseUrl(), 'GET', '/tools/available', { token: devToken(uniqueUser('u')) });
      expect(guest.body.tools.map((t: { name: string }) => t.name)).toEqual(['list_tasks']);
      expect(user.body.tools.length).toBeGreaterThan(1);
    });
  });

  it('never writes a token used above into the stack logs', () => {
    const logs = readFileSync(inject('logFile'), 'utf8');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('authorization failed');
    for (const secret of usedSecrets.filter((s) => s.length >= 16)) {
      expect(logs.includes(secret), 'a token appeared in the logs').toBe(false);
      // Signatures alone are secrets too.
      const sig = secret.split('.')[2];
      if (sig && sig.length >= 16) expect(logs.includes(sig)).toBe(false);
    }
  });
});
