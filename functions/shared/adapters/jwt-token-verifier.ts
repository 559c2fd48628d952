// aws-jwt-verify behind the TokenVerifier port: several issuers, a fixed algorithm list, iss/aud/exp/nbf.
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache, SimplePenaltyBox, type Jwks, type JwkWithKid } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';
import {
  JwksNotAvailableInCacheError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { AuthConfig } from '../config';
import { discoveryUrlOf, isLoopbackUrl } from '../config';
import { DiscoveringFetcher } from './oidc-discovery';
import { AuthFailure, type TokenVerifier, type VerifiedClaims } from '../core/authenticate';
import { ServiceUnavailableError } from '../core/errors';
import { tokenRuleViolation } from '../core/token-rules';

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

/**
 * The issuer's keys could not be read (unreachable, an error status, not a JWKS): nothing was said
 * about the token, so the caller gets a 503 to retry, not a 401 that would tell it the token is bad.
 */
const issuerUnavailable = (cause?: unknown) =>
  new ServiceUnavailableError(5, "The token issuer's signing keys could not be read; retry later", { cause });

/**
 * aws-jwt-verify's cache keeps a JWKS until a token names a kid it lacks, so a key the issuer
 * removed would stay trusted for the life of the instance. This one treats a JWKS older than
 * `maxAgeMs` as absent: the next token re-reads it (one fetch, shared by concurrent callers), and
 * a key no longer published then fails like any unknown kid. After a failed fetch, no fetch of
 * that JWKS is tried again for `retryMs`: until then a token that would need one (a stale JWKS, a
 * kid not cached) is refused as "issuer unavailable" (fail closed), so made-up kids cannot turn an
 * issuer outage into a fetch per request; tokens whose key is cached and fresh still verify.
 */
export class MaxAgeJwksCache extends SimpleJwksCache {
  readonly #fetchedAt = new Map<string, number>();
  readonly #failedAt = new Map<string, number>();

  constructor(
    props: ConstructorParameters<typeof SimpleJwksCache>[0],
    private readonly maxAgeMs: number,
    private readonly retryMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super(props);
  }

  override addJwks(jwksUri: string, jwks: Jwks): void {
    super.addJwks(jwksUri, jwks);
    this.#fetchedAt.set(jwksUri, this.now());
  }

  override async getJwks(jwksUri: string): Promise<Jwks> {
    // Concurrent callers share the library's one in-flight fetch.
    try {
      const jwks = await super.getJwks(jwksUri);
      this.#fetchedAt.set(jwksUri, this.now());
      this.#failedAt.delete(jwksUri);
      return jwks;
    } catch (err) {
      this.#failedAt.set(jwksUri, this.now());
      throw issuerUnavailable(err);
    }
  }

  /** The library's own cache holds the token's key (no fetch needed). */
  #hasCached(jwksUri: string, decomposedJwt: DecomposedJwt): boolean {
    try {
      this.getCachedJwk(jwksUri, decomposedJwt);
      return true;
    } catch {
      return false;
    }
  }

  #stale(jwksUri: string): boolean {
    const at = this.#fetchedAt.get(jwksUri);
    return at !== undefined && this.now() - at >= this.maxAgeMs;
  }

  override getCachedJwk(jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    if (this.#stale(jwksUri)) throw new JwksNotAvailableInCacheError(`JWKS for ${jwksUri} is past its maximum age`);
    return super.getCachedJwk(jwksUri, decomposedJwt);
  }

  override async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    const recentlyFailed = this.now() - (this.#failedAt.get(jwksUri) ?? -Infinity) < this.retryMs;
    if (this.#stale(jwksUri)) {
      if (recentlyFailed) throw issuerUnavailable();
      await this.getJwks(jwksUri);
    } else if (recentlyFailed && !this.#hasCached(jwksUri, decomposedJwt)) {
      throw issuerUnavailable();
    }
    return super.getJwk(jwksUri, decomposedJwt);
  }
}

/**
 * The check a token failed, as a log-safe reason (the library's messages may quote claims). Our own
 * rules (token-rules.ts: `typ_not_accepted`, `lifetime_too_long`, …) arrive as AuthFailure already.
 */
const REFUSALS: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, string]> = [
  [JwtInvalidIssuerError, 'wrong_issuer'],
  // The multi-issuer verifier's "issuer not configured" / "issuer must be provided" (checked before the signature).
  [ParameterValidationError, 'wrong_issuer'],
  [JwtInvalidAudienceError, 'wrong_audience'],
  [JwtInvalidSignatureAlgorithmError, 'algorithm_not_allowed'],
  [JwtInvalidSignatureError, 'bad_signature'],
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not_yet_valid'],
  [KidNotFoundInJwksError, 'unknown_kid'],
  [WaitPeriodNotYetEndedJwkError, 'unknown_kid'], // a made-up kid inside the re-fetch wait
  [JwtWithoutValidKidError, 'missing_kid'],
  [JwtParseError, 'malformed_claims'],
];

function refusal(err: unknown): unknown {
  if (err instanceof AuthFailure || err instanceof ServiceUnavailableError) return err;
  const match = REFUSALS.find(([type]) => err instanceof type);
  return match ? new AuthFailure(match[1], { cause: err }) : err;
}

export function createTokenVerifier(
  config: AuthConfig,
  fetcher: Fetcher = new LoopbackAwareFetcher(),
  now: () => number = Date.now,
): TokenVerifier {
  const jwksCache = new MaxAgeJwksCache(
    // An issuer without JWKS_URI is keyed by its discovery URL: every (re-)read of its JWKS first reads the
    // discovery document, so `jwks_uri` is cached with the same maximum age and back-off as the keys.
    { fetcher: new DiscoveringFetcher(fetcher), penaltyBox: new SimplePenaltyBox({ waitSeconds: UNKNOWN_KID_REFETCH_WAIT_SECONDS }) },
    config.jwksMaxAgeSeconds * 1000,
    UNKNOWN_KID_REFETCH_WAIT_SECONDS * 1000,
    now,
  );
  const issuers = config.issuers.map(({ issuer, jwksUri }) => ({
    issuer,
    jwksUri: jwksUri ?? discoveryUrlOf(issuer),
    audience: [...config.audience],
    // Runs after the library's own checks, on the header and payload it has already parsed.
    customJwtCheck: ({ header, payload }: { header: Record<string, unknown>; payload: Record<string, unknown> }) => {
      if (!(ALLOWED_ALGORITHMS as readonly unknown[]).includes(header.alg)) throw new AuthFailure('algorithm_not_allowed');
      const violation = tokenRuleViolation({
        header,
        payload,
        nowSeconds: Math.floor(now() / 1000),
        maxLifetimeSeconds: config.maxTokenLifetimeSeconds,
      });
      if (violation) throw new AuthFailure(violation);
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
        if (!(err instanceof KidNotFoundInJwksError || err instanceof JwksNotAvailableInCacheError)) throw refusal(err);
      }
      // Cold cache or a new kid: fetch the JWKS (subject to the unknown-kid wait above).
      return (await verifier.verify(token).catch((err: unknown) => Promise.reject(refusal(err)))) as unknown as VerifiedClaims;
    },
  };
}
