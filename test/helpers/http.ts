// A tiny JSON client for the local stack. Every credential it sends is recorded, and a response
// that echoes one is noted, for the end-of-run secret check (THREATS T11).
import { MIN_CREDENTIAL_LENGTH, recordCredential, recordEcho } from './credentials';

const BEARER = /^Bearer\s+/i;
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function api<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; apiKey?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.apiKey !== undefined) headers['X-API-Key'] = opts.apiKey;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const sent = Object.entries(headers)
    .filter(([k]) => /^(authorization|x-api-key)$/i.test(k))
    .map(([, v]) => v.replace(BEARER, ''));
  sent.forEach(recordCredential);
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  for (const secret of sent) {
    if (secret.length >= MIN_CREDENTIAL_LENGTH && text.includes(secret)) recordEcho(`${method} ${path} -> ${res.status}`);
  }
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const UNAUTHORIZED_BODY = { error: { code: 'unauthorized', message: 'Unauthorized' } };
