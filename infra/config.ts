// Deployment settings from CDK context (cdk.json or `-c threadguard:jwtIssuer=...`).
import type { Node } from 'constructs';
import { loadModelConfig, type ModelConfig } from '../functions/shared/config';

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
  /** Model tokens (input + output) per user per UTC day (`AGENT_DAILY_TOKEN_BUDGET`). */
  readonly agentDailyTokenBudget: number;
  /** A cached JWKS is re-read at least this often (seconds). */
  readonly jwksMaxAgeSeconds: number;
  /** Longest accepted token lifetime, `exp - iat` (seconds). */
  readonly jwtMaxLifetimeSeconds: number;
  /** Open WebSocket connections per user; the next handshake gets 429. */
  readonly wsMaxConnectionsPerUser: number;
  /** The agent's provider and model (`agentProvider`, `agentModel`, `agentMaxOutputTokens`), checked as a cold start checks them. */
  readonly agent: ModelConfig;
  /** An existing Secrets Manager secret holding the OpenAI API key; without it the stack creates one to fill in. */
  readonly openAiSecretArn: string;
  /** Partition keys per day of the unfiltered audit list (functions/shared/adapters/audit-log.ts). */
  readonly auditShards: number;
}

const ctx = (node: Node, key: string): unknown => node.tryGetContext(`threadguard:${key}`);
const str = (v: unknown, d: string): string => (typeof v === 'string' && v !== '' ? v : d);
const num = (v: unknown, d: number): number => (v === undefined || v === '' ? d : Number(v));
const bool = (v: unknown, d: boolean): boolean => (v === undefined ? d : v === true || v === 'true');

function isBareOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    // URL() accepts `*` in a host name; an origin never has one (a wildcard would be compared literally anyway).
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value && /^[a-z0-9.:[\]-]+$/i.test(u.host);
  } catch {
    return false;
  }
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
  const corsOrigins = str(ctx(node, 'corsOrigins'), 'http://localhost:5173')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (corsOrigins.includes('*')) throw new Error('threadguard:corsOrigins must not contain "*"');
  // Each origin is compared verbatim, and written into the preflight's VTL as a string literal:
  // only a bare http(s) origin (no path, no trailing slash, no quotes) may get there.
  for (const o of corsOrigins) if (!isBareOrigin(o)) throw new Error(`threadguard:corsOrigins: "${o}" is not an origin like https://app.example.com`);
  return {
    // A placeholder issuer keeps `cdk synth` working offline; deployments set the real one.
    jwtIssuer: str(ctx(node, 'jwtIssuer'), 'https://issuer.example.com'),
    jwtAudience: str(ctx(node, 'jwtAudience'), 'threadguard'),
    jwksUri: str(ctx(node, 'jwksUri'), ''),
    rolesClaim: str(ctx(node, 'rolesClaim'), 'roles'),
    corsOrigins,
    deletionProtection: bool(ctx(node, 'deletionProtection'), true),
    rateLimitPerMinute: num(ctx(node, 'rateLimitPerMinute'), 120),
    respondLimitPerMinute: num(ctx(node, 'respondLimitPerMinute'), 10),
    stageRateLimit: num(ctx(node, 'stageRateLimit'), 200),
    stageBurstLimit: num(ctx(node, 'stageBurstLimit'), 400),
    logRetentionDays: num(ctx(node, 'logRetentionDays'), 30),
    jwksMaxAgeSeconds: num(ctx(node, 'jwksMaxAgeSeconds'), 600),
    jwtMaxLifetimeSeconds: num(ctx(node, 'jwtMaxLifetimeSeconds'), 86_400),
    wsMaxConnectionsPerUser: num(ctx(node, 'wsMaxConnectionsPerUser'), 10),
    webhookSources: str(ctx(node, 'webhookSources'), 'chainhook,dao,tasks')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    auditRetentionDays: num(ctx(node, 'auditRetentionDays'), 90),
    agentDailyTokenBudget: num(ctx(node, 'agentDailyTokenBudget'), 200_000),
    agent: agentConfigFrom(node),
    openAiSecretArn: str(ctx(node, 'openAiSecretArn'), ''),
    auditShards: num(ctx(node, 'auditShards'), 16),
  };
}
