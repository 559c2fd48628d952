// The whole ThreadGuard stack: table, functions, REST API with authorizers, gateway responses, CORS.
import { CfnElement, CfnOutput, Duration, Lazy, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  MockIntegration,
  PassthroughBehavior,
  RequestAuthorizer,
  ResponseTransferMode,
  ResponseType,
  RestApi,
  type IAuthorizer,
  type IResource,
} from 'aws-cdk-lib/aws-apigateway';
import { CfnStage as WsCfnStage, LogGroupLogDestination as WsLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { executeApiOrigin, WebClient } from './constructs/web-client';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { SecurityAlarms } from './constructs/security-alarms';
import { ApiWaf } from './constructs/api-waf';
import { AuditTrail } from './constructs/audit-trail';
import { OperationsMonitoring } from './constructs/operations-monitoring';
import { grantTableKeyUse } from './constructs/table-key';
import { REST_ACCESS_LOG_FIELDS, WS_ACCESS_LOG_FIELDS, accessLogJson } from './access-log-format';
import { SECURITY_HEADERS } from '../functions/shared/core/security-headers';
import { Construct } from 'constructs';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS } from '../functions/shared/core/cors';
import type { StackConfig } from './config';
import { ContentKey } from './constructs/content-key';
import { ServiceFunction, type ServiceFunctionProps } from './constructs/service-function';
import { addThreadExpiry } from './constructs/thread-expiry';
import { TenantDataRole } from './constructs/tenant-data-role';
import type { Settings } from './function-environment';
import { GATEWAY_ORIGIN_SOURCE, GATEWAY_RESPONSES, gatewayResponseBody, gatewayStaticHeaders } from './gateway-responses';
import { AUTHORIZERS, FUNCTIONS, ROUTES, WEBSOCKET, integrationTimeoutSecondsOf, runsModel, type AuthKind, type FunctionDef, type FunctionName } from './routes';
import { TABLES } from './table';

export interface ThreadGuardStackProps extends StackProps {
  readonly config: StackConfig;
}

/** The API Gateway stage of both APIs; deployments are told apart by stack (`threadguard:stage`), not by this. */
const STAGE_NAME = 'prod';

/** The stack of a stage: `ThreadGuard-prod`, `ThreadGuard-dev`. */
export const stackNameFor = (stage: string): string => `ThreadGuard-${stage}`;

const pascal = (s: string) => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());

export class ThreadGuardStack extends Stack {
  readonly api: RestApi;
  readonly table: TableV2;
  readonly securityAlarms: SecurityAlarms;
  readonly webSocketApi: WebSocketApi;
  readonly monitoring: OperationsMonitoring;
  readonly auditTrail: AuditTrail;
  /** The table's customer-managed key. */
  readonly tableKey: Key;
  /** With `threadguard:waf=true`. */
  readonly waf?: ApiWaf;
  /** With `threadguard:webClient=true`. */
  readonly webClient?: WebClient;

  constructor(scope: Construct, id: string, props: ThreadGuardStackProps) {
    super(scope, id, props);
    const { config } = props;
    // The web client's origin is known only once its distribution exists (after the APIs it
    // points at), so it joins the allow-list lazily.
    let webClient: WebClient | undefined;
    const corsOrigins = config.webClient.enabled
      ? [...config.corsOrigins, Lazy.string({ produce: () => webClient!.origin })]
      : config.corsOrigins;

    this.tableKey = new Key(this, 'TableKey', {
      description: 'ThreadGuard main table',
      enableKeyRotation: true,
      // The retained table cannot be read without it.
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.table = new TableV2(this, 'MainTable', {
      partitionKey: { name: TABLES.main.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLES.main.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLES.main.ttlAttribute,
      deletionProtection: config.deletionProtection,
      encryption: TableEncryptionV2.customerManagedKey(this.tableKey),
      // Audit inserts reach the Object Lock archive through the stream (constructs/audit-trail.ts).
      dynamoStream: StreamViewType.NEW_IMAGE,
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Signs pagination cursors (audit list); read once per cold start through secretSource.
    const cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'HMAC key for ThreadGuard pagination cursors',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the cursor key only invalidates open pagination cursors (clients restart the list); it is rotated by redeploying, no rotation Lambda needed.',
    });

    // The webhook secret is generated by CloudFormation; neither the template nor any function
    // environment holds its value, only the ARN. Only the webhook authorizer may read it.
    const webhookSecret = new Secret(this, 'WebhookToken', {
      description: 'ThreadGuard webhook bearer token',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A static token shared with external webhook senders; rotation is an operator action (update the secret, then the senders). The authorizer re-reads the secret when a compare fails, so a rotated value works without redeploying.',
    });

    // The OpenAI key, only when OpenAI is the provider: an existing secret (threadguard:openAiSecretArn),
    // or one created here with a placeholder value that the operator replaces with the key.
    const openAiKey = config.agent.provider !== 'openai' ? null : this.openAiKeySecret(config.openAiSecretArn);

    // The second wall: the role every request assumes for its user's partitions (infra/tenant-access.ts).
    const tenantRole = new TenantDataRole(this, 'TenantData', { table: this.table });
    // The third wall: the KMS key user content is wrapped under (infra/constructs/content-key.ts).
    const contentKey = new ContentKey(this, 'ContentKey');

    // Each function gets only the settings and secrets its route-table definition declares.
    const wiring = {
      tenantRole,
      settings: {
        [TABLES.main.envVar]: this.table.tableName,
        JWT_ISSUER: config.jwtIssuer,
        JWT_AUDIENCE: config.jwtAudience,
        JWKS_URI: config.jwksUri,
        ROLES_CLAIM: config.rolesClaim,
        CORS_ORIGINS: corsOrigins.join(','),
        RATE_LIMIT_PER_MINUTE: String(config.rateLimitPerMinute),
        RESPOND_LIMIT_PER_MINUTE: String(config.respondLimitPerMinute),
        WEBHOOK_SOURCES: config.webhookSources.join(','),
        AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
        ENUMERATION_THRESHOLD: String(config.enumerationThreshold),
        ENUMERATION_WINDOW_MINUTES: String(config.enumerationWindowMinutes),
        AGENT_DAILY_TOKEN_BUDGET: String(config.agentDailyTokenBudget),
        AGENT_MAX_REPLY_TOKENS: String(config.agentMaxReplyTokens),
        // Empty: left out of the environment, so no monthly cap by default.
        AGENT_MONTHLY_TOKEN_BUDGET: config.agentMonthlyTokenBudget > 0 ? String(config.agentMonthlyTokenBudget) : '',
        JWKS_MAX_AGE_SECONDS: String(config.jwksMaxAgeSeconds),
        JWT_MAX_LIFETIME_SECONDS: String(config.jwtMaxLifetimeSeconds),
        WS_MAX_CONNECTIONS_PER_USER: String(config.wsMaxConnectionsPerUser),
        AGENT_PROVIDER: config.agent.provider,
        AGENT_MODEL: config.agent.model,
        AGENT_MAX_OUTPUT_TOKENS: String(config.agent.maxOutputTokens),
        AUDIT_SHARDS: String(config.auditShards),
        KMS_KEY_ID: contentKey.key.keyArn,
        API_KEY_MAX_DAYS: config.apiKeyMaxDays === null ? '' : String(config.apiKeyMaxDays),
        THREAD_RETENTION_DAYS: config.threadRetentionDays === null ? '' : String(config.threadRetentionDays),
      } satisfies Settings,
      secrets: { CURSOR_SECRET: cursorSecret, WEBHOOK_TOKEN: webhookSecret, OPENAI_API_KEY: openAiKey },
      agent: config.agent,
      logRetention: config.logRetentionDays as RetentionDays,
      table: this.table,
      contentKey,
      replyTimeoutSeconds: config.replyTimeoutSeconds,
    };

    const functions = {} as Record<FunctionName, ServiceFunction>;
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][]) {
      // Table access exactly as the route table declares it (`def.table`), granted by ServiceFunction.
      // A reply holds its execution for the whole model call: capped, so replies cannot take the account's pool.
      const reservedConcurrency = runsModel(def) ? config.replyConcurrency : undefined;
      functions[name] = new ServiceFunction(this, `${pascal(name)}Function`, { def, ...wiring, reservedConcurrency });
    }
    // Reserved: authorizers keep answering while other functions take the account's pool.
    const authorizerWiring = { ...wiring, reservedConcurrency: config.authorizerConcurrency };
    const userAuthorizerFn = new ServiceFunction(this, 'AuthorizerFunction', { def: AUTHORIZERS.user, ...authorizerWiring });
    const webhookAuthorizerFn = new ServiceFunction(this, 'WebhookAuthorizerFunction', { def: AUTHORIZERS.webhook, ...authorizerWiring });
    const authorizers: Partial<Record<AuthKind, IAuthorizer>> = {
      // Caching off: a disabled or revoked API key must fail on its next request (THREATS T8), and an
      // expiring one from its expiry second (T29). A TTL above 0 would let API Gateway reuse an Allow
      // for that long (default 300 s, at most 3600 s):
      // https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html (authorizerResultTtlInSeconds).
      // With caching off, API Gateway also allows the identity sources to be absent, so either
      // X-API-Key or Authorization reaches the function.
      user: new RequestAuthorizer(this, 'UserAuthorizer', {
        handler: userAuthorizerFn.fn,
        identitySources: [],
        resultsCacheTtl: Duration.seconds(0),
      }),
      // Uncached too: a rotated token must stop working at once.
      webhook: new RequestAuthorizer(this, 'WebhookAuthorizer', {
        handler: webhookAuthorizerFn.fn,
        identitySources: [],
        resultsCacheTtl: Duration.seconds(0),
      }),
    };

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: wiring.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Per-method throttling on the reply routes, inside the stage-wide limit: each is a model call.
    const replyMethodOptions = Object.fromEntries(
      ROUTES.filter((r) => r.startsReply).map((r) => [
        `${r.path}/${r.method}`,
        { throttlingRateLimit: config.replyRouteRateLimit, throttlingBurstLimit: config.replyRouteBurstLimit },
      ]),
    );
    this.api = new RestApi(this, 'RestApi', {
      description: 'ThreadGuard REST API',
      // Regional, not edge-optimized: a reply streams for up to replyTimeoutSeconds (15 minutes at
      // most) and may go quiet meanwhile (a tool call, a slow model, the JSON answer that sends
      // nothing until the reply is whole); a stream's idle timeout is 30 s on an edge-optimized
      // endpoint, 5 minutes on a regional one
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html).
      // The execute-api URL keeps its form (`RestApiUrl`); the WAF is regional already.
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(accessLogJson(REST_ACCESS_LOG_FIELDS)),
        methodOptions: replyMethodOptions,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // data traces would log request headers, tokens included
        tracingEnabled: true,
        throttlingRateLimit: config.stageRateLimit,
        throttlingBurstLimit: config.stageBurstLimit,
      },
    });

    // The execution log group API Gateway writes to, created here so it has a retention (left to
    // the service, it is created on first use and never expires): "API-Gateway-Execution-Logs_{rest-api-id}/{stage}"
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
    const executionLogs = new LogGroup(this, 'ApiExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: wiring.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    for (const def of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Gateway${pascal(def.type.toLowerCase())}`, {
        type: ResponseType.of(def.type),
        statusCode: def.statusCode === undefined ? undefined : String(def.statusCode),
        responseHeaders: {
          ...Object.fromEntries(Object.entries({ 'Content-Type': 'application/json', ...gatewayStaticHeaders(def) }).map(([k, v]) => [k, `'${v}'`])),
          // Unquoted: a request mapping, not a literal (gateway-responses.ts says why).
          ...(config.corsOrigins.length > 0 ? { 'Access-Control-Allow-Origin': GATEWAY_ORIGIN_SOURCE } : {}),
        },
        templates: { 'application/json': gatewayResponseBody(def) },
      });
    }

    const resources = new Map<string, IResource>();
    for (const route of ROUTES) {
      let resource = resources.get(route.path);
      if (!resource) {
        resource = this.api.root.resourceForPath(route.path);
        resources.set(route.path, resource);
        this.addPreflight(resource, corsOrigins);
      }
      const integration = new LambdaIntegration(functions[route.fn].fn, {
        proxy: true,
        ...(route.streaming ? { responseTransferMode: ResponseTransferMode.STREAM } : {}),
        ...(route.timeoutSeconds ? { timeout: Duration.seconds(integrationTimeoutSecondsOf(route, config.replyTimeoutSeconds)) } : {}),
      });
      if (route.auth === 'public') {
        const method = resource.addMethod(route.method, integration, { authorizationType: AuthorizationType.NONE });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: `${route.method} ${route.path} is public by design (route table).` });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: `${route.method} ${route.path} is public by design (route table).` });
      } else {
        const authorizer = authorizers[route.auth];
        if (!authorizer) throw new Error(`no authorizer for ${route.auth}`);
        resource.addMethod(route.method, integration, { authorizer, authorizationType: AuthorizationType.CUSTOM });
      }
    }

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'Bodies and parameters are validated in the functions (zod), which return the documented 400 body; API Gateway models would answer in another shape.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Callers are verified by the Lambda REQUEST authorizer (any OIDC issuer via JWKS, or API keys), not a Cognito user pool authorizer.',
    });
    if (config.waf.enabled) {
      this.waf = new ApiWaf(this, 'Waf', {
        stageArn: this.api.deploymentStage.stageArn,
        replyPathSuffixes: [...new Set(ROUTES.filter((r) => r.startsReply).map((r) => r.path.slice(r.path.lastIndexOf('/'))))],
        replyRequestsPerIpPer5Min: config.waf.replyRequestsPerIpPer5Min,
      });
    } else {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: 'WAF is optional (threadguard:waf=true); stage and per-method throttling plus per-user DynamoDB rate limits are the built-in abuse controls.',
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role needs this AWS-managed policy; it is what API Gateway documents.',
    });

    const ws = this.addWebSocketApi(config, wiring);
    this.webSocketApi = ws.api;
    // A sign-out closes the user's WebSockets (DeleteConnection on the stage's Management API).
    for (const [name, def] of Object.entries(FUNCTIONS) as Array<[FunctionName, FunctionDef]>) {
      if (!def.closesWebSockets) continue;
      functions[name].fn.addEnvironment('WS_MANAGEMENT_ENDPOINT', ws.stage.callbackUrl);
      ws.allowManageConnections(functions[name], 'A sign-out closes the user\'s connections: @connections/* of this one API, nothing else.');
    }

    if (config.webClient.enabled) {
      const { oidcClientId, oidcScope, oidcAudience, oidcResource, oidcTokenType, connectOrigins } = config.webClient;
      webClient = new WebClient(this, 'WebClient', {
        apiUrl: this.api.url,
        apiOrigin: executeApiOrigin('https', this.api.restApiId),
        wsUrl: ws.stage.url,
        wsOrigin: executeApiOrigin('wss', ws.api.apiId),
        oidc: {
          mode: 'oidc',
          issuer: config.jwtIssuer.split(',')[0]!.trim(),
          clientId: oidcClientId,
          scope: oidcScope,
          ...(oidcAudience ? { audience: oidcAudience } : {}),
          ...(oidcResource ? { resource: oidcResource } : {}),
          tokenType: oidcTokenType,
        },
        extraConnectOrigins: connectOrigins,
      });
      this.webClient = webClient;
      new CfnOutput(this, 'WebClientUrl', { value: webClient.origin });
    }

    // Enumeration events become a CloudWatch metric, an alarm and an SNS notification (THREATS T2);
    // every other alarm notifies the same topic (securityAlarms.addAlarm).
    this.securityAlarms = new SecurityAlarms(this, 'SecurityAlarms', { alarmEmail: config.alarmEmail, alarmTopicArn: config.alarmTopicArn });

    // Thread retention: the items of threads TTL removed (constructs/thread-expiry.ts).
    const threadExpiry = addThreadExpiry(this, { ...wiring, table: this.table });
    // Stream records live 24 hours: a stuck batch (its items never removed) pages someone within the hour.
    this.securityAlarms.addAlarm('ThreadExpiryIteratorAge', {
      metric: threadExpiry.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: 3_600_000,
      description: 'Expired threads have waited over an hour for their items to be removed: the thread-expiry function keeps failing a batch (its log says which record); stream records are dropped after 24 hours.',
    });
    const allFunctions: Record<string, ServiceFunction> = {
      ...functions,
      threadExpiry,
      authorizer: userAuthorizerFn,
      webhookAuthorizer: webhookAuthorizerFn,
      websocket: ws.fn,
      wsReply: ws.replyFn,
      wsAuthorizer: ws.authorizerFn,
    };
    this.auditTrail = new AuditTrail(this, 'AuditTrail', {
      table: this.table,
      roles: Object.values(allFunctions).map((f) => f.fn.role!),
      retentionDays: config.auditArchiveRetentionDays,
      logRetention: wiring.logRetention,
      settings: wiring.settings,
      agent: config.agent,
    });
    allFunctions.auditArchive = this.auditTrail.archiver;
    // Every function that reaches the table may use its key, through DynamoDB only.
    // And the tenant data role, with which functions reach users' partitions.
    grantTableKeyUse(this.tableKey, [...Object.values(allFunctions).filter((f) => f.def.table.length > 0).map((f) => f.fn), tenantRole.role]);

    this.monitoring = new OperationsMonitoring(this, 'Monitoring', {
      alarms: this.securityAlarms,
      thresholds: config.alarms,
      functions: Object.fromEntries(Object.entries(allFunctions).map(([name, f]) => [name, f.fn])),
      authorizers: ['authorizer', 'webhookAuthorizer', 'wsAuthorizer'],
      replyFunctions: Object.keys(allFunctions).filter((name) => ['messages', 'chatkit', 'wsReply'].includes(name)),
      api: this.api,
      webSocket: { api: ws.api, stage: ws.stage },
      table: this.table,
    });

    new CfnOutput(this, 'RestApiUrl', { value: this.api.url });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'SecurityAlarmTopicArn', { value: this.securityAlarms.topic.topicArn });
  }

  private openAiKeySecret(existingArn: string): ISecret {
    if (existingArn) return Secret.fromSecretCompleteArn(this, 'OpenAiApiKey', existingArn);
    const secret = new Secret(this, 'OpenAiApiKey', {
      description: 'OpenAI API key for the ThreadGuard agent: replace the generated placeholder with the key',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'An API key issued by OpenAI: it is rotated at OpenAI and then put here by the operator (functions read it at cold start); there is nothing a rotation Lambda could generate.',
    });
    return secret;
  }

  /**
   * WebSocket API: the $connect authorizer, one function for every route, and the reply function it
   * hands replies to (infra/routes.ts WEBSOCKET); both push via the Management API.
   */
  private addWebSocketApi(
    config: StackConfig,
    wiring: Omit<ServiceFunctionProps, 'def'>,
  ): {
    api: WebSocketApi;
    stage: WebSocketStage;
    fn: ServiceFunction;
    replyFn: ServiceFunction;
    authorizerFn: ServiceFunction;
    allowManageConnections: (f: ServiceFunction, reason: string) => void;
  } {
    const fn = new ServiceFunction(this, 'WebsocketFunction', { def: WEBSOCKET.fn, ...wiring });
    // A reply holds its execution for the whole model call: capped, as the REST reply functions are.
    const replyFn = new ServiceFunction(this, 'WsReplyFunction', { def: WEBSOCKET.reply, ...wiring, reservedConcurrency: config.replyConcurrency });
    // Invoked asynchronously only. Lambda retries a failed asynchronous invocation twice by default
    // and keeps a throttled event queued for up to 6 hours
    // (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): a reply must
    // not run twice (its frames, model call and task changes again), nor start long after its frame
    // was sent, so no retry and at most a minute in the queue (the least Lambda allows).
    replyFn.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    // The WebSocket function may invoke exactly this function (no qualifier, no wildcard); that
    // is what lets the reply function trust its job (functions/shared/lambda/ws-reply-job.ts).
    fn.fn.addEnvironment('WS_REPLY_FUNCTION_NAME', replyFn.fn.functionName);
    fn.fn.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [replyFn.fn.functionArn] }));
    const authorizerFn = new ServiceFunction(this, 'WsAuthorizerFunction', { def: WEBSOCKET.authorizer, ...wiring, reservedConcurrency: config.authorizerConcurrency });
    const integration = (id: string) => new WebSocketLambdaIntegration(id, fn.fn);
    const api = new WebSocketApi(this, 'WebSocketApi', {
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: integration('ConnectIntegration'),
        // No identity sources: either `?key=` or `?token=` may be present, and the function decides.
        authorizer: new WebSocketLambdaAuthorizer('ConnectAuthorizer', authorizerFn.fn, { identitySource: [] }),
      },
      disconnectRouteOptions: { integration: integration('DisconnectIntegration') },
      defaultRouteOptions: { integration: integration('DefaultIntegration') },
    });
    for (const key of WEBSOCKET.routeKeys) api.addRoute(key, { integration: integration(`${key}Integration`) });
    const accessLogs = new LogGroup(this, 'WebSocketAccessLogs', { retention: wiring.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const stage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: api,
      stageName: STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: config.stageRateLimit, burstLimit: config.stageBurstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: { destination: new WsLogDestination(accessLogs), format: AccessLogFormat.custom(accessLogJson(WS_ACCESS_LOG_FIELDS)) },
    });
    // Execution logs at ERROR, never data traces (they would log the handshake's query string, a
    // token included); their log group is created here with a retention: "/aws/apigateway/{api-id}/{stage}"
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html).
    (stage.node.defaultChild as WsCfnStage).addPropertyOverride('DefaultRouteSettings.LoggingLevel', 'ERROR');
    (stage.node.defaultChild as WsCfnStage).addPropertyOverride('DefaultRouteSettings.DataTraceEnabled', false);
    const executionLogs = new LogGroup(this, 'WebSocketExecutionLogs', {
      logGroupName: `/aws/apigateway/${api.apiId}/${STAGE_NAME}`,
      retention: wiring.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    stage.node.addDependency(executionLogs);
    // Access logging needs the account's API Gateway CloudWatch role (the AWS::ApiGateway::Account
    // the REST API creates); the REST stage waits for it, and so must this one, or on a fresh
    // account it is created first and fails ("CloudWatch Logs role ARN must be set").
    stage.node.addDependency(this.api.node.findChild('Account'));
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    const apiLogicalId = this.getLogicalId(api.node.defaultChild as CfnElement);
    const allowManageConnections = (f: ServiceFunction, reason: string) => {
      api.grantManageConnections(f.fn);
      Validations.of(f).acknowledge({ id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${apiLogicalId}>/*/*/@connections/*]`, reason });
    };
    allowManageConnections(fn, 'The function answers whichever connection sent the message: @connections/* of this one API, nothing else.');
    allowManageConnections(replyFn, 'A reply goes to whichever connection sent its message: @connections/* of this one API, nothing else.');
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'WebSocket APIs authorize once, on $connect (Lambda authorizer); later routes run in that authorized connection.',
    });
    new CfnOutput(this, 'WebSocketUrl', { value: stage.url });
    return { api, stage, fn, replyFn, authorizerFn, allowManageConnections };
  }

  /**
   * Preflight as a mock integration whose template echoes the origin only when it is allow-listed;
   * an unlisted origin gets no allow headers at all (THREATS T12). Same rules as core/cors.ts.
   * Origins are bare origins (config.ts checks), so each is a plain VTL string literal.
   */
  private addPreflight(resource: IResource, origins: readonly string[]): void {
    // An origin may be a token (the web client's distribution): CloudFormation joins it into the template.
    const condition = origins.map((o) => `$origin == "${o}"`).join(' || ') || 'false';
    const template = [
      '#set($origin = $input.params().header.get("Origin"))',
      // `$!origin` renders a missing header as "": VTL's #set leaves $origin unset when the lookup
      // is null, so a plain `$origin == ""` would never fall back to the lower-case name.
      '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
      `#if(${condition})`,
      '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
      `#set($context.responseOverride.header.Access-Control-Allow-Methods = "${CORS_ALLOW_METHODS}")`,
      `#set($context.responseOverride.header.Access-Control-Allow-Headers = "${CORS_ALLOW_HEADERS}")`,
      '#set($context.responseOverride.header.Access-Control-Max-Age = "600")',
      '#end',
    ].join('\n');
    // Every response carries the security headers, preflights included.
    const staticHeaders = Object.fromEntries(
      Object.entries({ Vary: 'Origin', ...SECURITY_HEADERS }).map(([k, v]) => [`method.response.header.${k}`, `'${v}'`]),
    );
    const preflight = resource.addMethod(
      'OPTIONS',
      new MockIntegration({
        passthroughBehavior: PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': '{ "statusCode": 200 }' },
        integrationResponses: [{ statusCode: '204', responseParameters: staticHeaders, responseTemplates: { 'application/json': template } }],
      }),
      {
        authorizationType: AuthorizationType.NONE,
        methodResponses: [
          { statusCode: '204', responseParameters: Object.fromEntries(Object.keys(staticHeaders).map((k) => [k, true])) },
        ],
      },
    );
    Validations.of(preflight).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'CORS preflight requests carry no credentials by browser design; the mock integration touches no data.',
    });
  }
}
