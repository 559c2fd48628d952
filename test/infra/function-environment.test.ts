// Per-function environment: declared once per function in routes.ts, built by functionEnvironment
// for both stacks. Deployed, each function gets exactly its declared settings and secrets (by ARN,
// with read access to those only); locally, a function sees only its own environment, so one that
// did not declare a secret fails its cold start here just as it would on Lambda.
import { describe, expect, it } from 'vitest';
import { functionEnvironment, type Settings } from '../../infra/function-environment';
import { localFunction } from '../../infra/local/lambda-runtime';
import { AUTHORIZERS, FUNCTIONS, WEBSOCKET, type FunctionDef } from '../../infra/routes';
import { synth } from '../helpers/synth';

type Fn = { Properties: { Handler?: string; Role?: { 'Fn::GetAtt': [string, string] }; Environment?: { Variables?: Record<string, unknown> } } };

const ALL: Record<string, FunctionDef> = {
  ...FUNCTIONS,
  Authorizer: AUTHORIZERS.user,
  WebhookAuthorizer: AUTHORIZERS.webhook,
  Websocket: WEBSOCKET.fn,
  WsReply: WEBSOCKET.reply,
  WsAuthorizer: WEBSOCKET.authorizer,
};
const pascal = (s: string) => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());

// Synthesised with the default provider (rules): no OpenAI key secret exists, so the functions that
// declare it get none (model-access.test.ts covers the openai provider).
const configured = (def: FunctionDef) => (def.secrets ?? []).filter((s) => s !== 'OPENAI_API_KEY');

describe('deployed function environments', () => {
  const { template } = synth();
  const fns = template.findResources('AWS::Lambda::Function') as Record<string, Fn>;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }>;

  it('gives each function exactly the settings and secret ARNs its definition declares', () => {
    for (const [name, def] of Object.entries(ALL)) {
      const entry = Object.entries(fns).find(([id]) => id.startsWith(`${pascal(name)}Function`));
      expect(entry, name).toBeDefined();
      const vars = entry![1].Properties.Environment?.Variables ?? {};
      // Functions serving users also get the tenant data role and the shared credential cache's secret.
      const tenant = def.table.includes('tenant' as never) ? ['TENANT_ROLE_ARN', 'CREDENTIALS_SECRET_ARN'] : [];
      const expected = ['POWERTOOLS_SERVICE_NAME', ...def.env, ...configured(def).map((s) => `${s}_ARN`), ...tenant, ...('closesWebSockets' in def && def.closesWebSockets ? ['WS_MANAGEMENT_ENDPOINT'] : []), ...(def === WEBSOCKET.fn ? ['WS_REPLY_FUNCTION_NAME'] : [])];
      // JWKS_URI is empty unless configured (derived from the issuer), and then left out; so are
      // AGENT_MONTHLY_TOKEN_BUDGET (unset: no monthly cap) API_KEY_MAX_DAYS (unset: no expiry required) and
      // THREAD_RETENTION_DAYS (unset: threads kept forever).
      const unset = ['JWKS_URI', 'AGENT_MONTHLY_TOKEN_BUDGET', 'API_KEY_MAX_DAYS', 'THREAD_RETENTION_DAYS'];
      expect(Object.keys(vars).sort(), name).toEqual(expected.filter((k) => !unset.includes(k)).sort());
    }
  });

  it('lets a function read a secret only when it declares it', () => {
    for (const [name, def] of Object.entries(ALL)) {
      const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(`${pascal(name)}Function`))!;
      const role = fn.Properties.Role!['Fn::GetAtt'][0];
      const reads = policies
        .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'))
        .map((s) => JSON.stringify(s.Resource));
      const declared = [
        ...configured(def).map((s) => (s === 'CURSOR_SECRET' ? 'CursorSecret' : 'WebhookToken')),
        ...(def.table.includes('tenant' as never) ? ['TenantDataCredentialsSecret'] : []),
      ];
      expect(reads.length, name).toBe(declared.length);
      for (const id of declared) expect(reads.some((r) => r.includes(id)), `${name} reads ${id}`).toBe(true);
    }
  });
});

describe('local function environments', () => {
  const settings: Settings = {
    TABLE_NAME: 'threadguard-local-test',
    JWT_ISSUER: 'http://127.0.0.1:1/issuer',
    JWT_AUDIENCE: 'threadguard',
    JWKS_URI: '',
    ROLES_CLAIM: 'roles',
    CORS_ORIGINS: 'http://localhost:5173',
    RATE_LIMIT_PER_MINUTE: '',
    RESPOND_LIMIT_PER_MINUTE: '',
    WEBHOOK_SOURCES: '',
    AUDIT_RETENTION_DAYS: '',
    ENUMERATION_THRESHOLD: '',
    ENUMERATION_WINDOW_MINUTES: '',
    AGENT_DAILY_TOKEN_BUDGET: '',
    AGENT_MAX_REPLY_TOKENS: '',
    AGENT_MONTHLY_TOKEN_BUDGET: '',
    JWKS_MAX_AGE_SECONDS: '',
    JWT_MAX_LIFETIME_SECONDS: '',
    WS_MAX_CONNECTIONS_PER_USER: '',
    AGENT_PROVIDER: '',
    AGENT_MODEL: '',
    AGENT_MAX_OUTPUT_TOKENS: '',
    AUDIT_SHARDS: '',
    KMS_KEY_ID: 'arn:aws:kms:local:000000000000:key/00000000-0000-0000-0000-000000000000',
    API_KEY_MAX_DAYS: '',
    THREAD_RETENTION_DAYS: '',
  };
  const secrets = { CURSOR_SECRET: { value: 'cursor-key-for-tests' }, WEBHOOK_TOKEN: { value: 'webhook-token-for-tests' }, OPENAI_API_KEY: null };
  const local = (def: FunctionDef) => localFunction(def.dir, { ...functionEnvironment(def, settings, secrets), DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' });

  it('builds the same names for the local stack as for the deployed one, with values instead of ARNs', () => {
    expect(functionEnvironment(FUNCTIONS.threads, settings, secrets)).toMatchObject({ CURSOR_SECRET: 'cursor-key-for-tests', TABLE_NAME: 'threadguard-local-test' });
    expect(functionEnvironment(FUNCTIONS.me, settings, secrets)).not.toHaveProperty('CURSOR_SECRET');
    expect(functionEnvironment(AUTHORIZERS.webhook, settings, secrets)).toEqual({
      POWERTOOLS_SERVICE_NAME: 'threadguard-webhook-authorizer',
      WEBHOOK_TOKEN: 'webhook-token-for-tests',
    });
  });

  it('fails the cold start of a function that did not declare the cursor secret, even when the host environment has it', async () => {
    process.env.CURSOR_SECRET = 'host-cursor-secret';
    try {
      const forgot = { ...FUNCTIONS.threads, secrets: [] };
      await expect(local(forgot).load()).rejects.toThrow('CURSOR_SECRET: required');
    } finally {
      delete process.env.CURSOR_SECRET;
    }
  });

  it('loads a function that declares what it reads', async () => {
    await expect(local(FUNCTIONS.audit).load()).resolves.toBeTypeOf('function');
  });
});
