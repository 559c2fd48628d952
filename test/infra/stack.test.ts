// Template assertions for the REST API, authorizer, table and gateway responses, plus a clean cdk-nag run.
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ROUTES } from '../../infra/routes';
import { GATEWAY_RESPONSES } from '../../infra/gateway-responses';
import { synth } from '../helpers/synth';

describe('ThreadGuardStack', () => {
  const { app, stack, template } = synth();

  it('puts the REST authorizer on every protected method and none on public ones', () => {
    const methods = template.findResources('AWS::ApiGateway::Method');
    const byRoute = new Map<string, Record<string, unknown>>();
    for (const m of Object.values(methods)) {
      const props = (m as { Properties: Record<string, unknown> }).Properties;
      if (props.HttpMethod === 'OPTIONS') {
        expect(props.AuthorizationType).toBe('NONE');
        continue;
      }
      byRoute.set(String(props.HttpMethod), props);
    }
    const nonPreflight = Object.values(methods).filter(
      (m) => (m as { Properties: { HttpMethod: string } }).Properties.HttpMethod !== 'OPTIONS',
    );
    expect(nonPreflight).toHaveLength(ROUTES.length);
    const custom = nonPreflight.filter((m) => (m as { Properties: { AuthorizationType: string } }).Properties.AuthorizationType === 'CUSTOM');
    expect(custom).toHaveLength(ROUTES.filter((r) => r.auth !== 'public').length);
    for (const m of custom) expect((m as { Properties: { AuthorizerId?: unknown } }).Properties.AuthorizerId).toBeDefined();
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
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
      }),
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
    // Rebuild each method's full path from the Resource tree, then look every new route up.
    const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, { Properties: { PathPart: string; ParentId: unknown } }>;
    const pathOf = (id: unknown): string => {
      const ref = (id as { Ref?: string })?.Ref;
      const res = ref ? resources[ref] : undefined;
      return res ? `${pathOf(res.Properties.ParentId)}/${res.Properties.PathPart}` : '';
    };
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => (m as { Properties: Record<string, any> }).Properties);
    const byRoute = new Map(methods.map((p) => [`${p.HttpMethod} ${pathOf(p.ResourceId)}`, p]));
    const added = ROUTES.filter((r) => ['threads', 'messages', 'tasks', 'admin'].includes(r.fn));
    expect(added).toHaveLength(14);
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
    expect(withArn).toHaveLength(4); // threads, admin, audit and chatkit
    for (const f of fns) expect(f.Properties.Environment?.Variables?.CURSOR_SECRET).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] })]) },
    });
  });
});

describe('streaming and WebSocket', () => {
  const { template } = synth();

  it('streams the messages route with responseTransferMode STREAM and nothing else', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Array<{ Properties: any }>;
    const streaming = methods.filter((m) => m.Properties.Integration?.ResponseTransferMode === 'STREAM');
    expect(streaming.length).toBe(ROUTES.filter((r) => r.streaming).length);
    expect(streaming.length).toBeGreaterThan(0);
    for (const m of streaming) expect(m.Properties.HttpMethod).toBe('POST');
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
    for (const key of ['$disconnect', '$default', 'sendMessage', 'ping']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
    });
  });
});
