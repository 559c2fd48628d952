// Cost per million audited thread reads (GET /threads/{id}) at list prices, itemized, from the units
// the threads benchmark measures (DynamoDB requests and capacity at the client, call latency). Prices:
// us-east-1 list prices (API Gateway REST, Lambda arm64, DynamoDB on-demand, CloudWatch Logs, S3),
// https://aws.amazon.com/api-gateway/pricing/, https://aws.amazon.com/lambda/pricing/,
// https://aws.amazon.com/dynamodb/pricing/on-demand/, https://aws.amazon.com/cloudwatch/pricing/,
// https://aws.amazon.com/s3/pricing/.
import { FUNCTIONS, AUTHORIZERS, type FunctionDef } from '../infra/routes';
import { REST_ACCESS_LOG_FIELDS, accessLogJson } from '../infra/access-log-format';

const PRICE = {
  restRequest: 3.5 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  readRequestUnit: 0.125 / 1e6,
  writeRequestUnit: 0.625 / 1e6,
  logIngestedGb: 0.5,
  s3Put: 0.005 / 1000,
} as const;

/** Audit events per archive object: a stream batch holds up to 1,000 (infra/constructs/audit-trail.ts). */
const EVENTS_PER_ARCHIVE_OBJECT = 1000;
/**
 * Log bytes per request not measured here: Lambda's JSON START/END/REPORT lines for the authorizer
 * and the function (about 3 x 250 bytes each). The access-log line is measured below.
 */
const PLATFORM_LOG_BYTES = 2 * 3 * 250;

export interface MeasuredRead {
  readonly readUnits: number;
  readonly writeUnits: number;
  /** End-to-end call latency on the local stack, ms: an upper bound of the two invocations' billed time together. */
  readonly latencyMs: number;
}

export function printCostPerMillionReads(m: MeasuredRead): number {
  const gb = (mb: number) => mb / 1024;
  const fnGb = gb((FUNCTIONS.threads as FunctionDef).memoryMb ?? 512);
  const authGb = gb((AUTHORIZERS.user as FunctionDef).memoryMb ?? 512);
  // The access-log line as written for a read (variables replaced by typical values, about their length).
  const accessLine = accessLogJson(Object.fromEntries(Object.keys(REST_ACCESS_LOG_FIELDS).map((k) => [k, 'x'.repeat(24)])));
  const logBytes = accessLine.length + PLATFORM_LOG_BYTES;
  const items: Array<[string, number]> = [
    ['API Gateway REST request', PRICE.restRequest],
    ['Lambda requests (authorizer + function)', 2 * PRICE.lambdaRequest],
    [`Lambda duration (${m.latencyMs.toFixed(1)} ms, larger of ${fnGb} / ${authGb} GB)`, (m.latencyMs / 1000) * Math.max(fnGb, authGb) * PRICE.lambdaArmGbSecond],
    [`DynamoDB reads (${m.readUnits} RRU)`, m.readUnits * PRICE.readRequestUnit],
    [`DynamoDB writes (${m.writeUnits} WRU: rate counters, audit event)`, m.writeUnits * PRICE.writeRequestUnit],
    [`CloudWatch Logs (${logBytes} bytes: access line ${accessLine.length} + platform lines)`, (logBytes / 1024 ** 3) * PRICE.logIngestedGb],
    ['Audit archive (S3 PUT per 1,000 events, archive invocation)', PRICE.s3Put / EVENTS_PER_ARCHIVE_OBJECT + PRICE.lambdaRequest / EVENTS_PER_ARCHIVE_OBJECT],
    ['KMS (table key: DynamoDB caches its data key) / STS (none)', 0],
  ];
  const total = items.reduce((sum, [, v]) => sum + v, 0);
  console.log('\nCost per million audited thread reads (GET /threads/{id}), list prices us-east-1');
  for (const [name, v] of items) console.log(`  ${name.padEnd(78)} $${(v * 1e6).toFixed(3).padStart(7)}`);
  console.log(`  ${'total'.padEnd(78)} $${(total * 1e6).toFixed(3).padStart(7)}`);
  console.log(`goal: <= $6.20 per million: $${(total * 1e6).toFixed(2)} ${total * 1e6 <= 6.2 ? '[goal met]' : '[GOAL MISSED]'}`);
  return total * 1e6;
}
