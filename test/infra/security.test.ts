// Template assertions for abuse prevention and the audit trail: stage throttling, the enumeration
// metric → alarm → SNS chain, the audit TTL, security headers on gateway responses.
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { SECURITY_HEADERS } from '../../functions/shared/core/security-headers';
import { GATEWAY_RESPONSES } from '../../infra/gateway-responses';
import { synth } from '../helpers/synth';

describe('abuse prevention and audit infrastructure', () => {
  const { template } = synth();

  it('throttles the REST stage as the coarse outer wall (context-configurable)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 }),
      ]),
    });
    const { template: t } = synth({ context: { 'threadguard:stageRateLimit': 50, 'threadguard:stageBurstLimit': 80 } });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 })]),
    });
  });

  it('passes the per-user limits to the functions', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RATE_LIMIT_PER_MINUTE: '120', RESPOND_LIMIT_PER_MINUTE: '10' }) },
    });
  });

  it('expires audit events, rate counters and denial counters through the table TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('alarms on exactly the enumeration metric the functions emit (namespace, name and dimensions) and notifies the SNS topic', async () => {
    // What Powertools writes (embedded metric format on stdout) when a caller crosses the threshold.
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const { emitEnumerationSuspected } = await import('../../functions/shared/lambda/metrics');
      emitEnumerationSuspected();
    } finally {
      process.stdout.write = write;
    }
    const emf = lines.map((l) => JSON.parse(l)).find((l) => l._aws);
    const [directive] = emf._aws.CloudWatchMetrics;
    const [dimensionNames] = directive.Dimensions as string[][];
    const emitted = {
      Namespace: directive.Namespace,
      MetricName: directive.Metrics[0].Name,
      Dimensions: dimensionNames!.map((name) => ({ Name: name, Value: emf[name] })),
    };
    expect(emitted.Dimensions.length).toBeGreaterThan(0); // Powertools always adds `service`

    const topics = template.findResources('AWS::SNS::Topic');
    const [topicId] = Object.keys(topics);
    // Among the operational alarms (test/infra/operations.test.ts), exactly one watches this metric.
    const alarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: Record<string, unknown> }>).filter(
      (a) => a.Properties.MetricName === emitted.MetricName,
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties).toMatchObject({
      ...emitted,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
    expect(Object.keys(topics)).toHaveLength(1);
    expect(alarms[0]!.Properties.Dimensions).toEqual(emitted.Dimensions);
    // One source: no log metric filter writes a second, differently dimensioned copy.
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  it('lets CloudWatch publish to the alarm topic, for this stack\'s alarms in this account only', () => {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Array<{ Properties: any }>;
    expect(policy!.Properties.Topics).toEqual([{ Ref: topicId }]);
    const allows = (policy!.Properties.PolicyDocument.Statement as any[]).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'AllowThisStacksAlarmsToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: {
          // Generated alarm names start with the stack name.
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111122223333:alarm:ThreadGuardTest-*']] } },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
  });

  it('encrypts the alarm topic with a rotating customer key CloudWatch may use, and refuses non-TLS publishes', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          // For this account's alarms only (confused deputy).
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('routes GET /admin/audit through the user authorizer to the audit function, which alone reads the cursor secret', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'audit' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
        ]),
      }),
      Roles: [{ Ref: Match.stringLikeRegexp('^AuditFunctionRole') }],
    });
  });

  it.each(GATEWAY_RESPONSES.map((g) => [g.type] as const))('sends the security headers on the %s gateway response', (type) => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      ResponseParameters: Match.objectLike(
        Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [`gatewayresponse.header.${k}`, `'${v}'`])),
      ),
    });
  });
});
