// Template assertions for abuse prevention and the audit trail: stage throttling, the enumeration
// metric filter → alarm → SNS chain, the audit TTL, security headers on gateway responses.
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { SECURITY_HEADERS } from '../../functions/shared/core/security-headers';
import { GATEWAY_RESPONSES } from '../../infra/gateway-responses';
import { FUNCTIONS } from '../../infra/routes';
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

  it('turns enumeration audit lines of every function into the ThreadGuard/EnumerationSuspected metric', () => {
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')) as { Properties: any }[];
    expect(filters).toHaveLength(Object.keys(FUNCTIONS).length + 1); // + the WebSocket function
    for (const f of filters) {
      expect(f.Properties.FilterPattern).toBe('{ $.audit.action = "security.enumeration_suspected" }');
      expect(f.Properties.MetricTransformations).toEqual([
        { MetricNamespace: 'ThreadGuard', MetricName: 'EnumerationSuspected', MetricValue: '1' },
      ]);
    }
    const logGroups = new Set(filters.map((f) => JSON.stringify(f.Properties.LogGroupName)));
    expect(logGroups.size).toBe(filters.length);
  });

  it('alarms on the first enumeration event and notifies the SNS topic', () => {
    const topics = template.findResources('AWS::SNS::Topic');
    const [topicId] = Object.keys(topics);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ThreadGuard',
      MetricName: 'EnumerationSuspected',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('encrypts the alarm topic with a rotating customer key CloudWatch may use, and refuses non-TLS publishes', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
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
