// Environment → typed, frozen config. Called once per cold start by a composition root; a bad value
// fails fast with an error that names the variable (never its value: it may be a secret).
import { z } from 'zod';
import { ConfigError } from './core/errors';

type Env = Record<string, string | undefined>;

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parse<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const why = r.error.issues[0]?.message ?? 'invalid';
    throw new ConfigError(`Invalid configuration: ${name}: ${why}`);
  }
  return r.data;
}

const positiveInt = z.coerce.number().int().positive();

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** JWKS must be https, except for loopback hosts (local issuers and test key servers). */
export function assertJwksUri(name: string, uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigError(`Invalid configuration: ${name}: not a URL`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return;
  throw new ConfigError(`Invalid configuration: ${name}: must be https (http only for loopback hosts)`);
}

export const isLoopbackUrl = (uri: string): boolean => {
  const u = new URL(uri);
  return u.protocol === 'http:' && LOOPBACK.test(u.hostname);
};

export interface IssuerConfig {
  readonly issuer: string;
  readonly jwksUri: string;
}

export interface AuthConfig {
  readonly issuers: readonly IssuerConfig[];
  readonly audience: readonly string[];
  readonly rolesClaim: string;
}

export function loadAuthConfig(env: Env): AuthConfig {
  const issuers = list(env.JWT_ISSUER);
  if (issuers.length === 0) throw new ConfigError('Invalid configuration: JWT_ISSUER: required');
  issuers.forEach((iss) => parse('JWT_ISSUER', z.url(), iss));
  const uris = list(env.JWKS_URI);
  if (uris.length !== 0 && uris.length !== issuers.length) {
    throw new ConfigError('Invalid configuration: JWKS_URI: needs one entry per JWT_ISSUER entry');
  }
  const pairs = issuers.map((issuer, i) => {
    const jwksUri = uris[i] ?? `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
    assertJwksUri('JWKS_URI', jwksUri);
    return { issuer, jwksUri };
  });
  const audience = list(env.JWT_AUDIENCE ?? 'threadguard');
  if (audience.length === 0) throw new ConfigError('Invalid configuration: JWT_AUDIENCE: required');
  const rolesClaim = parse('ROLES_CLAIM', z.string().min(1), env.ROLES_CLAIM ?? 'roles');
  return Object.freeze({ issuers: pairs, audience, rolesClaim });
}

export interface TableConfig {
  readonly tableName: string;
  /** Only set locally (DynamoDB Local); deployed functions use the regional endpoint. */
  readonly endpoint: string | undefined;
}

export function loadTableConfig(env: Env): TableConfig {
  return Object.freeze({
    tableName: parse('TABLE_NAME', z.string().min(3), env.TABLE_NAME),
    endpoint: env.DYNAMODB_ENDPOINT ? parse('DYNAMODB_ENDPOINT', z.url(), env.DYNAMODB_ENDPOINT) : undefined,
  });
}

export interface HttpConfig {
  readonly corsOrigins: readonly string[];
}

export function loadHttpConfig(env: Env): HttpConfig {
  const corsOrigins = list(env.CORS_ORIGINS);
  for (const o of corsOrigins) {
    if (o === '*') throw new ConfigError('Invalid configuration: CORS_ORIGINS: "*" is not allowed');
    parse('CORS_ORIGINS', z.url(), o);
  }
  return Object.freeze({ corsOrigins });
}

export interface LimitsConfig {
  readonly requestsPerMinute: number;
  readonly respondsPerMinute: number;
}

export function loadLimitsConfig(env: Env): LimitsConfig {
  return Object.freeze({
    requestsPerMinute: parse('RATE_LIMIT_PER_MINUTE', positiveInt, env.RATE_LIMIT_PER_MINUTE ?? 120),
    respondsPerMinute: parse('RESPOND_LIMIT_PER_MINUTE', positiveInt, env.RESPOND_LIMIT_PER_MINUTE ?? 10),
  });
}
