// The single Powertools Metrics instance per function (CloudWatch embedded metric format on stdout).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { UnavailableDependency } from '../core/errors';
import { SECURITY_METRICS } from '../core/security-metrics';

export const metrics = new Metrics({
  namespace: SECURITY_METRICS.namespace,
  serviceName: SECURITY_METRICS.dimensions.service,
});

/** Emitted at once (not at the end of the invocation) so it survives a later failure. */
export function emitEnumerationSuspected(): void {
  metrics.addMetric(SECURITY_METRICS.enumeration, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

/** A request refused because KMS or STS failed; the alarms on them tell a walled dependency's outage from our own faults. */
export function emitDependencyFailure(dependency: UnavailableDependency): void {
  metrics.addMetric(dependency === 'kms' ? SECURITY_METRICS.kmsFailure : SECURITY_METRICS.stsFailure, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

/** A reply the model provider failed; the alarm on it tells a provider outage from our own faults. */
export function emitModelProviderFailure(): void {
  metrics.addMetric(SECURITY_METRICS.modelProviderFailure, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
