// aws-jwt-verify behind the TokenVerifier port: several issuers, a fixed algorithm list, iss/aud/exp/nbf.
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';
import { JwksNotAvailableInCacheError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { AuthConfig } from '../config';
import { isLoopbackUrl } from '../config';
import type { TokenVerifier, VerifiedClaims } from '../core/authenticate';

export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/**
 * After a token names a `kid` that the cached JWKS lacks, the JWKS is re-fetched at once (so a key
 * rotated in at the issuer works on its first use); a failed re-fetch blocks further re-fetches of
 * that JWKS for this many seconds, so a stream of made-up kids cannot flood the issuer.
 */
export const UNKNOWN_KID_REFETCH_WAIT_SECONDS = 2;

/** https through aws-jwt-verify's own fetcher; plain http only for loopback JWKS (dev and tests). */
export class LoopbackAwareFetcher implements Fetcher {
  readonly #https = new SimpleFetcher();

  async fetch(uri: string): Promise<ArrayBuffer> {
    if (!isLoopbackUrl(uri)) return this.#https.fetch(uri);
    const res = await fetch(uri, { signal: AbortSignal.timeout(3000), redirect: 'error' });
    if (!res.ok) throw new Error(`JWKS fetch failed with status ${res.status}`);
    return res.arrayBuffer();
  }
}

export function createTokenVerifier(config: AuthConfig, fetcher: Fetcher = new LoopbackAwareFetcher()): TokenVerifier {
  const jwksCache = new SimpleJwksCache({
    fetcher,
    penaltyBox: new SimplePenaltyBox({ waitSeconds: UNKNOWN_KID_REFETCH_WAIT_SECONDS }),
  });
  const issuers = config.issuers.map(({ issuer, jwksUri }) => ({
    issuer,
    jwksUri,
    audience: [...config.audience],
    // The fixed algorithm list, checked on the header the library has already parsed.
    customJwtCheck: ({ header }: { header: { alg?: unknown } }) => {
      if (!(ALLOWED_ALGORITHMS as readonly unknown[]).includes(header.alg)) throw new Error('algorithm not allowed');
    },
  }));
  const [first, ...rest] = issuers;
  if (!first) throw new Error('no issuers configured');
  const verifier = JwtVerifier.create([first, ...rest], { jwksCache });
  return {
    async verify(token: string): Promise<VerifiedClaims> {
      try {
        // Warm path: the key is cached, so verify synchronously (no promise chain per request).
        return verifier.verifySync(token) as unknown as VerifiedClaims;
      } catch (err) {
        if (!(err instanceof KidNotFoundInJwksError || err instanceof JwksNotAvailableInCacheError)) throw err;
      }
      // Cold cache or a new kid: fetch the JWKS (subject to the unknown-kid wait above).
      return (await verifier.verify(token)) as unknown as VerifiedClaims;
    },
  };
}
