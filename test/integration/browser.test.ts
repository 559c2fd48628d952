// THREATS T12 over HTTP: CORS from the allow-list only (never `*`), on successes, function errors and
// gateway responses alike; security headers on every kind of response. The shared stack runs with
// CORS_ORIGINS=http://localhost:5173,https://app.example.com.
import { describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../functions/shared/core/security-headers';
import { api, type ApiResponse } from '../helpers/http';
import { baseUrl, devToken, uniqueUser } from '../helpers/dev-tokens';

const LISTED = 'https://app.example.com';
const UNLISTED = 'https://evil.example.net';

const allowHeaders = (res: ApiResponse | Response) =>
  [...res.headers.keys()].filter((h) => h.toLowerCase().startsWith('access-control-allow-'));

const preflight = (path: string, origin: string) =>
  fetch(`${baseUrl()}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
  });

describe('CORS (T12)', () => {
  it.each(['/me', '/admin/audit', '/health'])('gives no allow headers to a preflight for %s from an unlisted origin', async (path) => {
    const res = await preflight(path, UNLISTED);
    expect(res.status).toBe(204);
    expect(allowHeaders(res)).toEqual([]);
  });

  it('allows a listed origin to preflight with credentials headers', async () => {
    const res = await preflight('/me', LISTED);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/X-API-Key/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
  });

  it('echoes a listed origin on successes and function errors, with the rate headers exposed', async () => {
    const token = devToken(uniqueUser('web'));
    const okRes = await api(baseUrl(), 'GET', '/me', { token, headers: { Origin: LISTED } });
    const errRes = await api(baseUrl(), 'GET', '/admin/audit', { token, headers: { Origin: LISTED } });
    expect(errRes.status).toBe(403);
    for (const res of [okRes, errRes]) {
      expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
      expect(res.headers.get('access-control-expose-headers')).toMatch(/X-RateLimit-Remaining/);
      expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    }
  });

  it('sends no allow headers to an unlisted origin, whatever the outcome', async () => {
    const token = devToken(uniqueUser('web'));
    for (const [method, path] of [['GET', '/me'], ['GET', '/admin/audit'], ['GET', '/health']] as const) {
      const res = await api(baseUrl(), method, path, { token, headers: { Origin: UNLISTED } });
      expect(allowHeaders(res), `${method} ${path}`).toEqual([]);
    }
  });

  it("puts CORS on gateway responses (401, 404): the caller's own origin, never * nor another origin", async () => {
    const noAuth = await api(baseUrl(), 'GET', '/me', { headers: { Origin: LISTED } });
    const unknown = await api(baseUrl(), 'GET', '/nope', { headers: { Origin: LISTED } });
    expect(noAuth.status).toBe(401);
    expect(unknown.status).toBe(404);
    for (const res of [noAuth, unknown]) {
      // Not the first configured origin (localhost:5173): a page on any allowed origin can read it.
      expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
    }
  });
});

describe('security headers', () => {
  it('are the same set on function successes, function errors, gateway responses and preflights, with no blank headers', async () => {
    const token = devToken(uniqueUser('sec'));
    const responses = {
      'function 200': await api(baseUrl(), 'GET', '/me', { token }),
      'function 403': await api(baseUrl(), 'GET', '/admin/audit', { token }),
      'public 200': await api(baseUrl(), 'GET', '/health'),
      'gateway 401': await api(baseUrl(), 'GET', '/me'),
      'gateway 404': await api(baseUrl(), 'GET', '/nope'),
      'preflight, listed origin': await preflight('/me', LISTED),
      'preflight, unlisted origin': await preflight('/me', UNLISTED),
    };
    for (const [name, res] of Object.entries(responses)) {
      expect([...res.headers.entries()].filter(([, v]) => v === '' || v === 'undefined'), `${name}: blank headers`).toEqual([]);
      for (const [header, value] of Object.entries(SECURITY_HEADERS)) {
        expect(res.headers.get(header), `${name}: ${header}`).toBe(value);
      }
    }
  });
});
