// Template assertions for running the stack: alarms that reach someone, the dashboard, concurrency
// and abuse guards, the audit trail nobody can edit, logs, and stage-qualified names.
import { describe, expect, it } from 'vitest';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FUNCTIONS, ROUTES, runsModel } from '../../infra/routes';
import { stackNameFor } from '../../infra/stack';
import { synth } from '../helpers/synth';

type Res = { Properties: Record<string, any>; DependsOn?: string[] };
type Template = ReturnType<typeof synth>['template'];

const alarmsOf = (template: Template) => Object.entries(template.findResources('AWS::CloudWatch::Alarm')) as Array<[string, Res]>;
const functionsOf = (template: Template) => Object.entries(template.findResources('AWS::Lambda::Function')) as Array<[string, Res]>;
/** The alarm on `metricName` of the function whose logical id starts with `fnPrefix`. */
const functionAlarm = (template: Template, fnId: string, metricName: string) =>
  alarmsOf(template).find(([, a]) => a.Properties.MetricName === metricName && a.Properties.Dimensions?.[0]?.Value?.Ref === fnId)?.[1];

/** The CloudWatch embedded-metric line `act` prints on stdout (Powertools Metrics), if any. */
async function emittedMetric(act: () => void): Promise<any> {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    act();
  } finally {
    process.stdout.write = write;
  }
  return lines.map((l) => JSON.parse(l)).find((l) => l._aws);
}

describe('alarms', () => {
  const { stack, template } = synth();
  const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));

  it('alarms on errors and throttles of every function, authorizers on their first error', () => {
    const fns = functionsOf(template);
    expect(fns.length).toBeGreaterThan(15);
    for (const [id] of fns) {
      const errors = functionAlarm(template, id, 'Errors');
      const throttles = functionAlarm(template, id, 'Throttles');
      expect(errors, `${id} errors`).toBeDefined();
      expect(throttles, `${id} throttles`).toBeDefined();
      expect(errors!.Properties.Threshold, id).toBe(/^(Authorizer|WsAuthorizer|WebhookAuthorizer)Function/.test(id) ? 1 : 5);
      expect(throttles!.Properties.Threshold, id).toBe(1);
    }
  });

  it('alarms on the REST 5XX rate and p99 latency, WebSocket integration errors and DynamoDB throttles and system errors', () => {
    const byName = (name: string) => alarmsOf(template).filter(([, a]) => a.Properties.MetricName === name).map(([, a]) => a.Properties);
    expect(byName('5XXError')).toEqual([expect.objectContaining({ Statistic: 'Average', Threshold: 0.01, Namespace: 'AWS/ApiGateway' })]);
    expect(byName('Latency')).toEqual([expect.objectContaining({ ExtendedStatistic: 'p99', Threshold: 10_000 })]);
    const [ws] = byName('IntegrationError');
    expect(ws!.Dimensions).toContainEqual({ Name: 'ApiId', Value: { Ref: expect.stringMatching(/^WebSocketApi/) } });
    // DynamoDB's per-operation metrics, summed in one expression per alarm.
    const dynamo = alarmsOf(template).filter(([, a]) => JSON.stringify(a.Properties.Metrics ?? []).includes('AWS/DynamoDB'));
    const names = dynamo.map(([, a]) => a.Properties.Metrics.find((m: any) => m.MetricStat)?.MetricStat.Metric.MetricName).sort();
    expect(names).toEqual(['SystemErrors', 'ThrottledRequests']);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    void stack;
  });

  it('alarms on exactly the model-provider failure metric the reply pipeline emits', async () => {
    const { wireError } = await import('../../functions/shared/lambda/wire-error');
    const { ProviderError } = await import('../../functions/shared/core/agent/model-port');
    const emf = await emittedMetric(() => expect(wireError(new ProviderError('unavailable', 5), 'POST /chatkit').statusCode).toBe(503));
    expect(emf, 'a 503 provider_unavailable emits the metric').toBeDefined();
    const [directive] = emf._aws.CloudWatchMetrics;
    const alarm = alarmsOf(template).find(([, a]) => a.Properties.MetricName === directive.Metrics[0].Name)?.[1];
    expect(alarm).toBeDefined();
    expect(alarm!.Properties).toMatchObject({ Namespace: directive.Namespace, Threshold: 5, AlarmActions: [{ Ref: topicId }] });
    expect(alarm!.Properties.Dimensions).toEqual((directive.Dimensions[0] as string[]).map((n) => ({ Name: n, Value: emf[n] })));
  });

  it.each([
    ['kms', 'KmsFailures'],
    ['sts', 'StsFailures'],
  ] as const)('alarms on exactly the metric a 503 from a failed %s emits', async (dependency, metricName) => {
    const { wireError } = await import('../../functions/shared/lambda/wire-error');
    const { ServiceUnavailableError } = await import('../../functions/shared/core/errors');
    const emf = await emittedMetric(() => {
      const mapped = wireError(new ServiceUnavailableError(2, undefined, { dependency }), 'GET /threads');
      expect(mapped.statusCode).toBe(503);
      expect(JSON.stringify(mapped.body)).not.toContain(dependency); // the client learns only "retry later"
    });
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive.Metrics[0].Name).toBe(metricName);
    const alarm = alarmsOf(template).find(([, a]) => a.Properties.MetricName === metricName)?.[1];
    expect(alarm!.Properties).toMatchObject({ Namespace: directive.Namespace, Threshold: 1, AlarmActions: [{ Ref: topicId }] });
  });

  it('notifies the alarm topic from every alarm', () => {
    for (const [id, a] of alarmsOf(template)) expect(a.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
  });

  it('sets thresholds from context', () => {
    const { template: t } = synth({ context: { 'threadguard:alarmRest5xxPercent': 5, 'threadguard:alarmFunctionErrors': 20, 'threadguard:alarmModelProviderFailures': 2 } });
    const props = alarmsOf(t).map(([, a]) => a.Properties);
    expect(props.find((p) => p.MetricName === '5XXError')!.Threshold).toBe(0.05);
    expect(props.find((p) => p.MetricName === 'ModelProviderFailures')!.Threshold).toBe(2);
    const threads = functionsOf(t).find(([id]) => id.startsWith('ThreadsFunction'))![0];
    expect(functionAlarm(t, threads, 'Errors')!.Properties.Threshold).toBe(20);
    expect(() => synth({ context: { 'threadguard:alarmRest5xxPercent': 'lots' } })).toThrow(/alarmRest5xxPercent/);
  });

  it('warns at synth that alarms notify nobody without an e-mail or topic', () => {
    const warnings = (s: ReturnType<typeof synth>['stack']) =>
      Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('Alarms notify nobody'));
    expect(warnings(stack)).toHaveLength(1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const { stack: s2, template: t2 } = synth({ context: { 'threadguard:alarmEmail': 'oncall@corp.example.com' } });
    expect(warnings(s2)).toHaveLength(0);
    t2.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@corp.example.com' });
    expect(() => synth({ context: { 'threadguard:alarmEmail': 'not-an-address' } })).toThrow(/alarmEmail/);
  });

  it('also notifies an existing topic given by alarmTopicArn', () => {
    const arn = 'arn:aws:sns:eu-west-1:111122223333:pager';
    const { stack: s, template: t } = synth({ context: { 'threadguard:alarmTopicArn': arn } });
    expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('Alarms notify nobody'))).toHaveLength(0);
    const [ownTopic] = Object.keys(t.findResources('AWS::SNS::Topic'));
    for (const [id, a] of alarmsOf(t)) expect(a.Properties.AlarmActions, id).toEqual([{ Ref: ownTopic }, arn]);
  });

  it('draws one dashboard with requests, latency, errors, throttles, replies, DynamoDB and enumeration', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Res[];
    expect(dashboards).toHaveLength(1);
    // The body is a Fn::Join of text and references: its text parts hold every metric name.
    const body = (dashboards[0]!.Properties.DashboardBody['Fn::Join'][1] as unknown[]).filter((p) => typeof p === 'string').join('');
    for (const metric of ['"Count"', '"Latency"', '"5XXError"', '"Errors"', '"Throttles"', '"ConcurrentExecutions"', '"ModelProviderFailures"', '"EnumerationSuspected"', '"ThrottledRequests"', '"IntegrationError"']) {
      expect(body, metric).toContain(metric);
    }
  });
});

describe('concurrency and abuse guards', () => {
  const { template } = synth();
  const reserved = (t: Template) => Object.fromEntries(functionsOf(t).map(([id, f]) => [id.replace(/Function.*$/, ''), f.Properties.ReservedConcurrentExecutions]));

  it('reserves concurrency for the authorizers and caps the reply functions (context), leaving the rest to the pool', () => {
    const r = reserved(template);
    for (const a of ['Authorizer', 'WebhookAuthorizer', 'WsAuthorizer']) expect(r[a], a).toBe(20);
    for (const f of ['Messages', 'Chatkit', 'WsReply']) expect(r[f], f).toBe(20);
    for (const f of ['Health', 'Threads', 'Admin', 'Me', 'Websocket']) expect(r[f], f).toBeUndefined();
    const r2 = reserved(synth({ context: { 'threadguard:replyConcurrency': 7, 'threadguard:authorizerConcurrency': 30 } }).template);
    expect([r2.Messages, r2.Chatkit, r2.WsReply, r2.Authorizer]).toEqual([7, 7, 7, 30]);
  });

  it('throttles each reply route per method beside the stage default', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage')) as Res[];
    const settings = stage!.Properties.MethodSettings as any[];
    expect(settings).toContainEqual(expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 200 }));
    // The routes that start a model reply: a message post and ChatKit (a resume or a cancel is no model call).
    const replyRoutes = ROUTES.filter((r) => r.startsReply);
    expect(replyRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['POST /chatkit', 'POST /threads/{threadId}/messages']);
    expect(replyRoutes.every((r) => runsModel(FUNCTIONS[r.fn]))).toBe(true);
    for (const r of replyRoutes) {
      // MethodSetting ResourcePath escapes "/" as "~1".
      expect(settings).toContainEqual(
        expect.objectContaining({ HttpMethod: r.method, ResourcePath: `/${r.path.replaceAll('/', '~1')}`, ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
      );
    }
  });

  it('adds a regional WAF only with waf=true: AWS common rules and a per-IP rate rule on the reply routes', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const { app, stack, template: t } = synth({ context: { 'threadguard:waf': true, 'threadguard:wafReplyRequestsPerIpPer5Min': 100 } });
    const [acl] = Object.values(t.findResources('AWS::WAFv2::WebACL')) as Res[];
    expect(acl!.Properties.Scope).toBe('REGIONAL');
    const rules = acl!.Properties.Rules as any[];
    expect(rules.map((r) => r.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean)).toEqual(['AWSManagedRulesCommonRuleSet']);
    const rate = rules.find((r) => r.Statement.RateBasedStatement)!.Statement.RateBasedStatement;
    expect(rate).toMatchObject({ Limit: 100, AggregateKeyType: 'IP' });
    const suffixes = JSON.stringify(rate.ScopeDownStatement);
    expect(suffixes).toContain('"/messages"');
    expect(suffixes).toContain('"/chatkit"');
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: Match.anyValue() });
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('T25: audit trail nobody can edit', () => {
  const { stack, template } = synth();
  const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0]!;

  it('denies DeleteItem and UpdateItem on audit keys to every function role', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Res[];
    const denying = policies.filter((p) => (p.Properties.PolicyDocument.Statement as any[]).some((s) => s.Effect === 'Deny'));
    expect(denying).toHaveLength(1);
    const [statement] = denying[0]!.Properties.PolicyDocument.Statement as any[];
    expect(statement).toEqual({
      Sid: 'AuditEventsAreImmutable',
      Effect: 'Deny',
      Action: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*', 'AUDIT_ALL#*'] } },
    });
    const attached = (denying[0]!.Properties.Roles as Array<{ Ref: string }>).map((r) => r.Ref).sort();
    const lambdaRoles = functionsOf(template).map(([, f]) => f.Properties.Role['Fn::GetAtt'][0] as string).sort();
    expect(attached).toEqual(lambdaRoles);
  });

  it('archives audit inserts from the stream to S3 under Object Lock in compliance mode, 365 days by default', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    // The stream's other reader is the thread-expiry function (deploy-settings.test.ts).
    const mapping = (Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Res[]).find((m) => JSON.stringify(m.Properties.FilterCriteria).includes('INSERT'));
    expect(mapping!.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(JSON.parse(mapping!.Properties.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { Keys: { PK: { S: [{ prefix: 'AUDIT#' }] } } },
    });
    const { template: t } = synth({ context: { 'threadguard:auditArchiveRetentionDays': 2555 } });
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } } } });
    void stack;
  });

  it('lets the archive function only add objects under audit/', () => {
    const archiver = functionsOf(template).find(([id]) => id.startsWith('AuditTrailArchiver'))!;
    const roleId = archiver[1].Properties.Role['Fn::GetAtt'][0];
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Res[])
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
    const s3 = statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(s3.map((s) => s.Action)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(s3[0].Resource)).toContain('/audit/*');
  });

  it('encrypts the table with a rotating customer-managed key that functions use through DynamoDB only', () => {
    const [keyId] = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('TableKey'))!;
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'ThreadGuard main table', EnableKeyRotation: true });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Resource: { 'Fn::GetAtt': [keyId, 'Arn'] }, Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } } }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^ThreadsFunctionRole') }],
    });
  });
});

describe('logs', () => {
  const { template } = synth();

  it('logs every function in JSON', () => {
    for (const [id, f] of functionsOf(template)) expect(f.Properties.LoggingConfig?.LogFormat, id).toBe('JSON');
  });

  it('creates the REST execution log group with a retention, before the stage', () => {
    const [lgId, lg] = (Object.entries(template.findResources('AWS::Logs::LogGroup')) as Array<[string, Res]>).find(([id]) => id.startsWith('ApiExecutionLogs'))!;
    expect(lg!.Properties.RetentionInDays).toBe(30);
    expect(JSON.stringify(lg!.Properties.LogGroupName)).toContain('API-Gateway-Execution-Logs_');
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage')) as Res[];
    expect(stage!.DependsOn).toContain(lgId);
  });

  it('writes access logs with request id, principal id, latencies, status and error, and no credential', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage')) as Res[];
    const format: string = stage!.Properties.AccessLogSetting.Format;
    const fields = JSON.parse(format);
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      principalId: '$context.authorizer.principalId',
      authorizerLatency: '$context.authorizer.integrationLatency',
      integrationLatency: '$context.integration.latency',
      status: '$context.status',
      errorMessage: '$context.error.message',
    });
    expect(format).not.toMatch(/apiKey|header|querystring|Authorization|token/i);
  });

  it('logs and measures the WebSocket stage: access log, execution errors, detailed metrics, no data traces', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as Res[];
    expect(stage!.Properties.DefaultRouteSettings).toMatchObject({ DetailedMetricsEnabled: true, LoggingLevel: 'ERROR', DataTraceEnabled: false });
    const format: string = stage!.Properties.AccessLogSettings.Format;
    expect(JSON.parse(format)).toMatchObject({ requestId: '$context.requestId', principalId: '$context.authorizer.principalId', status: '$context.status' });
    expect(format).not.toMatch(/apiKey|header|querystring|token/i);
    const wsLogs = Object.values(template.findResources('AWS::Logs::LogGroup')).filter((lg) => JSON.stringify(lg).includes('/aws/apigateway/')) as Res[];
    expect(wsLogs).toHaveLength(1);
    expect(wsLogs[0]!.Properties.RetentionInDays).toBe(30);
  });
});

describe('names and regions', () => {
  it('names each stage\'s stack after the stage, and refuses a stage name a stack cannot carry', () => {
    expect(stackNameFor('prod')).toBe('ThreadGuard-prod');
    expect(() => synth({ context: { 'threadguard:stage': 'Prod_1' } })).toThrow(/threadguard:stage/);
  });
});
