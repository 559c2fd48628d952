// Environment → typed, frozen config. Called once per cold start by a composition root; a bad value
// fails fast with an error that names the variable (never its value: it may be a secret).
// Plain checks rather than a schema library: the authorizer bundle stays small (cold starts).
import { ConfigError } from './core/errors';
import { MAX_API_KEY_DAYS } from './core/api-key-limits';
import { DEFAULT_MAX_REPLY_TOKENS } from './core/token-budget';

type Env = Record<string, string | undefined>;

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const fail = (name: string, why: string): never => {
  throw new ConfigError(`Invalid configuration: ${name}: ${why}`);
};

function url(name: string, value: string): string {
  try {
    new URL(value);
    return value;
  } catch {
    return fail(name, 'not a URL');
  }
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fail(name, 'must be a positive integer');
}

const atMost = (name: string, n: number, max: number): number => (n <= max ? n : fail(name, `must be at most ${max}`));

function required(name: string, value: string | undefined, minLength = 1): string {
  return value !== undefined && value.length >= minLength ? value : fail(name, 'required');
}

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
  /** Null: read from the issuer's OpenID discovery document (`jwks_uri`) when first needed. */
  readonly jwksUri: string | null;
  /** Where this issuer's tokens carry roles: a claim name, or a dotted path into nested claims. */
  readonly rolesClaim: string;
}

export interface AuthConfig {
  readonly issuers: readonly IssuerConfig[];
  readonly audience: readonly string[];
  /** The first issuer's roles claim (every issuer's when ROLES_CLAIM has one entry). */
  readonly rolesClaim: string;
  /** A cached JWKS is re-read when older than this, so a key removed at the issuer stops working. */
  readonly jwksMaxAgeSeconds: number;
  /** Tokens whose `exp` lies further than this from their `iat` (or from now) are refused. */
  readonly maxTokenLifetimeSeconds: number;
}

/** `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4). */
export const discoveryUrlOf = (issuer: string): string => `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

/** One entry for every issuer, or one entry per JWT_ISSUER entry (in the same order). */
function perIssuer(name: string, values: string[], issuers: number): (i: number) => string | undefined {
  if (values.length > 1 && values.length !== issuers) fail(name, 'needs one entry, or one entry per JWT_ISSUER entry');
  return (i) => (values.length === 1 ? values[0] : values[i]);
}

export function loadAuthConfig(env: Env): AuthConfig {
  const issuers = list(env.JWT_ISSUER);
  if (issuers.length === 0) throw new ConfigError('Invalid configuration: JWT_ISSUER: required');
  issuers.forEach((iss) => url('JWT_ISSUER', iss));
  const uris = list(env.JWKS_URI);
  if (uris.length !== 0 && uris.length !== issuers.length) {
    throw new ConfigError('Invalid configuration: JWKS_URI: needs one entry per JWT_ISSUER entry');
  }
  const rolesClaims = perIssuer('ROLES_CLAIM', list(env.ROLES_CLAIM), issuers.length);
  const pairs = issuers.map((issuer, i) => {
    const jwksUri = uris[i] ?? null;
    // Unset: discovery. The document's own URL must meet the JWKS rule (https, http only on loopback).
    assertJwksUri(jwksUri ? 'JWKS_URI' : 'JWT_ISSUER', jwksUri ?? discoveryUrlOf(issuer));
    return { issuer, jwksUri, rolesClaim: rolesClaims(i) ?? 'roles' };
  });
  const audience = list(env.JWT_AUDIENCE ?? 'threadguard');
  if (audience.length === 0) throw new ConfigError('Invalid configuration: JWT_AUDIENCE: required');
  return Object.freeze({
    issuers: pairs,
    audience,
    rolesClaim: pairs[0]!.rolesClaim,
    jwksMaxAgeSeconds: positiveInt('JWKS_MAX_AGE_SECONDS', env.JWKS_MAX_AGE_SECONDS, 600),
    maxTokenLifetimeSeconds: positiveInt('JWT_MAX_LIFETIME_SECONDS', env.JWT_MAX_LIFETIME_SECONDS, 86_400),
  });
}

export interface TableConfig {
  readonly tableName: string;
  /** Only set locally (DynamoDB Local); deployed functions use the regional endpoint. */
  readonly endpoint: string | undefined;
}

export function loadTableConfig(env: Env): TableConfig {
  return Object.freeze({
    tableName: required('TABLE_NAME', env.TABLE_NAME, 3),
    endpoint: env.DYNAMODB_ENDPOINT ? url('DYNAMODB_ENDPOINT', env.DYNAMODB_ENDPOINT) : undefined,
  });
}

export interface TenantConfig {
  /** The role a function assumes per user (session tag `tenant`) for that user's partitions; unset only where no IAM runs (unit tests). */
  readonly tenantRoleArn: string | undefined;
}

export function loadTenantConfig(env: Env): TenantConfig {
  const arn = env.TENANT_ROLE_ARN;
  if (arn !== undefined && arn !== '' && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(arn)) throw new ConfigError(`TENANT_ROLE_ARN is not a role ARN: ${arn}`);
  return Object.freeze({ tenantRoleArn: arn || undefined });
}

export interface ContentKeyConfig {
  /** The customer-managed KMS key content keys are wrapped under (its ARN or id). */
  readonly keyId: string;
  /** AWS_ENDPOINT_URL_KMS: another KMS endpoint (the local stand-in); unset deployed. */
  readonly endpoint: string | undefined;
}

export function loadContentKeyConfig(env: Env): ContentKeyConfig {
  return Object.freeze({
    keyId: required('KMS_KEY_ID', env.KMS_KEY_ID),
    endpoint: env.AWS_ENDPOINT_URL_KMS ? url('AWS_ENDPOINT_URL_KMS', env.AWS_ENDPOINT_URL_KMS) : undefined,
  });
}

export interface HttpConfig {
  readonly corsOrigins: readonly string[];
}

export function loadHttpConfig(env: Env): HttpConfig {
  const corsOrigins = list(env.CORS_ORIGINS);
  for (const o of corsOrigins) {
    if (o === '*') throw new ConfigError('Invalid configuration: CORS_ORIGINS: "*" is not allowed');
    url('CORS_ORIGINS', o);
  }
  return Object.freeze({ corsOrigins });
}

export interface LimitsConfig {
  readonly requestsPerMinute: number;
  readonly respondsPerMinute: number;
}

export function loadLimitsConfig(env: Env): LimitsConfig {
  return Object.freeze({
    requestsPerMinute: positiveInt('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 120),
    respondsPerMinute: positiveInt('RESPOND_LIMIT_PER_MINUTE', env.RESPOND_LIMIT_PER_MINUTE, 10),
  });
}

/**
 * `API_KEY_MAX_DAYS`: when set (1..365), every new API key expires within it and a create without
 * `expiresInDays` gets exactly that; unset, keys may be made that never expire.
 */
export function loadApiKeyMaxDays(env: Env): number | null {
  const v = env.API_KEY_MAX_DAYS;
  if (v === undefined || v === '') return null;
  return atMost('API_KEY_MAX_DAYS', positiveInt('API_KEY_MAX_DAYS', v, 0), MAX_API_KEY_DAYS);
}

export interface WebSocketConfig {
  /** Open connections per user; the next handshake is refused with 429. */
  readonly maxConnectionsPerUser: number;
  /** The function that runs the WebSocket API's replies (`WS_REPLY_FUNCTION_NAME`, set by the stack, infra/routes.ts WEBSOCKET). */
  readonly replyFunction: string;
}

export function loadWebSocketConfig(env: Env): WebSocketConfig {
  const replyFunction = env.WS_REPLY_FUNCTION_NAME;
  if (!replyFunction) throw new Error('WS_REPLY_FUNCTION_NAME is not set');
  return Object.freeze({ maxConnectionsPerUser: positiveInt('WS_MAX_CONNECTIONS_PER_USER', env.WS_MAX_CONNECTIONS_PER_USER, 10), replyFunction });
}

/**
 * The WebSocket API's Management API endpoint for functions outside the WebSocket function (a
 * sign-out closes the user's connections): the stage's callback URL, deployed; the local stack's emulation.
 */
export function loadWebSocketManagementEndpoint(env: Env): string {
  const endpoint = env.WS_MANAGEMENT_ENDPOINT;
  if (!endpoint) throw new Error('WS_MANAGEMENT_ENDPOINT is not set');
  return endpoint;
}

/**
 * Days a thread lives after its last write (`THREAD_RETENTION_DAYS`); null (unset) keeps threads
 * until their owner deletes them.
 */
export function loadThreadRetentionDays(env: Env): number | null {
  const value = env.THREAD_RETENTION_DAYS;
  return value === undefined || value === '' ? null : positiveInt('THREAD_RETENTION_DAYS', value, 0);
}

export interface AuditConfig {
  readonly retentionDays: number;
  readonly enumerationThreshold: number;
  readonly enumerationWindowMinutes: number;
  /** Partition keys per day of the unfiltered audit list (each takes ~1,000 events/s). */
  readonly shards: number;
}

/** Each shard is one more Query per day for the unfiltered admin list; past this it costs more than it spreads. */
const MAX_AUDIT_SHARDS = 100;

export function loadAuditConfig(env: Env): AuditConfig {
  return Object.freeze({
    retentionDays: positiveInt('AUDIT_RETENTION_DAYS', env.AUDIT_RETENTION_DAYS, 90),
    enumerationThreshold: positiveInt('ENUMERATION_THRESHOLD', env.ENUMERATION_THRESHOLD, 20),
    enumerationWindowMinutes: positiveInt('ENUMERATION_WINDOW_MINUTES', env.ENUMERATION_WINDOW_MINUTES, 5),
    shards: atMost('AUDIT_SHARDS', positiveInt('AUDIT_SHARDS', env.AUDIT_SHARDS, 16), MAX_AUDIT_SHARDS),
  });
}

export interface WebhookConfig {
  /** Accepted `{source}` path values; anything else is 404. */
  readonly sources: readonly string[];
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function loadWebhookConfig(env: Env): WebhookConfig {
  const sources = list(env.WEBHOOK_SOURCES ?? 'chainhook,dao,tasks');
  if (sources.length === 0) fail('WEBHOOK_SOURCES', 'needs at least one source');
  for (const s of sources) if (!SOURCE_NAME.test(s)) fail('WEBHOOK_SOURCES', 'sources are lower-case names (a-z, 0-9, -, _)');
  return Object.freeze({ sources });
}

export const AGENT_PROVIDERS = ['rules', 'bedrock', 'openai'] as const;
export type AgentProvider = (typeof AGENT_PROVIDERS)[number];

/** Used when AGENT_MODEL is unset: a small tool-calling model of each provider. */
export const DEFAULT_AGENT_MODELS: Readonly<Record<AgentProvider, string>> = {
  rules: 'task-manager-rules',
  bedrock: 'amazon.nova-lite-v1:0',
  openai: 'gpt-4.1-mini',
};

export interface ModelConfig {
  readonly provider: AgentProvider;
  /** Bedrock: a model id or an inference profile id; OpenAI: a model name. */
  readonly model: string;
  /** Upper bound on output tokens per model turn (a cost knob; the provider's own limit may be lower). */
  readonly maxOutputTokens: number;
}

// Bedrock model and inference profile ids (`amazon.nova-lite-v1:0`, `us.anthropic.claude-…-v1:0`)
// and OpenAI model names (`gpt-4.1-mini`, `ft:gpt-4o-mini:org::id`). No ARNs, no slashes, no spaces:
// the id also goes into IAM resource ARNs at deploy time.
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function loadModelConfig(env: Env): ModelConfig {
  const provider = (env.AGENT_PROVIDER || 'rules') as AgentProvider;
  if (!AGENT_PROVIDERS.includes(provider)) fail('AGENT_PROVIDER', `must be one of ${AGENT_PROVIDERS.join(', ')}`);
  const model = env.AGENT_MODEL || DEFAULT_AGENT_MODELS[provider];
  if (!MODEL_ID.test(model)) fail('AGENT_MODEL', 'must be a model id or inference profile id (letters, digits, . _ : -)');
  return Object.freeze({
    provider,
    model,
    maxOutputTokens: positiveInt('AGENT_MAX_OUTPUT_TOKENS', env.AGENT_MAX_OUTPUT_TOKENS, 1024),
  });
}

export interface BudgetConfig {
  /** Model tokens (input + output) per user per UTC day. */
  readonly dailyTokenBudget: number;
  /** Model tokens one reply may spend, over all its model calls (core/token-budget.ts). */
  readonly maxReplyTokens: number;
  /** Model tokens per user per UTC month (`AGENT_MONTHLY_TOKEN_BUDGET`); null: no monthly cap unless an admin sets one. */
  readonly monthlyTokenBudget: number | null;
}

export function loadBudgetConfig(env: Env): BudgetConfig {
  return Object.freeze({
    dailyTokenBudget: positiveInt('AGENT_DAILY_TOKEN_BUDGET', env.AGENT_DAILY_TOKEN_BUDGET, 200_000),
    maxReplyTokens: positiveInt('AGENT_MAX_REPLY_TOKENS', env.AGENT_MAX_REPLY_TOKENS, DEFAULT_MAX_REPLY_TOKENS),
    monthlyTokenBudget: env.AGENT_MONTHLY_TOKEN_BUDGET ? positiveInt('AGENT_MONTHLY_TOKEN_BUDGET', env.AGENT_MONTHLY_TOKEN_BUDGET, 0) : null,
  });
}
