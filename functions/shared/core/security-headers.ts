// Security headers every response carries: function responses (next to middy's set) and API
// Gateway's own gateway responses, deployed and local alike. No values with single quotes: API
// Gateway writes static header values as '...' literals.
/** HSTS lifetime (180 days), also given to CloudFront for the web client (infra/constructs/web-client.ts). */
export const HSTS_MAX_AGE_SECONDS = 15_552_000;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Answers are per-user data: no shared or browser cache may keep them.
  'Cache-Control': 'no-store',
};
