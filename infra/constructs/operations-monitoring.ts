// The alarms an on-call team needs and the one dashboard they look at (docs/operations.md lists each
// alarm, its threshold context key and what to do). Every alarm goes through SecurityAlarms.addAlarm,
// so all notify the same topic.
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Dashboard, GraphWidget, Metric, TextWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Operation, type TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SECURITY_METRICS } from '../../functions/shared/core/security-metrics';
import type { AlarmThresholds } from '../config';
import type { SecurityAlarms } from './security-alarms';

const PERIOD = Duration.minutes(5);
/** The operations the functions use (an alarm's math expression may sum at most 10 metrics). */
const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];

export interface OperationsMonitoringProps {
  readonly alarms: SecurityAlarms;
  readonly thresholds: AlarmThresholds;
  /** Every function by a readable name (the dashboard's legend, the alarm ids). */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The names in `functions` that are authorizers. */
  readonly authorizers: readonly string[];
  /** The names in `functions` that call the model. */
  readonly replyFunctions: readonly string[];
  readonly api: RestApi;
  readonly webSocket: { readonly api: WebSocketApi; readonly stage: WebSocketStage };
  readonly table: TableV2;
}

/** A ThreadGuard metric the functions emit (one `service` dimension for every function). */
export const threadGuardMetric = (metricName: string): Metric =>
  new Metric({ namespace: SECURITY_METRICS.namespace, metricName, dimensionsMap: { ...SECURITY_METRICS.dimensions }, statistic: 'Sum', period: PERIOD });

export class OperationsMonitoring extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    const { alarms, thresholds: t, functions, api, table } = props;
    const sum = { statistic: 'Sum', period: PERIOD };

    for (const [name, fn] of Object.entries(functions)) {
      const authorizer = props.authorizers.includes(name);
      alarms.addAlarm(`${name}Errors`, {
        metric: fn.metricErrors(sum),
        threshold: authorizer ? t.authorizerErrors : t.functionErrors,
        description: authorizer
          ? `The ${name} authorizer failed: while it faults, every call it guards is refused (503).`
          : `The ${name} function failed (uncaught errors or timeouts).`,
      });
      alarms.addAlarm(`${name}Throttles`, {
        metric: fn.metricThrottles(sum),
        threshold: t.functionThrottles,
        description: authorizer
          ? `The ${name} authorizer was throttled: its reserved concurrency is exhausted and callers are refused.`
          : `The ${name} function was throttled (its concurrency cap or the account's pool).`,
      });
    }

    // API Gateway's 5XXError is 0 or 1 per request: its average is the share answered 5XX.
    alarms.addAlarm('Rest5xxRate', {
      metric: api.metricServerError({ statistic: 'Average', period: PERIOD }),
      threshold: t.rest5xxPercent / 100,
      description: `More than ${t.rest5xxPercent}% of REST requests were answered 5XX.`,
    });
    alarms.addAlarm('RestP99Latency', {
      metric: api.metricLatency({ statistic: 'p99', period: PERIOD }),
      threshold: t.restP99LatencyMs,
      evaluationPeriods: 3,
      description: `REST p99 latency stayed at or above ${t.restP99LatencyMs} ms for 15 minutes.`,
    });
    const wsDims = { ApiId: props.webSocket.api.apiId, Stage: props.webSocket.stage.stageName };
    const wsMetric = (metricName: string) => new Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: wsDims, ...sum });
    alarms.addAlarm('WebSocketIntegrationErrors', {
      metric: wsMetric('IntegrationError'),
      threshold: t.wsIntegrationErrors,
      description: 'WebSocket messages whose function failed or timed out.',
    });
    alarms.addAlarm('DynamoThrottles', {
      metric: table.metricThrottledRequestsForOperations({ period: PERIOD, operations: TABLE_OPERATIONS }),
      threshold: t.dynamoThrottles,
      description: 'DynamoDB throttled requests on the main table (a hot partition or an account limit).',
    });
    alarms.addAlarm('DynamoSystemErrors', {
      metric: table.metricSystemErrorsForOperations({ period: PERIOD, operations: TABLE_OPERATIONS }),
      threshold: t.dynamoSystemErrors,
      description: 'DynamoDB answered 500 (service-side errors) on the main table.',
    });
    alarms.addAlarm('ModelProviderFailures', {
      metric: threadGuardMetric(SECURITY_METRICS.modelProviderFailure),
      threshold: t.modelProviderFailures,
      description: 'Replies refused with 503 provider_unavailable: the model provider failed, throttled or timed out.',
    });
    alarms.addAlarm('KmsFailures', {
      metric: threadGuardMetric(SECURITY_METRICS.kmsFailure),
      threshold: t.kmsFailures,
      description: 'Requests refused with 503 because KMS failed or throttled: user content can be neither sealed nor opened.',
    });
    alarms.addAlarm('StsFailures', {
      metric: threadGuardMetric(SECURITY_METRICS.stsFailure),
      threshold: t.stsFailures,
      description: 'Requests refused with 503 because STS gave no tenant credentials (throttled, down, or the tenant role trust is broken).',
    });

    this.dashboard = this.buildDashboard(props, wsMetric);
  }

  private buildDashboard(props: OperationsMonitoringProps, wsMetric: (name: string) => Metric): Dashboard {
    const { functions, api, table } = props;
    const perFunction = (pick: (fn: IFunction) => Metric) => Object.entries(functions).map(([name, fn]) => pick(fn).with({ label: name }));
    const graph = (title: string, left: IMetric[], right?: IMetric[]) => new GraphWidget({ title, left, right, width: 12, height: 6 });
    const p = { period: PERIOD };
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(new TextWidget({ markdown: '# ThreadGuard\nAlarms and what to do: docs/operations.md', width: 24, height: 2 }));
    dashboard.addWidgets(
      graph('REST requests and errors', [api.metricCount({ ...p, statistic: 'Sum', label: 'requests' })], [
        api.metricClientError({ ...p, statistic: 'Sum', label: '4XX' }),
        api.metricServerError({ ...p, statistic: 'Sum', label: '5XX' }),
      ]),
      graph('REST latency (ms)', [
        api.metricLatency({ ...p, statistic: 'p50', label: 'p50' }),
        api.metricLatency({ ...p, statistic: 'p99', label: 'p99' }),
        api.metricIntegrationLatency({ ...p, statistic: 'p99', label: 'integration p99' }),
      ]),
    );
    dashboard.addWidgets(
      graph('WebSocket', [wsMetric('MessageCount').with({ label: 'messages' }), wsMetric('ConnectCount').with({ label: 'connects' })], [
        wsMetric('IntegrationError').with({ label: 'integration errors' }),
        wsMetric('ExecutionError').with({ label: 'execution errors' }),
      ]),
      graph('Replies, tokens and provider failures', [
        ...props.replyFunctions.map((name) => functions[name]!.metricInvocations({ ...p, statistic: 'Sum', label: `${name} invocations` })),
      ], [threadGuardMetric(SECURITY_METRICS.modelProviderFailure).with({ label: 'provider failures' })]),
    );
    dashboard.addWidgets(
      graph('Function errors', perFunction((fn) => fn.metricErrors({ ...p, statistic: 'Sum' }))),
      graph('Function throttles', perFunction((fn) => fn.metricThrottles({ ...p, statistic: 'Sum' }))),
    );
    dashboard.addWidgets(
      graph('Function duration p99 (ms)', perFunction((fn) => fn.metricDuration({ ...p, statistic: 'p99' }))),
      graph('Concurrent executions', perFunction((fn) => fn.metric('ConcurrentExecutions', { ...p, statistic: 'Maximum' }))),
    );
    dashboard.addWidgets(
      graph('DynamoDB capacity', [
        table.metricConsumedReadCapacityUnits({ ...p, statistic: 'Sum', label: 'read units' }),
        table.metricConsumedWriteCapacityUnits({ ...p, statistic: 'Sum', label: 'write units' }),
      ]),
      // One graph each: both sum per-operation metrics under the same ids.
      graph('DynamoDB throttled requests', [table.metricThrottledRequestsForOperations({ period: PERIOD, operations: TABLE_OPERATIONS })]),
      graph('DynamoDB system errors', [table.metricSystemErrorsForOperations({ period: PERIOD, operations: TABLE_OPERATIONS })]),
      graph('Denials and enumeration', [
        // Authorizer denials are the REST 401/403s; enumeration is our own metric (THREATS T2).
        api.metricClientError({ ...p, statistic: 'Sum', label: 'REST 4XX' }),
      ], [threadGuardMetric(SECURITY_METRICS.enumeration).with({ label: 'enumeration suspected' })]),
    );
    return dashboard;
  }
}
