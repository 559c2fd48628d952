// A typed client for the ThreadGuard API: openapi-fetch over the types `npm run openapi` generates
// from docs/openapi.json. Copy this folder into a web or Node project (with `openapi-fetch`), or
// regenerate the types there: `npx openapi-typescript <base URL>/openapi.json -o api-types.ts`.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './api-types';

export type { components, operations, paths } from './api-types';

/** A user JWT or an API key (webhook senders set their token in `headers`). */
export type Credentials = { readonly token: string } | { readonly apiKey: string };

export type ThreadGuardClient = Client<paths>;

export function createThreadGuardClient(baseUrl: string, credentials?: Credentials, options: Omit<ClientOptions, 'baseUrl'> = {}): ThreadGuardClient {
  const auth: Record<string, string> =
    credentials === undefined ? {} : 'token' in credentials ? { Authorization: `Bearer ${credentials.token}` } : { 'X-API-Key': credentials.apiKey };
  return createClient<paths>({ ...options, baseUrl, headers: { ...auth, ...(options.headers as Record<string, string> | undefined) } });
}
