// Enumeration alarms (THREATS T2): the functions emit ThreadGuard/EnumerationSuspected through
// Powertools (embedded metric format, functions/shared/lambda/metrics.ts); an alarm on exactly that
// metric and its dimensions notifies an SNS topic (KMS-encrypted, TLS-only) operators subscribe to.
import { Aws, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SECURITY_METRICS } from '../../functions/shared/core/security-metrics';

export class SecurityAlarms extends Construct {
  readonly topic: Topic;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A customer-managed key: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    const key = new Key(this, 'TopicKey', { enableKeyRotation: true, description: 'ThreadGuard security alarm topic' });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { displayName: 'ThreadGuard security alarms', masterKey: key, enforceSSL: true });

    this.alarm = new Alarm(this, 'EnumerationAlarm', {
      alarmDescription: 'A user was denied more thread accesses than the enumeration threshold allows (THREATS T2).',
      metric: new Metric({
        namespace: SECURITY_METRICS.namespace,
        metricName: SECURITY_METRICS.enumeration,
        dimensionsMap: { ...SECURITY_METRICS.dimensions },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new SnsAction(this.topic));
    // A topic policy replaces SNS's default one, which is what lets an account's alarms publish:
    // without this statement the alarm would change state and notify nobody. Scoped to this stack's
    // alarm (SNS access policy examples: "Allow CloudWatch alarms to publish",
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStacksAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': this.alarm.alarmArn },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }
}
