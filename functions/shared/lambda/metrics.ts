// The single Powertools Metrics instance per function (CloudWatch embedded metric format on stdout).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'ThreadGuard';
export const ENUMERATION_METRIC = 'EnumerationSuspected';

export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'threadguard',
});

/** Emitted at once (not at the end of the invocation) so it survives a later failure. */
export function emitEnumerationSuspected(): void {
  metrics.addMetric(ENUMERATION_METRIC, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
