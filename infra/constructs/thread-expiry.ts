// Thread retention (THREAD_RETENTION_DAYS) deployed: DynamoDB's TTL removes a thread row past its
// `expiresAt`; the table's stream hands that removal to the thread-expiry function, which removes
// the thread's items (they carry no expiry of their own, so none can go before its thread).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
import { Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { TTL_PRINCIPAL } from '../../functions/thread-expiry/handler-constants';
import { THREAD_EXPIRY } from '../routes';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';

/** The thread-expiry function (construct id `ThreadExpiryFunction`), fed by the table's stream. */
export function addThreadExpiry(scope: Construct, props: Omit<ServiceFunctionProps, 'def'> & { readonly table: TableV2 }): ServiceFunction {
  const expiry = new ServiceFunction(scope, 'ThreadExpiryFunction', { ...props, def: THREAD_EXPIRY });
  expiry.fn.addEventSource(
    new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(30),
      // Retried until it lands (each batch is idempotent); the stream keeps records 24 hours, so a
      // batch that keeps failing must page someone well before (the stack's ThreadExpiryIteratorAge
      // alarm, beside the function's error alarm). A failing batch is split in two on each retry,
      // so one bad record holds back as few others as possible.
      retryAttempts: -1,
      bisectBatchOnError: true,
      // Only the TTL service's removals of thread rows: a thread its owner deleted took its items with it.
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual('REMOVE'),
          userIdentity: { type: FilterRule.isEqual('Service'), principalId: FilterRule.isEqual(TTL_PRINCIPAL) },
          dynamodb: { Keys: { SK: { S: FilterRule.beginsWith('THREAD#') } } },
        }),
      ],
    }),
  );
  return expiry;
}
