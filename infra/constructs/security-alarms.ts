// Enumeration alarms (THREATS T2): a metric filter on every function's log group turns each
// `security.enumeration_suspected` audit line into the ThreadGuard/EnumerationSuspected metric;
// an alarm on it notifies an SNS topic (KMS-encrypted, TLS-only) that operators subscribe to.
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export const SECURITY_METRIC_NAMESPACE = 'ThreadGuard';
export const ENUMERATION_METRIC_NAME = 'EnumerationSuspected';
export const ENUMERATION_AUDIT_ACTION = 'security.enumeration_suspected';

export interface SecurityAlarmsProps {
  /** Log groups of the functions that write audit events. */
  readonly logGroups: readonly ILogGroup[];
}

export class SecurityAlarms extends Construct {
  readonly topic: Topic;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps) {
    super(scope, id);
    // A customer-managed key: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    const key = new Key(this, 'TopicKey', { enableKeyRotation: true, description: 'ThreadGuard security alarm topic' });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { displayName: 'ThreadGuard security alarms', masterKey: key, enforceSSL: true });

    props.logGroups.forEach((logGroup, i) => {
      new MetricFilter(this, `EnumerationFilter${i}`, {
        logGroup,
        filterPattern: FilterPattern.stringValue('$.audit.action', '=', ENUMERATION_AUDIT_ACTION),
        metricNamespace: SECURITY_METRIC_NAMESPACE,
        metricName: ENUMERATION_METRIC_NAME,
        metricValue: '1',
      });
    });

    this.alarm = new Alarm(this, 'EnumerationAlarm', {
      alarmDescription: 'A user was denied more thread accesses than the enumeration threshold allows (THREATS T2).',
      metric: new Metric({
        namespace: SECURITY_METRIC_NAMESPACE,
        metricName: ENUMERATION_METRIC_NAME,
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
