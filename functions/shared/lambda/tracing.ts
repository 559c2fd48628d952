// Powertools Tracer for the functions that read or write user content: X-Ray subsegments for their
// DynamoDB, STS, KMS and Bedrock calls (and outgoing HTTPS, e.g. OpenAI). Lambda's active tracing
// already records each invocation; this adds the calls inside it. The Tracer turns itself off outside
// Lambda (no AWS_EXECUTION_ENV), so the local stack traces nothing. Only content-wiring.ts and
// reply-model.ts import it: the X-Ray SDK adds ~120 KB, which the other bundles do without.
// Subsegments carry the operation, table name and request id, never items or keys
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-sdk-nodejs-awssdkclients.html).
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { ClientInstrument } from '../adapters/tenant-clients';
import { SECURITY_METRICS } from '../core/security-metrics';

export const tracer = new Tracer({ serviceName: SECURITY_METRICS.dimensions.service });

/** Records each call of an AWS SDK v3 client as a subsegment. */
export const traced: ClientInstrument = (client) => tracer.captureAWSv3Client(client);
