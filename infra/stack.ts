// The whole ThreadGuard stack: table, functions, REST API with authorizers, gateway responses, CORS.
import { CfnElement, CfnOutput, Duration, Lazy, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
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
import { LogGroupLogDestination as WsLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { executeApiOrigin, WebClient } from './constructs/web-client';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { SecurityAlarms } from './constructs/security-alarms';
import { SECURITY_HEADERS } from '../functions/shared/core/security-headers';
import { Construct } from 'constructs';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS } from '../functions/shared/core/cors';
import type { StackConfig } from './config';
import { ServiceFunction } from './constructs/service-function';
import { GATEWAY_RESPONSES, gatewayResponseBody, gatewayResponseHeaders } from './gateway-responses';
import { AUTHORIZERS, FUNCTIONS, ROUTES, WEBSOCKET, type AuthKind, type FunctionName } from './routes';
import { TABLES } from './table';

export interface ThreadGuardStackProps extends StackProps {
  readonly config: StackConfig;
}

const pascal = (s: string) => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());

export class ThreadGuardStack extends Stack {
  readonly api: RestApi;
  readonly table: TableV2;
  readonly securityAlarms: SecurityAlarms;
  readonly webSocketApi: WebSocketApi;
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

    this.table = new TableV2(this, 'MainTable', {
      partitionKey: { name: TABLES.main.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLES.main.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLES.main.ttlAttribute,
      deletionProtection: config.deletionProtection,
      encryption: TableEncryptionV2.awsManagedKey(),
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

    const commonEnv: Record<string, string> = {
      [TABLES.main.envVar]: this.table.tableName,
      JWT_ISSUER: config.jwtIssuer,
      JWT_AUDIENCE: config.jwtAudience,
      JWKS_URI: config.jwksUri,
      ROLES_CLAIM: config.rolesClaim,
      CORS_ORIGINS: corsOrigins.join(','),
      RATE_LIMIT_PER_MINUTE: String(config.rateLimitPerMinute),
      RESPOND_LIMIT_PER_MINUTE: String(config.respondLimitPerMinute),
      WEBHOOK_SOURCES: config.webhookSources.join(','),
    };
    const logRetention = config.logRetentionDays as RetentionDays;

    const functions = {} as Record<FunctionName, ServiceFunction>;
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][]) {
      // Table access exactly as the route table declares it (`def.table`), granted by ServiceFunction.
      functions[name] = new ServiceFunction(this, `${pascal(name)}Function`, { def, environment: commonEnv, logRetention, table: this.table });
    }

    // Only the functions that page through lists can read the cursor key.
    for (const name of ['audit', 'threads', 'admin', 'chatkit'] as const) {
      functions[name].fn.addEnvironment('CURSOR_SECRET_ARN', cursorSecret.secretArn);
      cursorSecret.grantRead(functions[name].fn);
    }

    const userAuthorizerFn = new ServiceFunction(this, 'AuthorizerFunction', {
      def: AUTHORIZERS.user,
      environment: commonEnv,
      logRetention,
      table: this.table,
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
    const webhookAuthorizerFn = new ServiceFunction(this, 'WebhookAuthorizerFunction', {
      def: AUTHORIZERS.webhook,
      environment: { WEBHOOK_TOKEN_ARN: webhookSecret.secretArn },
      logRetention,
    });
    webhookSecret.grantRead(webhookAuthorizerFn.fn);
    const authorizers: Partial<Record<AuthKind, IAuthorizer>> = {
      // Caching off: a disabled or revoked API key must fail on its next request (THREATS T8).
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
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'RestApi', {
      description: 'ThreadGuard REST API',
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'prod',
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // data traces would log request headers, tokens included
        tracingEnabled: true,
        throttlingRateLimit: config.stageRateLimit,
        throttlingBurstLimit: config.stageBurstLimit,
      },
    });

    for (const def of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Gateway${pascal(def.type.toLowerCase())}`, {
        type: ResponseType.of(def.type),
        statusCode: def.statusCode === undefined ? undefined : String(def.statusCode),
        responseHeaders: Object.fromEntries(
          Object.entries({ 'Content-Type': 'application/json', ...gatewayResponseHeaders(config.corsOrigins) }).map(
            ([k, v]) => [k, `'${v}'`],
          ),
        ),
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
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'WAF is optional for operators; stage throttling plus per-user DynamoDB rate limits are the built-in abuse controls.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role needs this AWS-managed policy; it is what API Gateway documents.',
    });

    const ws = this.addWebSocketApi(config, commonEnv, logRetention);
    this.webSocketApi = ws.api;

    if (config.webClient.enabled) {
      const { oidcClientId, oidcScope, oidcAudience, oidcTokenType, connectOrigins } = config.webClient;
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
          tokenType: oidcTokenType,
        },
        extraConnectOrigins: connectOrigins,
      });
      this.webClient = webClient;
      new CfnOutput(this, 'WebClientUrl', { value: webClient.origin });
    }

    // Enumeration events become a CloudWatch metric, an alarm and an SNS notification (THREATS T2).
    this.securityAlarms = new SecurityAlarms(this, 'SecurityAlarms', {
      logGroups: [...Object.values(functions).map((f) => f.logGroup), ws.fn.logGroup],
    });

    new CfnOutput(this, 'RestApiUrl', { value: this.api.url });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'SecurityAlarmTopicArn', { value: this.securityAlarms.topic.topicArn });
  }

  /** WebSocket API: the $connect authorizer, one function for every route, pushes via the Management API. */
  private addWebSocketApi(
    config: StackConfig,
    environment: Record<string, string>,
    logRetention: RetentionDays,
  ): { api: WebSocketApi; stage: WebSocketStage; fn: ServiceFunction } {
    const fn = new ServiceFunction(this, 'WebsocketFunction', { def: WEBSOCKET.fn, environment, logRetention, table: this.table });
    const authorizerFn = new ServiceFunction(this, 'WsAuthorizerFunction', { def: WEBSOCKET.authorizer, environment, logRetention, table: this.table });
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
    const accessLogs = new LogGroup(this, 'WebSocketAccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const stage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: api,
      stageName: 'prod',
      autoDeploy: true,
      throttle: { rateLimit: config.stageRateLimit, burstLimit: config.stageBurstLimit },
      accessLogSettings: { destination: new WsLogDestination(accessLogs) },
    });
    api.grantManageConnections(fn.fn);
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    const apiLogicalId = this.getLogicalId(api.node.defaultChild as CfnElement);
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:<AWS::AccountId>:<${apiLogicalId}>/*/*/@connections/*]`,
      reason: 'The function answers whichever connection sent the message: @connections/* of this one API, nothing else.',
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'WebSocket APIs authorize once, on $connect (Lambda authorizer); later routes run in that authorized connection.',
    });
    new CfnOutput(this, 'WebSocketUrl', { value: stage.url });
    return { api, stage, fn };
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
