// Deployment settings from CDK context (cdk.json or `-c threadguard:jwtIssuer=...`).
import type { Node } from 'constructs';
import { loadModelConfig, type ModelConfig } from '../functions/shared/config';
import { MAX_API_KEY_DAYS } from '../functions/shared/core/api-key-limits';
import { replyTimeoutSecondsFrom } from './reply-timeout';

export interface StackConfig {
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly jwksUri: string;
  readonly rolesClaim: string;
  readonly corsOrigins: readonly string[];
  readonly deletionProtection: boolean;
  readonly rateLimitPerMinute: number;
  readonly respondLimitPerMinute: number;
  /** Stage-wide throttling: the coarse outer wall in front of the per-user limits. */
  readonly stageRateLimit: number;
  readonly stageBurstLimit: number;
  readonly logRetentionDays: number;
  /** Accepted webhook sources (`/webhooks/{source}`). */
  readonly webhookSources: readonly string[];
  /** Days audit events are kept (`AUDIT_RETENTION_DAYS`). */
  readonly auditRetentionDays: number;
  /** Days a thread lives after its last write (`THREAD_RETENTION_DAYS`); null keeps threads forever. */
  readonly threadRetentionDays: number | null;
  /** Denied accesses naming a resource, per user and window, before `security.enumeration_suspected`. */
  readonly enumerationThreshold: number;
  readonly enumerationWindowMinutes: number;
  /** Model tokens (input + output) per user per UTC day (`AGENT_DAILY_TOKEN_BUDGET`). */
  readonly agentDailyTokenBudget: number;
  /** Model tokens one reply may spend over all its model calls (`AGENT_MAX_REPLY_TOKENS`). */
  readonly agentMaxReplyTokens: number;
  /** Model tokens per user per UTC month (`AGENT_MONTHLY_TOKEN_BUDGET`); 0: no monthly cap. */
  readonly agentMonthlyTokenBudget: number;
  /** A cached JWKS is re-read at least this often (seconds). */
  readonly jwksMaxAgeSeconds: number;
  /** Longest accepted token lifetime, `exp - iat` (seconds). */
  readonly jwtMaxLifetimeSeconds: number;
  /** Open WebSocket connections per user; the next handshake gets 429. */
  readonly wsMaxConnectionsPerUser: number;
  /** `apiKeyMaxDays` (1..365): every new API key expires within it; null (unset): keys may never expire. */
  readonly apiKeyMaxDays: number | null;
  /** The agent's provider and model (`agentProvider`, `agentModel`, `agentMaxOutputTokens`), checked as a cold start checks them. */
  readonly agent: ModelConfig;
  /** An existing Secrets Manager secret holding the OpenAI API key; without it the stack creates one to fill in. */
  readonly openAiSecretArn: string;
  /** Partition keys per day of the unfiltered audit list (functions/shared/adapters/audit-log.ts). */
  readonly auditShards: number;
  /** Deployment stage: qualifies the stack name and the account-global resource names (`dev`, `prod`, ...). */
  readonly stage: string;
  /** The stage's account and region (`threadguard:account`, `threadguard:region`); empty: the CLI's default. */
  readonly account: string;
  readonly region: string;
  /** Where alarms go: an e-mail address subscribed to the alarm topic, and/or an existing SNS topic every alarm also notifies. */
  readonly alarmEmail: string;
  readonly alarmTopicArn: string;
  /** Alarm thresholds (docs/operations.md explains each). */
  readonly alarms: AlarmThresholds;
  /** Reserved concurrency of each authorizer: requests keep being authorized while other functions take the account's pool. */
  readonly authorizerConcurrency: number;
  /** Most concurrent executions of each reply function (messages, chatkit, websocket): long model calls cannot starve the account. */
  readonly replyConcurrency: number;
  /** How long one streamed reply may last (seconds): the reply routes' integration timeout and their functions' (infra/reply-timeout.ts). */
  readonly replyTimeoutSeconds: number;
  /** Per-method throttling of the reply routes (POST .../messages, POST /chatkit), inside the stage-wide limit. */
  readonly replyRouteRateLimit: number;
  readonly replyRouteBurstLimit: number;
  /** The optional regional WAF in front of the REST stage. */
  readonly waf: { readonly enabled: boolean; readonly replyRequestsPerIpPer5Min: number };
  /** Days each archived audit event is locked in S3 (Object Lock, compliance mode). */
  readonly auditArchiveRetentionDays: number;
  /** The optional web client (S3 + CloudFront); its origin joins the CORS allow-list. */
  readonly webClient: {
    readonly enabled: boolean;
    /** The OIDC public client id the page signs in with (authorization code + PKCE, no secret). */
    readonly oidcClientId: string;
    readonly oidcScope: string;
    readonly oidcAudience: string;
    /** RFC 8707 resource indicator for the API (providers that issue JWT access tokens per resource). */
    readonly oidcResource: string;
    readonly oidcTokenType: 'access_token' | 'id_token';
    /** Extra CSP connect-src origins (an issuer whose token endpoint is on another host). */
    readonly connectOrigins: readonly string[];
  };
}

export interface AlarmThresholds {
  /** Errors of one function in 5 minutes. */
  readonly functionErrors: number;
  /** Throttled invocations of one function in 5 minutes (authorizers included). */
  readonly functionThrottles: number;
  /** Errors of one authorizer in 5 minutes: while it faults, every call it guards is refused. */
  readonly authorizerErrors: number;
  /** Share of REST requests answered 5XX over 5 minutes, in percent. */
  readonly rest5xxPercent: number;
  /** REST p99 latency over 5 minutes, milliseconds (streaming replies count until their last byte). */
  readonly restP99LatencyMs: number;
  /** WebSocket integration errors in 5 minutes. */
  readonly wsIntegrationErrors: number;
  /** DynamoDB throttled requests, and system errors, in 5 minutes. */
  readonly dynamoThrottles: number;
  readonly dynamoSystemErrors: number;
  /** Replies refused because the model provider failed, in 5 minutes. */
  readonly modelProviderFailures: number;
  /** Requests refused because KMS failed (content keys), and because STS gave no tenant credentials, in 5 minutes. */
  readonly kmsFailures: number;
  readonly stsFailures: number;
}

const ctx = (node: Node, key: string): unknown => node.tryGetContext(`threadguard:${key}`);
const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);

const fail = (key: string, why: string): never => {
  throw new Error(`threadguard:${key}: ${why} (set it in cdk.json or with -c threadguard:${key}=...)`);
};

/** A whole number > 0 from context (a number, or a string of digits from `-c`); the default when unset. */
function positiveInt(node: Node, key: string, d: number): number {
  const v = ctx(node, key);
  if (v === undefined || v === '') return d;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : fail(key, `must be a positive whole number, got ${JSON.stringify(v)}`);
}

/** `replyTimeoutSeconds`: the same default and range as the local stack's REPLY_TIMEOUT_SECONDS. */
function replyTimeoutSeconds(node: Node): number {
  try {
    return replyTimeoutSecondsFrom(ctx(node, 'replyTimeoutSeconds'));
  } catch (err) {
    return fail('replyTimeoutSeconds', (err as Error).message);
  }
}

/** `apiKeyMaxDays`: unset means keys may be made that never expire; else 1..365, as `expiresInDays`. */
function apiKeyMaxDays(node: Node): number | null {
  const v = ctx(node, 'apiKeyMaxDays');
  if (v === undefined || v === '') return null;
  const days = positiveInt(node, 'apiKeyMaxDays', 0);
  return days <= MAX_API_KEY_DAYS ? days : fail('apiKeyMaxDays', `must be at most ${MAX_API_KEY_DAYS}, got ${days}`);
}

function bool(node: Node, key: string, d: boolean): boolean {
  const v = ctx(node, key);
  if (v === undefined || v === '') return d;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return fail(key, `must be true or false, got ${JSON.stringify(v)}`);
}

/**
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays:
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html);
 * any other value fails the deployment half-way.
 */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A stage name: lower-case letters, digits and hyphens, as stack and resource names allow. */
function stageName(node: Node): string {
  const stage = str(ctx(node, 'stage'), 'dev');
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) fail('stage', `must be lower-case letters, digits or hyphens (at most 20), got ${JSON.stringify(stage)}`);
  return stage;
}

function alarmDestinations(node: Node): { alarmEmail: string; alarmTopicArn: string } {
  const alarmEmail = str(ctx(node, 'alarmEmail'), '');
  if (alarmEmail && !/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/.test(alarmEmail)) fail('alarmEmail', `"${alarmEmail}" is not an e-mail address`);
  const alarmTopicArn = str(ctx(node, 'alarmTopicArn'), '');
  if (alarmTopicArn && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(alarmTopicArn)) fail('alarmTopicArn', `"${alarmTopicArn}" is not an SNS topic ARN`);
  return { alarmEmail, alarmTopicArn };
}

function alarmThresholds(node: Node): AlarmThresholds {
  const t = (key: string, d: number) => positiveInt(node, `alarm${key}`, d);
  return {
    functionErrors: t('FunctionErrors', 5),
    functionThrottles: t('FunctionThrottles', 1),
    authorizerErrors: t('AuthorizerErrors', 1),
    rest5xxPercent: t('Rest5xxPercent', 1),
    restP99LatencyMs: t('RestP99LatencyMs', 10_000),
    wsIntegrationErrors: t('WsIntegrationErrors', 5),
    dynamoThrottles: t('DynamoThrottles', 1),
    dynamoSystemErrors: t('DynamoSystemErrors', 1),
    modelProviderFailures: t('ModelProviderFailures', 5),
    kmsFailures: t('KmsFailures', 1),
    stsFailures: t('StsFailures', 1),
  };
}

/** Hosts reserved for documentation (RFC 2606) and the placeholders this README shows. */
const EXAMPLE_HOST = /(^|\.)(example\.(com|net|org)|[^.]+\.(example|invalid|test))$|^your-/i;
const EXAMPLE_AUDIENCES = new Set(['your-aud', 'your-audience', 'audience', 'example']);

/** Every token is verified against these: a deployment without its real issuer and audience refuses every caller. */
function issuerAndAudience(node: Node): { jwtIssuer: string; jwtAudience: string } {
  const issuers = list(ctx(node, 'jwtIssuer'));
  if (issuers.length === 0) fail('jwtIssuer', 'required: the https URL of your identity provider, e.g. https://your-tenant.auth0.com/');
  for (const iss of issuers) {
    let url: URL;
    try {
      url = new URL(iss);
    } catch {
      return fail('jwtIssuer', `"${iss}" is not a URL`);
    }
    if (url.protocol !== 'https:') fail('jwtIssuer', `"${iss}" must be an https URL`);
    if (EXAMPLE_HOST.test(url.hostname)) fail('jwtIssuer', `"${iss}" is an example value; set your identity provider's issuer`);
  }
  const audiences = list(ctx(node, 'jwtAudience'));
  if (audiences.length === 0) fail('jwtAudience', 'required: the audience (API identifier) your tokens carry in `aud`');
  for (const aud of audiences) if (EXAMPLE_AUDIENCES.has(aud.toLowerCase())) fail('jwtAudience', `"${aud}" is an example value; set your API's audience`);
  return { jwtIssuer: issuers.join(','), jwtAudience: audiences.join(',') };
}

function isBareOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    // URL() accepts `*` in a host name; an origin never has one (a wildcard would be compared literally anyway).
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value && /^[a-z0-9.:[\]-]+$/i.test(u.host);
  } catch {
    return false;
  }
}

/** A comma-separated context value as its trimmed, non-empty parts. */
const list = (v: unknown, fallback = ''): string[] =>
  str(v, fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function webClientConfig(node: Node): StackConfig['webClient'] {
  const connectOrigins = list(ctx(node, 'webConnectOrigins'));
  // Written into the CSP header: bare origins only, as for CORS.
  for (const o of connectOrigins) if (!isBareOrigin(o)) throw new Error(`threadguard:webConnectOrigins: "${o}" is not an origin like https://id.example.com`);
  const tokenType = str(ctx(node, 'webOidcTokenType'), 'access_token');
  if (tokenType !== 'access_token' && tokenType !== 'id_token') throw new Error('threadguard:webOidcTokenType must be access_token or id_token');
  return {
    enabled: bool(node, 'webClient', false),
    oidcClientId: str(ctx(node, 'webOidcClientId'), ''),
    oidcScope: str(ctx(node, 'webOidcScope'), 'openid'),
    oidcAudience: str(ctx(node, 'webOidcAudience'), ''),
    oidcResource: str(ctx(node, 'webOidcResource'), ''),
    oidcTokenType: tokenType,
    connectOrigins,
  };
}

/** The same rules a cold start applies to AGENT_PROVIDER / AGENT_MODEL, so a bad value fails the synth. */
function agentConfigFrom(node: Node): ModelConfig {
  try {
    return loadModelConfig({
      AGENT_PROVIDER: str(ctx(node, 'agentProvider'), ''),
      AGENT_MODEL: str(ctx(node, 'agentModel'), ''),
      AGENT_MAX_OUTPUT_TOKENS: String(ctx(node, 'agentMaxOutputTokens') ?? ''),
    });
  } catch (err) {
    throw new Error(`threadguard:agentProvider/agentModel/agentMaxOutputTokens: ${(err as Error).message}`);
  }
}

export function stackConfigFrom(node: Node): StackConfig {
  const corsOrigins = list(ctx(node, 'corsOrigins'), 'http://localhost:5173');
  if (corsOrigins.includes('*')) throw new Error('threadguard:corsOrigins must not contain "*"');
  // Each origin is compared verbatim, and written into the preflight's VTL as a string literal:
  // only a bare http(s) origin (no path, no trailing slash, no quotes) may get there.
  for (const o of corsOrigins) if (!isBareOrigin(o)) throw new Error(`threadguard:corsOrigins: "${o}" is not an origin like https://app.example.com`);
  const logRetentionDays = positiveInt(node, 'logRetentionDays', 30);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    fail('logRetentionDays', `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(', ')}; got ${logRetentionDays}`);
  }
  const jwksUri = str(ctx(node, 'jwksUri'), '');
  for (const uri of list(jwksUri)) {
    if (!/^https:\/\/[^/]/.test(uri)) fail('jwksUri', `"${uri}" must be an https URL`);
  }
  return {
    ...issuerAndAudience(node),
    jwksUri,
    rolesClaim: str(ctx(node, 'rolesClaim'), 'roles'),
    corsOrigins,
    deletionProtection: bool(node, 'deletionProtection', true),
    rateLimitPerMinute: positiveInt(node, 'rateLimitPerMinute', 120),
    respondLimitPerMinute: positiveInt(node, 'respondLimitPerMinute', 10),
    stageRateLimit: positiveInt(node, 'stageRateLimit', 200),
    stageBurstLimit: positiveInt(node, 'stageBurstLimit', 400),
    logRetentionDays,
    jwksMaxAgeSeconds: positiveInt(node, 'jwksMaxAgeSeconds', 600),
    jwtMaxLifetimeSeconds: positiveInt(node, 'jwtMaxLifetimeSeconds', 86_400),
    wsMaxConnectionsPerUser: positiveInt(node, 'wsMaxConnectionsPerUser', 10),
    apiKeyMaxDays: apiKeyMaxDays(node),
    webhookSources: list(ctx(node, 'webhookSources'), 'chainhook,dao,tasks'),
    auditRetentionDays: positiveInt(node, 'auditRetentionDays', 90),
    threadRetentionDays: ctx(node, 'threadRetentionDays') === undefined || ctx(node, 'threadRetentionDays') === '' ? null : positiveInt(node, 'threadRetentionDays', 0),
    enumerationThreshold: positiveInt(node, 'enumerationThreshold', 20),
    enumerationWindowMinutes: positiveInt(node, 'enumerationWindowMinutes', 5),
    agentDailyTokenBudget: positiveInt(node, 'agentDailyTokenBudget', 200_000),
    agentMaxReplyTokens: positiveInt(node, 'agentMaxReplyTokens', 20_000),
    // Unset (0) means no monthly cap; an admin may still set one per user.
    agentMonthlyTokenBudget: positiveInt(node, 'agentMonthlyTokenBudget', 0),
    agent: agentConfigFrom(node),
    openAiSecretArn: str(ctx(node, 'openAiSecretArn'), ''),
    auditShards: positiveInt(node, 'auditShards', 16),
    webClient: webClientConfig(node),
    stage: stageName(node),
    account: str(ctx(node, 'account'), ''),
    region: str(ctx(node, 'region'), ''),
    ...alarmDestinations(node),
    alarms: alarmThresholds(node),
    authorizerConcurrency: positiveInt(node, 'authorizerConcurrency', 20),
    replyConcurrency: positiveInt(node, 'replyConcurrency', 20),
    replyTimeoutSeconds: replyTimeoutSeconds(node),
    replyRouteRateLimit: positiveInt(node, 'replyRouteRateLimit', 20),
    replyRouteBurstLimit: positiveInt(node, 'replyRouteBurstLimit', 40),
    waf: { enabled: bool(node, 'waf', false), replyRequestsPerIpPer5Min: positiveInt(node, 'wafReplyRequestsPerIpPer5Min', 300) },
    auditArchiveRetentionDays: positiveInt(node, 'auditArchiveRetentionDays', 365),
  };
}
