// Minimal JWS signing for the dev issuer and for tests (RS256, ES256, EdDSA). Not used by functions.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, createHash, type JsonWebKey, type KeyObject } from 'node:crypto';

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface SigningKey {
  readonly alg: SigningAlg;
  readonly kid: string;
  readonly privateJwk: JsonWebKey;
  readonly publicJwk: JsonWebKey & { kid: string; alg: string; use: string };
}

export const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');

export function generateSigningKey(alg: SigningAlg = 'RS256', kid?: string): SigningKey {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const publicJwk = pair.publicKey.export({ format: 'jwk' });
  const id = kid ?? createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url').slice(0, 16);
  return {
    alg,
    kid: id,
    privateJwk: pair.privateKey.export({ format: 'jwk' }),
    publicJwk: { ...publicJwk, kid: id, alg, use: 'sig' },
  };
}

export const jwksOf = (...keys: SigningKey[]) => ({ keys: keys.map((k) => k.publicJwk) });

export function privateKeyObject(key: SigningKey): KeyObject {
  return createPrivateKey({ key: key.privateJwk, format: 'jwk' });
}

export function publicKeyObject(key: SigningKey): KeyObject {
  return createPublicKey({ key: key.publicJwk, format: 'jwk' });
}

/** Sign `payload` as a compact JWS. `header` overrides let tests build hostile tokens. */
export function signJwt(key: SigningKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const h = { alg: key.alg, typ: 'JWT', kid: key.kid, ...header };
  const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(payload))}`;
  const keyObject = privateKeyObject(key);
  const sig =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), keyObject)
      : key.alg === 'ES256'
        ? sign('sha256', Buffer.from(input), { key: keyObject, dsaEncoding: 'ieee-p1363' })
        : sign(null, Buffer.from(input), keyObject);
  return `${input}.${b64url(sig)}`;
}
