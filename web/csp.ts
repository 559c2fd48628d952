// The web client's response headers, the same locally and behind CloudFront. The CSP lets the page
// load only its own files and connect only to itself (config.json, local dev sign-in), the API
// (REST and WebSocket) and the identity provider: injected script could not send data anywhere else.
import { SECURITY_HEADERS } from '../functions/shared/core/security-headers';

/** `connect-src` sources: each an origin (`https://api.example.com`, `wss://ws.example.com`). */
export function webContentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${[...new Set(connectOrigins)].join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The origin of a URL (`https://h/p` → `https://h`), for CSP sources. */
export const originOf = (url: string): string => new URL(url).origin;

/** Besides the CSP: the API's own security headers, but for Cache-Control (static files may be cached). */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SECURITY_HEADERS).filter(([name]) => name !== 'Cache-Control'),
);
