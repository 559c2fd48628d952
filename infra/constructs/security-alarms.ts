// The alarm topic and the enumeration alarm (THREATS T2). The functions emit
// ThreadGuard/EnumerationSuspected through Powertools (embedded metric format,
// functions/shared/lambda/metrics.ts); an alarm on exactly that metric and its dimensions notifies an
// SNS topic (KMS-encrypted, TLS-only). Every other alarm of the stack goes through `addAlarm`, so
// each one notifies the same topic and the operator's own topic (`alarmTopicArn`), if any.
import { Annotations, Arn, ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { SECURITY_METRICS } from '../../functions/shared/core/security-metrics';

export interface SecurityAlarmsProps {
  /** Subscribed to the topic (the address confirms the subscription once). */
  readonly alarmEmail?: string;
  /** An existing topic (pager, chat) every alarm notifies besides ours. */
  readonly alarmTopicArn?: string;
}

/** What an alarm watches: `threshold` or more (`comparison` to override) in one `period` of `metric`. */
export interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
  /** @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparison?: ComparisonOperator;
  /** @default 1 */
  readonly evaluationPeriods?: number;
}

export class SecurityAlarms extends Construct {
  readonly topic: Topic;
  readonly alarm: Alarm;
  private readonly actions: SnsAction[];

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps = {}) {
    super(scope, id);
    // A customer-managed key: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    // CloudWatch may use it only for this account's alarms (confused-deputy guard; the grant itself:
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
    const key = new Key(this, 'TopicKey', { enableKeyRotation: true, description: 'ThreadGuard alarm topic' });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new Topic(this, 'Topic', { displayName: 'ThreadGuard alarms', masterKey: key, enforceSSL: true });
    this.actions = [new SnsAction(this.topic)];
    if (props.alarmTopicArn) this.actions.push(new SnsAction(Topic.fromTopicArn(this, 'OperatorTopic', props.alarmTopicArn)));
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    if (!props.alarmEmail && !props.alarmTopicArn) {
      Annotations.of(this).addWarningV2(
        'threadguard:alarmsNotifyNobody',
        'Alarms notify nobody: set -c threadguard:alarmEmail=oncall@your.org and/or -c threadguard:alarmTopicArn=arn:aws:sns:... (docs/operations.md).',
      );
    }

    this.alarm = this.addAlarm('EnumerationAlarm', {
      description: 'A user was denied more thread accesses than the enumeration threshold allows (THREATS T2).',
      metric: new Metric({
        namespace: SECURITY_METRICS.namespace,
        metricName: SECURITY_METRICS.enumeration,
        dimensionsMap: { ...SECURITY_METRICS.dimensions },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
    });
    // A topic policy replaces SNS's default one, which is what lets an account's alarms publish:
    // without this statement the alarms would change state and notify nobody. Scoped to this
    // stack's alarms (their generated names start with the stack name) in this account (SNS access
    // policy examples: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStacksAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': Arn.format({ service: 'cloudwatch', resource: 'alarm', resourceName: `${stack.stackName}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, stack) },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }

  /**
   * THE way to add an alarm: it notifies the alarm topic (and the operator's topic). Missing data
   * is not breaching: a metric nobody wrote (no errors, no traffic) is a healthy one.
   */
  addAlarm(id: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      comparisonOperator: spec.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const action of this.actions) alarm.addAlarmAction(action);
    return alarm;
  }
}
