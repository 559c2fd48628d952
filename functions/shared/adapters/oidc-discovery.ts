// OpenID Connect Discovery 1.0: an issuer's `/.well-known/openid-configuration` names its `jwks_uri`
// (providers serve keys at different paths: `/jwks`, `/protocol/openid-connect/certs`, …) and the
// exact `issuer` string its tokens carry, which is how a trailing-slash mismatch is caught early.
// https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
import type { Fetcher } from 'aws-jwt-verify/https';
import { assertJwksUri, discoveryUrlOf } from '../config';
import type { TokenVerifier } from '../core/authenticate';

/** A configured issuer whose discovery document names another `issuer`: every token will be refused. */
export interface IssuerMismatch {
  readonly configured: string;
  readonly advertised: string;
}

interface DiscoveryDocument {
  readonly issuer: unknown;
  readonly jwks_uri: unknown;
}

async function readDocument(fetcher: Fetcher, discoveryUrl: string): Promise<DiscoveryDocument> {
  const doc = JSON.parse(new TextDecoder().decode(await fetcher.fetch(discoveryUrl))) as unknown;
  if (typeof doc !== 'object' || doc === null) throw new Error('discovery document is not a JSON object');
  return doc as DiscoveryDocument;
}

/**
 * A Fetcher for aws-jwt-verify's JWKS cache: a discovery URL is answered with the JWKS its `jwks_uri`
 * names (which must be https, or http on loopback, like JWKS_URI); any other URL is fetched as is.
 */
export class DiscoveringFetcher implements Fetcher {
  constructor(private readonly inner: Fetcher) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    if (!uri.endsWith('/.well-known/openid-configuration')) return this.inner.fetch(uri);
    const doc = await readDocument(this.inner, uri);
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
    assertJwksUri('jwks_uri (discovery)', doc.jwks_uri);
    return this.inner.fetch(doc.jwks_uri);
  }
}

/**
 * Reads each issuer's discovery document and returns those whose `issuer` differs from the configured
 * string (a trailing slash is the usual cause). An unreadable document is skipped: not every issuer
 * publishes one, and an outage is reported where tokens are verified.
 */
export async function issuerMismatches(issuers: readonly string[], fetcher: Fetcher): Promise<IssuerMismatch[]> {
  const found = await Promise.all(
    issuers.map(async (configured) => {
      try {
        const { issuer } = await readDocument(fetcher, discoveryUrlOf(configured));
        return typeof issuer === 'string' && issuer !== configured ? [{ configured, advertised: issuer }] : [];
      } catch {
        return [];
      }
    }),
  );
  return found.flat();
}

export const issuerMismatchWarning = ({ configured, advertised }: IssuerMismatch): string =>
  `JWT_ISSUER "${configured}" differs from the issuer its discovery document names ("${advertised}"): tokens carry the latter, so every token will be refused as wrong_issuer. Set JWT_ISSUER to "${advertised}".`;

/**
 * The verifier, plus a one-off comparison of each issuer with its discovery document on the first token
 * (at the cold start, not at import, so loading the function reaches no network), which does not wait
 * for it. Mismatches go to `report`.
 */
export function checkingIssuersOnFirstUse(
  tokens: TokenVerifier,
  issuers: readonly string[],
  fetcher: Fetcher,
  report: (m: IssuerMismatch) => void,
): TokenVerifier {
  let checked = false;
  return {
    verify(token) {
      if (!checked) {
        checked = true;
        void issuerMismatches(issuers, fetcher).then((found) => found.forEach(report));
      }
      return tokens.verify(token);
    },
  };
}
