// Template assertions for the REST API, authorizer, table and gateway responses, plus a clean cdk-nag run.
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ROUTES } from '../../infra/routes';
import { GATEWAY_RESPONSES } from '../../infra/gateway-responses';
import { synth } from '../helpers/synth';
import { PUBLIC_ROUTES, routeKey } from './public-routes';

type Template = ReturnType<typeof synth>['template'];

/** Every API Gateway method of the template by `METHOD /full/path`, the path rebuilt from the Resource tree. */
function methodsByRoute(template: Template): Map<string, Record<string, any>> {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, { Properties: { PathPart: string; ParentId: unknown } }>;
  const pathOf = (id: unknown): string => {
    const ref = (id as { Ref?: string })?.Ref;
    const res = ref ? resources[ref] : undefined;
    return res ? `${pathOf(res.Properties.ParentId)}/${res.Properties.PathPart}` : '';
  };
  const out = new Map<string, Record<string, any>>();
  for (const m of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
    const p = (m as { Properties: Record<string, any> }).Properties;
    const key = `${p.HttpMethod} ${pathOf(p.ResourceId) || '/'}`;
    expect(out.has(key), `${key} defined twice`).toBe(false);
    out.set(key, p);
  }
  return out;
}

describe('ThreadGuardStack', () => {
  const { app, stack, template } = synth();

  it('puts an authorizer on every method but the documented public ones', () => {
    const methods = methodsByRoute(template);
    const preflights = [...methods.entries()].filter(([k]) => k.startsWith('OPTIONS '));
    for (const [, m] of preflights) expect(m.AuthorizationType).toBe('NONE');
    const served = [...methods.keys()].filter((k) => !k.startsWith('OPTIONS ')).sort();
    // The template serves exactly the route table, each route once ...
    expect(served).toEqual(ROUTES.map(routeKey).sort());
    const authorizers = Object.entries(template.findResources('AWS::ApiGateway::Authorizer')) as Array<[string, { Properties: { Name: string } }]>;
    const authorizerOf = (kind: string) => authorizers.find(([id]) => id.startsWith(kind === 'user' ? 'UserAuthorizer' : 'WebhookAuthorizer'))?.[0];
    for (const key of served) {
      const m = methods.get(key)!;
      if (PUBLIC_ROUTES.includes(key)) {
        expect(m.AuthorizationType, key).toBe('NONE');
        continue;
      }
      // ... and every route outside the hand-written public list is behind its authorizer, read
      // from the template, not from the route table's own `auth` field.
      expect(m.AuthorizationType, key).toBe('CUSTOM');
      const route = ROUTES.find((r) => routeKey(r) === key)!;
      expect(route.auth, key).not.toBe('public');
      expect(m.AuthorizerId, key).toEqual({ Ref: authorizerOf(route.auth) });
    }
    expect(ROUTES.filter((r) => r.auth === 'public').map(routeKey)).toEqual(PUBLIC_ROUTES);
  });

  it('uses an uncached REQUEST authorizer so revoked keys fail at once', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it('defines the table with PK/SK, on-demand, PITR, TTL and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })],
    });
  });

  it('can turn deletion protection off through context', () => {
    const { template: t } = synth({ context: { 'threadguard:deletionProtection': false } });
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
  });

  it.each(GATEWAY_RESPONSES.map((g) => [g.type, g] as const))('customises the %s gateway response', (_t, def) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: def.type,
      ...(def.statusCode ? { StatusCode: String(def.statusCode) } : {}),
      ResponseTemplates: { 'application/json': JSON.stringify({ error: { code: def.code, message: def.message } }) },
      ResponseParameters: Match.objectLike({
        // The caller's own origin, so every allowed origin can read it (gateway-responses.ts).
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        ...Object.fromEntries(Object.entries(def.headers ?? {}).map(([k, v]) => [`gatewayresponse.header.${k}`, `'${v}'`])),
      }),
    });
  });

  it('answers an authorizer that cannot read the credential store with 503 and Retry-After, not a 500', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'AUTHORIZER_CONFIGURATION_ERROR',
      StatusCode: '503',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'5'" }),
    });
  });

  it('gives every function its own log group with retention and Node 22+ on ARM', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(fns).length).toBeGreaterThan(0);
    for (const fn of Object.values(fns)) {
      const p = (fn as { Properties: Record<string, any> }).Properties;
      expect(p.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.LoggingConfig?.LogGroup).toBeDefined();
    }
    for (const lg of Object.values(logGroups)) expect((lg as { Properties: { RetentionInDays?: number } }).Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('passes the issuer config from context to the functions', () => {
    const { template: t } = synth({
      context: { 'threadguard:jwtIssuer': 'https://tenant.auth0.com/', 'threadguard:rolesClaim': 'https://ex.com/roles' },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_ISSUER: 'https://tenant.auth0.com/', ROLES_CLAIM: 'https://ex.com/roles' }) },
    });
  });

  it('never allows CORS "*"', () => {
    expect(() => synth({ context: { 'threadguard:corsOrigins': '*' } })).toThrow(/must not contain/);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Allow-Origin[^,]*'\*'/);
  });

  it('passes cdk-nag AwsSolutions checks (acknowledgements carry reasons)', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const violations = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`);
    expect(violations).toEqual([]);
  });
});

describe('bundling', () => {
  it('bundles every function with the local esbuild, without Docker', () => {
    const { template } = synth({ bundle: true });
    const fns = template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(fns)) {
      expect((fn as { Properties: { Code: { S3Key?: unknown } } }).Properties.Code.S3Key).toBeDefined();
    }
  });
});

describe('threads, tasks and admin functions', () => {
  const { template } = synth();

  it('routes every thread, task and admin method through the REST authorizer', () => {
    const byRoute = methodsByRoute(template);
    const added = ROUTES.filter((r) => ['threads', 'messages', 'tasks', 'admin'].includes(r.fn));
    expect(added).toHaveLength(20);
    for (const r of added) {
      const m = byRoute.get(`${r.method} ${r.path}`);
      expect(m, `${r.method} ${r.path}`).toBeDefined();
      expect(m!.AuthorizationType).toBe('CUSTOM');
      expect(m!.AuthorizerId).toBeDefined();
    }
  });

  it('keeps the cursor secret out of the template: generated in Secrets Manager, passed by ARN', () => {
    const secrets = Object.fromEntries(
      Object.entries(template.findResources('AWS::SecretsManager::Secret')).filter(([id]) => id.startsWith('CursorSecret')),
    );
    expect(Object.keys(secrets)).toHaveLength(1);
    const [secret] = Object.values(secrets) as Array<{ Properties: Record<string, unknown> }>;
    expect(secret!.Properties.GenerateSecretString).toBeDefined();
    expect(secret!.Properties.SecretString).toBeUndefined();
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Environment?: { Variables?: Record<string, unknown> } } }>;
    const withArn = fns.filter((f) => f.Properties.Environment?.Variables?.CURSOR_SECRET_ARN !== undefined);
    expect(withArn).toHaveLength(5); // threads, admin, audit, chatkit and tasks (the lists that page)
    for (const f of fns) expect(f.Properties.Environment?.Variables?.CURSOR_SECRET).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] })]) },
    });
  });
});

describe('streaming and WebSocket', () => {
  const { template } = synth();

  it('streams the reply routes and the account export with responseTransferMode STREAM, and nothing else', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Array<{ Properties: any }>;
    const streaming = methods.filter((m) => m.Properties.Integration?.ResponseTransferMode === 'STREAM');
    expect(streaming.length).toBe(ROUTES.filter((r) => r.streaming).length);
    // The export (GET), a message post and ChatKit, a reply's resume (GET) and cancel (POST): the reply function streams every route it serves.
    expect(streaming.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST', 'POST', 'POST']);
  });

  it('puts the Lambda REQUEST authorizer on $connect and keeps a throttled stage', () => {
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    expect(Object.keys(authorizers)).toHaveLength(1);
    const [authId] = Object.keys(authorizers);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authId },
    });
    for (const key of ['$disconnect', '$default', 'sendMessage', 'ping', 'resume', 'cancel']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
    });
  });
});
