// The whole local stack: DynamoDB Local, tables, the dev issuer, and the local API Gateway.
import { createServer, type Server } from 'node:http';
import { closeServer, listen } from './loopback-server';
import { createServer as createNetServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { functionEnvironment, type Settings } from '../function-environment';
import { startLocalTenantWall, type LocalTenantWall } from './tenant-wall';
import { AUTHORIZERS, FUNCTIONS, ROUTES, THREAD_EXPIRY, timeoutSecondsOf, WEBSOCKET, type FunctionDef } from '../routes';
import { startThreadTtl, type ThreadTtl } from './thread-ttl';
import { createDocumentClient } from '../../functions/shared/adapters/dynamo-client';
import { TABLES } from '../table';
import { createAdminClient, openDynamoDb, type SupervisedDynamoDb } from './dynamodb-supervisor';
import { ensureTables } from './tables';
import { DEV_AUDIENCE, DEV_ISSUER_PATH, DEV_JWKS_PATH, devJwks, loadOrCreateDevKey, mintDevToken, recordDevIssuer } from './dev-issuer';
import { createRestGateway } from './rest-gateway';
import { createWebSocketGateway, MANAGEMENT_PATH } from './websocket-gateway';
import { redactDeep } from '../../functions/shared/core/redact';
import { localSecret } from './secrets';
import { startWebServer, type WebServer } from './web-server';
import { webhookTokenFrom } from '../../functions/shared/core/webhooks';
import { localFunction } from './lambda-runtime';
import { LoopbackAwareFetcher } from '../../functions/shared/adapters/jwt-token-verifier';
import { issuerMismatches, issuerMismatchWarning } from '../../functions/shared/adapters/oidc-discovery';
import { startKmsStandIn, type KmsStandIn } from './kms-stand-in';
import { replyTimeoutSecondsFrom } from '../reply-timeout';
import { startLambdaStandIn, type LambdaStandIn } from './lambda-invoke-stand-in';

/** Host variables every local function also sees: log tuning, and basics the Lambda runtime sets too. */
const PASSED_THROUGH = ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_DEV', 'AWS_LAMBDA_LOG_LEVEL', 'TZ', 'LANG', 'PATH'] as const;
/**
 * For the agent's provider: AWS credentials (on Lambda the runtime sets them from the function's role;
 * locally they are the developer's, or dummies for a stand-in) and the providers' endpoint overrides,
 * read by the SDKs themselves (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, OPENAI_BASE_URL).
 */
const PROVIDER_PASSED_THROUGH = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'OPENAI_BASE_URL',
] as const;

export interface LocalStackOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly env: Record<string, string | undefined>;
  /** The web client's port (0: any free one; default 0). */
  readonly webPort?: number;
  readonly log?: (line: string) => void;
  /** What the enforcing endpoint forwards the functions' requests to, given DynamoDB Local's endpoint (a benchmark counts requests there). */
  readonly functionsDynamodbEndpoint?: (endpoint: string) => Promise<string>;
}

export interface LocalStack {
  readonly url: string;
  readonly port: number;
  readonly devIssuer: string | null;
  readonly wsUrl: string;
  /** The web client (its origin is on the CORS allow-list). */
  readonly webUrl: string;
  /** Where a generated webhook token is stored (mode 0600); null when WEBHOOK_TOKEN supplied it. */
  readonly webhookTokenFile: string | null;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  /** The KMS the functions use: the local stand-in's endpoint, or AWS_ENDPOINT_URL_KMS. */
  readonly kms: { readonly endpoint: string; readonly keyId: string; readonly standIn: KmsStandIn | null };
  stop(): Promise<void>;
}

/**
 * The KMS endpoint and key the functions use: AWS_ENDPOINT_URL_KMS with KMS_KEY_ID when set, else a
 * stand-in on loopback whose key material is generated once into DATA_DIR (content sealed in an
 * earlier run stays readable after a restart).
 */
async function contentKms(dataDir: string, env: Record<string, string | undefined>): Promise<LocalStack['kms']> {
  if (env.AWS_ENDPOINT_URL_KMS) {
    if (!env.KMS_KEY_ID) throw new Error('AWS_ENDPOINT_URL_KMS is set: KMS_KEY_ID must name the content key there');
    return { endpoint: env.AWS_ENDPOINT_URL_KMS, keyId: env.KMS_KEY_ID, standIn: null };
  }
  const material = Buffer.from(localSecret(dataDir, 'KMS_KEY_MATERIAL', undefined).value, 'base64url');
  const keyId = localSecret(dataDir, 'KMS_KEY_ID', undefined).value;
  const standIn = await startKmsStandIn({ keyMaterial: material, keyId: uuidFrom(keyId), region: env.AWS_REGION ?? 'local' });
  return { endpoint: standIn.endpoint, keyId: standIn.keyArn, standIn };
}

/** A UUID-shaped key id (as KMS's are) from stored random text. */
const uuidFrom = (seed: string): string => {
  const hex = Buffer.from(seed, 'base64url').toString('hex').padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** OIDC settings for the web client when the stack trusts an external issuer (its first one). */
function webOidcConfig(env: Record<string, string | undefined>) {
  return {
    issuer: (env.JWT_ISSUER ?? '').split(',')[0]!.trim(),
    clientId: env.WEB_OIDC_CLIENT_ID ?? '',
    scope: env.WEB_OIDC_SCOPE ?? 'openid',
    ...(env.WEB_OIDC_AUDIENCE ? { audience: env.WEB_OIDC_AUDIENCE } : {}),
    ...(env.WEB_OIDC_RESOURCE ? { resource: env.WEB_OIDC_RESOURCE } : {}),
    tokenType: env.WEB_OIDC_TOKEN === 'id_token' ? ('id_token' as const) : ('access_token' as const),
  };
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = resolve(opts.dataDir);
  const env = opts.env;
  const useDevIssuer = !env.JWT_ISSUER && !env.JWKS_URI;
  const devKey = useDevIssuer ? loadOrCreateDevKey(dataDir) : null;
  // Checked before anything starts: a token senders could never present fails here, naming the variable.
  const webhook = localSecret(dataDir, 'WEBHOOK_TOKEN', env.WEBHOOK_TOKEN);
  const webhookToken = { value: webhookTokenFrom('WEBHOOK_TOKEN', webhook.value), file: webhook.file };
  const replyTimeoutSeconds = localReplyTimeoutSeconds(env);

  let ddb: SupervisedDynamoDb | null = null;
  let server: Server | null = null;
  let management: Server | null = null;
  let ws: ReturnType<typeof createWebSocketGateway> | null = null;
  let web: WebServer | null = null;
  let wall: LocalTenantWall | null = null;
  let ttl: ThreadTtl | null = null;
  let kms: LocalStack['kms'] | null = null;
  let lambda: LambdaStandIn | null = null;
  const stop = async () => {
    ttl?.stop();
    ws?.close();
    await web?.stop();
    await Promise.all([closeServer(server), closeServer(management)]);
    await lambda?.stop();
    await wall?.isolation.close();
    await kms?.standIn?.stop();
    await ddb?.stop();
  };

  try {
    // DynamoDB Local under a supervisor, or the endpoint DYNAMODB_ENDPOINT names (tables created if missing).
    ddb = await openDynamoDb({ dataDir, port: freePort, env, log });
    const admin = createAdminClient(ddb.endpoint);
    const tableNames = await ensureTables(admin);
    admin.destroy();
    kms = await contentKms(dataDir, env);

    const corsPlaceholder = '__PORT__';
    const corsOrigins = (env.CORS_ORIGINS ?? `http://localhost:5173,http://127.0.0.1:${corsPlaceholder}`)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

    let gateway: ReturnType<typeof createRestGateway> | null = null;
    server = publicServer({ devKey, log, gateway: () => gateway, ws: () => ws });
    const port = await listen(server, opts.port);
    const url = `http://127.0.0.1:${port}`;

    management = managementServer(() => ws);
    const managementUrl = `http://127.0.0.1:${await listen(management, 0)}${MANAGEMENT_PATH}`;
    const devIssuer = devKey ? `${url}${DEV_ISSUER_PATH}` : null;
    const wsUrl = `${url.replace('http:', 'ws:')}/ws`;
    web = await startWebServer({
      port: opts.webPort ?? 0,
      apiUrl: url,
      wsUrl,
      ...(devKey
        ? { mintDevToken: (sub: string, roles: string[]) => mintDevToken(dataDir, sub, { roles }) }
        : { oidc: webOidcConfig(env) }),
    });
    // The web client's origin joins the allow-list, as the deployed one's does.
    const origins = [...new Set([...corsOrigins.map((o) => o.replace(corsPlaceholder, String(port))), web.origin])];

    if (devIssuer) recordDevIssuer(dataDir, devIssuer, env.JWT_AUDIENCE ?? DEV_AUDIENCE);
    // An external issuer configured with another spelling than its tokens carry (a trailing slash) would
    // refuse every token; said once at start, as the deployed authorizer says it at its cold start.
    const issuers = (env.JWT_ISSUER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!devIssuer) for (const m of await issuerMismatches(issuers, new LoopbackAwareFetcher())) log(`Warning: ${issuerMismatchWarning(m)}`);

    // The second wall: functions reach DynamoDB Local only through the enforcing endpoint (tenant-wall.ts).
    const region = env.AWS_REGION ?? 'local';
    // A benchmark's counter sits behind the wall, on what it forwards (re-signed) to DynamoDB Local:
    // in front of it, asking for consumed capacity would change the body the functions signed.
    const counted = opts.functionsDynamodbEndpoint ? await opts.functionsDynamodbEndpoint(ddb.endpoint) : ddb.endpoint;
    wall = await startLocalTenantWall({
      dynamoDbLocalEndpoint: counted,
      tableName: tableNames.main,
      region,
      defs: [...Object.values(FUNCTIONS), ...Object.values(AUTHORIZERS), WEBSOCKET.fn, WEBSOCKET.reply, WEBSOCKET.authorizer, THREAD_EXPIRY],
      credentialsSecret: localSecret(dataDir, 'CREDENTIALS_SECRET', env.CREDENTIALS_SECRET).value,
    });
    const tenantWall = wall;
    const functionsDynamodbEndpoint = wall.info.dynamodbEndpoint;
    const settings = functionSettings(env, { tableName: tableNames.main, devIssuer, url, origins, kmsKeyId: kms.keyId });
    const secrets = {
      CURSOR_SECRET: { value: localSecret(dataDir, 'CURSOR_SECRET', env.CURSOR_SECRET).value },
      WEBHOOK_TOKEN: { value: webhookToken.value },
      // The developer's own key (never generated: a made-up one would only fail at OpenAI).
      OPENAI_API_KEY: env.OPENAI_API_KEY ? { value: env.OPENAI_API_KEY } : null,
    };
    const runtime: Record<string, string> = {
      AWS_REGION: region,
      // Deployed, the SDK's default KMS endpoint; here the stand-in (or AWS_ENDPOINT_URL_KMS).
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      WS_MANAGEMENT_ENDPOINT: managementUrl,
      ...Object.fromEntries([...PASSED_THROUGH, ...PROVIDER_PASSED_THROUGH].flatMap((k) => (env[k] ? [[k, env[k]]] : []))),
    };
    /** @param extra what the stack adds beyond the definition's settings (the CDK stack's `addEnvironment`). */
    const fn = (def: FunctionDef, extra: Record<string, string> = {}) =>
      localFunction(
        def.dir,
        { ...functionEnvironment(def, settings, secrets, tenantWall.tenant), ...runtime, ...tenantWall.runtimeFor(def), DYNAMODB_ENDPOINT: functionsDynamodbEndpoint, ...extra },
        timeoutSecondsOf(def, replyTimeoutSeconds),
      );
    // The WebSocket function hands replies to the reply function by an asynchronous invoke, here
    // through the Lambda Invoke stand-in, which runs it in this process.
    const wsReply = fn(WEBSOCKET.reply);
    lambda = await startLambdaStandIn({
      functions: [wsReply],
      region,
      onInvoke: (invocation) => log(JSON.stringify({ level: 'INFO', message: 'lambda invoke', ...invocation })),
      onAsyncError: (functionName, err) =>
        log(JSON.stringify(redactDeep({ level: 'ERROR', message: 'asynchronous invocation failed', functionName, error: String((err as Error)?.message) }))),
    });
    writeStackInfo(dataDir, {
      url,
      pid: process.pid,
      dynamodbEndpoint: ddb.endpoint,
      dynamodbPid: ddb.pid(),
      managementEndpoint: managementUrl,
      tableName: tableNames.main,
      tables: tableNames,
      tenantIsolation: wall.info,
      kms: { endpoint: kms.endpoint, keyId: kms.keyId },
    });

    gateway = createRestGateway({
      routes: ROUTES,
      functions: Object.fromEntries(Object.entries(FUNCTIONS).map(([k, def]) => [k, fn(def)])),
      authorizers: { user: fn(AUTHORIZERS.user), webhook: fn(AUTHORIZERS.webhook) },
      corsOrigins: origins,
      stage: 'local',
      replyTimeoutSeconds,
      onAccessLog: (entry) => log(JSON.stringify(redactDeep({ level: 'INFO', message: 'request', ...entry }))),
    });

    ws = createWebSocketGateway({
      authorizer: fn(WEBSOCKET.authorizer),
      // AWS_ENDPOINT_URL_LAMBDA: the SDK's own per-service endpoint variable.
      fn: fn(WEBSOCKET.fn, { WS_REPLY_FUNCTION_NAME: wsReply.name, AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint }),
      routeKeys: WEBSOCKET.routeKeys,
      stage: 'local',
      onLog: (entry) => log(JSON.stringify(redactDeep({ level: 'INFO', message: 'websocket', ...entry }))),
    });

    // DynamoDB's TTL for thread rows (THREAD_RETENTION_DAYS), which DynamoDB Local does not run.
    const expiry = fn(THREAD_EXPIRY);
    ttl = startThreadTtl({
      client: createDocumentClient({ tableName: tableNames.main, endpoint: ddb.endpoint }),
      tableName: tableNames.main,
      expire: (event) => expiry.invoke(event),
      intervalMs: Number(env.LOCAL_TTL_SWEEP_SECONDS || 60) * 1000,
      log,
    });

    return {
      url,
      port,
      devIssuer,
      wsUrl,
      webUrl: web.url,
      webhookTokenFile: webhookToken.file,
      dynamodbEndpoint: ddb.endpoint,
      tableName: tableNames.main,
      kms,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** REPLY_TIMEOUT_SECONDS: the deployed `replyTimeoutSeconds`, with the same default and range. */
function localReplyTimeoutSeconds(env: Record<string, string | undefined>): number {
  try {
    return replyTimeoutSecondsFrom(env.REPLY_TIMEOUT_SECONDS);
  } catch (err) {
    throw new Error(`REPLY_TIMEOUT_SECONDS: ${(err as Error).message}`);
  }
}

/** The API's public listener: the dev issuer's JWKS, the REST gateway and WebSocket upgrades (503 until both are ready). */
function publicServer(at: {
  devKey: ReturnType<typeof loadOrCreateDevKey> | null;
  log: (line: string) => void;
  gateway: () => ReturnType<typeof createRestGateway> | null;
  ws: () => ReturnType<typeof createWebSocketGateway> | null;
}): Server {
  const server = createServer((req, res) => {
    if (at.devKey && req.method === 'GET' && req.url === DEV_JWKS_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=300' });
      res.end(JSON.stringify(devJwks(at.devKey)));
      return;
    }
    const gateway = at.gateway();
    if (!gateway || !at.ws()) {
      res.writeHead(503).end();
      return;
    }
    gateway(req, res).catch((err: unknown) => {
      at.log(JSON.stringify(redactDeep({ level: 'ERROR', message: 'local gateway fault', error: String((err as Error)?.message) })));
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const ws = at.ws();
    if (!ws) socket.destroy();
    else ws.handleUpgrade(req, socket, head);
  });
  return server;
}

/**
 * The emulated Management API (postToConnection and friends). Deployed, it needs SigV4 from a
 * role allowed `execute-api:ManageConnections`; here nothing checks the caller, so it is never on
 * the public port: its own listener, loopback only, on an ephemeral port that only the functions
 * are told (WS_MANAGEMENT_ENDPOINT). The public port answers its path with the API's 404.
 */
function managementServer(ws: () => ReturnType<typeof createWebSocketGateway> | null): Server {
  return createServer((req, res) => {
    const gateway = ws();
    if (!gateway || !req.url?.startsWith(`${MANAGEMENT_PATH}/`)) {
      req.resume();
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    gateway.handleManagement(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

/**
 * Each function gets only what its definition in routes.ts declares (functionEnvironment, as the
 * CDK stack builds it), plus what the Lambda runtime itself provides and the local stand-ins for
 * AWS endpoints. A value left empty here is left out, and the function applies its own default.
 */
function functionSettings(
  env: Record<string, string | undefined>,
  at: { tableName: string; devIssuer: string | null; url: string; origins: readonly string[]; kmsKeyId: string },
): Settings {
  return {
    [TABLES.main.envVar]: at.tableName,
    JWT_ISSUER: at.devIssuer ?? env.JWT_ISSUER ?? '',
    JWKS_URI: at.devIssuer ? `${at.url}${DEV_JWKS_PATH}` : (env.JWKS_URI ?? ''),
    JWT_AUDIENCE: env.JWT_AUDIENCE ?? DEV_AUDIENCE,
    ROLES_CLAIM: env.ROLES_CLAIM ?? 'roles',
    CORS_ORIGINS: at.origins.join(','),
    RATE_LIMIT_PER_MINUTE: env.RATE_LIMIT_PER_MINUTE ?? '',
    RESPOND_LIMIT_PER_MINUTE: env.RESPOND_LIMIT_PER_MINUTE ?? '',
    WEBHOOK_SOURCES: env.WEBHOOK_SOURCES ?? '',
    AUDIT_RETENTION_DAYS: env.AUDIT_RETENTION_DAYS ?? '',
    ENUMERATION_THRESHOLD: env.ENUMERATION_THRESHOLD ?? '',
    ENUMERATION_WINDOW_MINUTES: env.ENUMERATION_WINDOW_MINUTES ?? '',
    AGENT_DAILY_TOKEN_BUDGET: env.AGENT_DAILY_TOKEN_BUDGET ?? '',
    AGENT_MAX_REPLY_TOKENS: env.AGENT_MAX_REPLY_TOKENS ?? '',
    AGENT_MONTHLY_TOKEN_BUDGET: env.AGENT_MONTHLY_TOKEN_BUDGET ?? '',
    JWKS_MAX_AGE_SECONDS: env.JWKS_MAX_AGE_SECONDS ?? '',
    JWT_MAX_LIFETIME_SECONDS: env.JWT_MAX_LIFETIME_SECONDS ?? '',
    WS_MAX_CONNECTIONS_PER_USER: env.WS_MAX_CONNECTIONS_PER_USER ?? '',
    AUDIT_SHARDS: env.AUDIT_SHARDS ?? '',
    AGENT_PROVIDER: env.AGENT_PROVIDER ?? '',
    AGENT_MODEL: env.AGENT_MODEL ?? '',
    AGENT_MAX_OUTPUT_TOKENS: env.AGENT_MAX_OUTPUT_TOKENS ?? '',
    KMS_KEY_ID: at.kmsKeyId,
    API_KEY_MAX_DAYS: env.API_KEY_MAX_DAYS ?? '',
    THREAD_RETENTION_DAYS: env.THREAD_RETENTION_DAYS ?? '',
  };
}

/** Where this stack's database and Management API are, for tests and tools that inspect them
 * directly (never served over HTTP; the file is the developer's own, mode 0600). */
function writeStackInfo(dataDir: string, info: Record<string, unknown>): void {
  writeFileSync(join(dataDir, 'local-stack.json'), JSON.stringify(info), { mode: 0o600 });
}
