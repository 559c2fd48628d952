// Security headers every response carries: function responses (next to middy's set) and API
// Gateway's own gateway responses, deployed and local alike. No values with single quotes: API
// Gateway writes static header values as '...' literals.
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains; preload',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Answers are per-user data: no shared or browser cache may keep them.
  'Cache-Control': 'no-store',
};
