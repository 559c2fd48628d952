// The web client's stream parser and its PKCE helpers (RFC 7636), outside the browser.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizeUrl, codeChallenge, discoveryUrl, jwtClaims, randomToken, tokenRequestBody } from '../../../web/src/pkce';
import { SseParser } from '../../../web/src/sse';
import { pageContextHeader } from '../../../web/src/api';

describe('SseParser', () => {
  it('yields each event once its blank line arrives, across any chunking', () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\r\n\r\n: comment\n\ndata: {"c"';
    for (const size of [1, 3, 7, stream.length]) {
      const p = new SseParser();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...p.push(stream.slice(i, i + size)).map((e) => e.data));
      expect(out).toEqual(['{"a":1}', '{"b":2}']);
      expect(p.push(':3}\n\n').map((e) => e.data)).toEqual(['{"c":3}']);
    }
  });

  it('gives each event its id (a resume starts after the last one drawn); an event without one keeps the last', () => {
    const p = new SseParser();
    expect(p.push('data: {"x":0}\n\nid: 1\ndata: {"a":1}\n\nid:2\ndata: {"b":2}\n\ndata: {"c":3}\n\nid: x9\ndata: {"d":4}\n\n')).toEqual([
      { id: 0, data: '{"x":0}' },
      { id: 1, data: '{"a":1}' },
      { id: 2, data: '{"b":2}' },
      { id: 2, data: '{"c":3}' },
      { id: 2, data: '{"d":4}' },
    ]);
  });
});

describe('PKCE', () => {
  it('derives the S256 challenge of the RFC 7636 appendix B example', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character url-safe verifiers that differ every time', async () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
    expect(await codeChallenge(a)).toBe(createHash('sha256').update(a).digest('base64url'));
  });

  it('builds the authorization request and the token request (a public client: no secret)', () => {
    const url = new URL(
      authorizeUrl('https://id.example.com/authorize?tenant=x', { clientId: 'web', redirectUri: 'https://app.example.com/', scope: 'openid', state: 's', nonce: 'n', challenge: 'c', audience: 'threadguard' }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 'x',
      response_type: 'code',
      client_id: 'web',
      redirect_uri: 'https://app.example.com/',
      scope: 'openid',
      state: 's',
      nonce: 'n',
      code_challenge: 'c',
      code_challenge_method: 'S256',
      audience: 'threadguard',
    });
    const body = tokenRequestBody({ code: 'k', redirectUri: 'https://app.example.com/', clientId: 'web', verifier: 'v' });
    expect(Object.fromEntries(body)).toEqual({ grant_type: 'authorization_code', code: 'k', redirect_uri: 'https://app.example.com/', client_id: 'web', code_verifier: 'v' });
    expect(discoveryUrl('https://id.example.com/realms/a/')).toBe('https://id.example.com/realms/a/.well-known/openid-configuration');
  });

  it('reads claims with non-ASCII text', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'zoë', exp: 1 })).toString('base64url');
    expect(jwtClaims(`x.${payload}.y`)).toEqual({ sub: 'zoë', exp: 1 });
  });
});

describe('X-Page-Context', () => {
  it('is a Latin-1-safe header whose JSON reads back to the same context', () => {
    const ctx = { page: 'Chat', title: 'Café ☕ plans' };
    const header = pageContextHeader(ctx);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(header)).toEqual(ctx);
  });
});
