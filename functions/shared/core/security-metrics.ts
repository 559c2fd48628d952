// THE names of the security metrics: the functions emit them (lambda/metrics.ts) and the CDK stack
// alarms on exactly these, so the alarm cannot watch a metric nobody writes.

export const SECURITY_METRICS = {
  namespace: 'ThreadGuard',
  /** Emitted once when a caller crosses the enumeration threshold (THREATS T2). */
  enumeration: 'EnumerationSuspected',
  /** Emitted once per reply refused because the model provider failed (503 provider_unavailable). */
  modelProviderFailure: 'ModelProviderFailures',
  /** Emitted once per request refused (503) because KMS failed: the content keys could not be unwrapped or made. */
  kmsFailure: 'KmsFailures',
  /** Emitted once per request refused (503) because STS gave no tenant credentials (the second wall). */
  stsFailure: 'StsFailures',
  /**
   * Powertools always adds a `service` dimension; one fixed value for every function keeps it one
   * metric (CloudWatch treats each dimension value as its own metric, and an alarm watches one).
   */
  dimensions: { service: 'threadguard' },
} as const;
