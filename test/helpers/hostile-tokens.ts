// Credential shapes from THREATS.md T4 and T5, built against a given issuer and key.
import { createHmac, createPublicKey } from 'node:crypto';
import { b64url, generateSigningKey, signJwt, type SigningKey } from '../../infra/local/jwt-sign';

export interface IssuerUnderTest {
  issuer: string;
  audience: string;
  key: SigningKey;
}

const now = () => Math.floor(Date.now() / 1000);

export function validClaims(t: IssuerUnderTest, sub = 'alice', extra: Record<string, unknown> = {}) {
  return { iss: t.issuer, aud: t.audience, sub, iat: now(), exp: now() + 600, ...extra };
}

/** T4: authorization header values that carry no usable credential (undefined: header absent). */
export function missingCredentialHeaders(t: IssuerUnderTest): Record<string, string | undefined> {
  const good = signJwt(t.key, validClaims(t));
  return {
    'no header': undefined,
    'wrong scheme': `Basic ${Buffer.from('alice:secret').toString('base64')}`,
    'empty bearer': 'Bearer ',
    'bearer only': 'Bearer',
    garbage: 'Bearer not-a-token',
    'truncated token': `Bearer ${good.slice(0, good.length - 20)}`,
    'token without scheme': good,
  };
}

/** T5: forged or replayed tokens; each must be refused. */
export function forgedTokens(t: IssuerUnderTest): Record<string, string> {
  const c = validClaims(t);
  const other = generateSigningKey('RS256');
  const header = (h: object) => b64url(JSON.stringify(h));
  const payload = b64url(JSON.stringify(c));
  const publicPem = createPublicKey({ key: t.key.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const hsInput = `${header({ alg: 'HS256', typ: 'JWT', kid: t.key.kid })}.${payload}`;
  const hs256 = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;
  const { sub: _sub, ...noSub } = c;
  return {
    'alg none': `${header({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    'alg none with signature': `${header({ alg: 'none', typ: 'JWT', kid: t.key.kid })}.${payload}.${b64url('x')}`,
    'HS256 signed with the public key': hs256,
    'unknown kid': signJwt(other, c),
    'right kid, wrong key': signJwt({ ...other, kid: t.key.kid }, c),
    expired: signJwt(t.key, { ...c, iat: now() - 7200, exp: now() - 3600 }),
    'nbf in the future': signJwt(t.key, { ...c, nbf: now() + 3600 }),
    'wrong iss': signJwt(t.key, { ...c, iss: 'https://evil.example.com' }),
    'wrong aud': signJwt(t.key, { ...c, aud: 'someone-else' }),
    'no sub': signJwt(t.key, noSub),
    'empty sub': signJwt(t.key, { ...c, sub: '' }),
    'no exp': signJwt(t.key, { iss: c.iss, aud: c.aud, sub: c.sub }),
    oversized: signJwt(t.key, { ...c, pad: 'x'.repeat(9000) }),
    // T19: lax header and claims
    'an unknown critical header': signJwt(t.key, c, { crit: ['x-unknown'], 'x-unknown': true }),
    'typ logout+jwt': signJwt(t.key, c, { typ: 'logout+jwt' }),
    'exp 1e300': signJwt(t.key, { ...c, exp: 1e300 }),
    'a 10-year exp': signJwt(t.key, { ...c, exp: now() + 10 * 365 * 86400 }),
    'no iat and a 2-day exp': (() => {
      const { iat: _iat, ...noIat } = c;
      return signJwt(t.key, { ...noIat, exp: now() + 2 * 86400 });
    })(),
    'iat a year in the future': signJwt(t.key, { ...c, iat: now() + 365 * 86400, exp: now() + 365 * 86400 + 600 }),
    'tampered payload': (() => {
      const [h, , s] = signJwt(t.key, c).split('.');
      return `${h}.${b64url(JSON.stringify({ ...c, sub: 'mallory', roles: ['admin'] }))}.${s}`;
    })(),
  };
}
