// Rules a verified JWT must also meet, beyond signature, issuer, audience and expiry (THREATS T19).
// Pure: the verifier adapter calls this with the parsed header and payload and the current time.

/** Clock skew allowed between the issuer and us for `iat`. */
export const IAT_SKEW_SECONDS = 60;

/** `typ` values accepted: absent, a plain JWT, or an OAuth access token (RFC 9068). */
const ACCEPTED_TYP = new Set(['JWT', 'AT+JWT', 'APPLICATION/JWT', 'APPLICATION/AT+JWT']);

export interface TokenRuleInput {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly nowSeconds: number;
  readonly maxLifetimeSeconds: number;
}

/** The broken rule as a log-safe reason code, or null when the token meets every rule. */
export function tokenRuleViolation({ header, payload, nowSeconds, maxLifetimeSeconds }: TokenRuleInput): string | null {
  // RFC 7515 §4.1.11: a recipient must reject critical extensions it does not understand; we understand none.
  if (header.crit !== undefined) return 'crit_header';
  // Media types compare case-insensitively (RFC 7515 §4.1.9); `logout+jwt` and friends are other token kinds.
  if (header.typ !== undefined && (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(header.typ.toUpperCase()))) return 'typ_not_accepted';
  const { iat, exp } = payload;
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) return 'bad_iat';
  if (typeof iat === 'number' && iat > nowSeconds + IAT_SKEW_SECONDS) return 'iat_in_future';
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return 'missing_exp';
  if (exp - (typeof iat === 'number' ? iat : nowSeconds) > maxLifetimeSeconds) return 'lifetime_too_long';
  return null;
}
