// Which DynamoDB failures mean "unavailable for now" rather than a bug: throttling, DynamoDB's own
// 5xx and a database that cannot be reached, once the SDK's retries are spent. They become the
// documented 503 with Retry-After (API.md); anything else stays an internal error.
import { ServiceUnavailableError } from '../core/errors';
import { TransactionCancelled, UnprocessedItemsError } from './dynamo-errors';

/** Throttling: DynamoDB's error names (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html). */
const THROTTLED = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException']);
/** Transaction cancellation reasons that are throttling, not a decision. */
const THROTTLED_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);
/** Node socket errors the SDK surfaces when the endpoint is down or the connection was cut. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Seconds a client should wait: throttling clears fast; a restarting database takes longer. */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;
export const UNREACHABLE_RETRY_AFTER_SECONDS = 5;

interface SdkLikeError {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** The 503 an infrastructure failure stands for, or null when it is not one. */
export function asUnavailable(err: unknown): ServiceUnavailableError | null {
  if (err instanceof ServiceUnavailableError) return err;
  const e = err as SdkLikeError | null;
  if (!e || typeof e !== 'object') return null;
  if (err instanceof UnprocessedItemsError) return new ServiceUnavailableError(THROTTLED_RETRY_AFTER_SECONDS, undefined, { cause: err });
  if (err instanceof TransactionCancelled && err.reasons.some((r) => THROTTLED_REASONS.has(r.Code ?? ''))) {
    return new ServiceUnavailableError(THROTTLED_RETRY_AFTER_SECONDS, undefined, { cause: err });
  }
  if (THROTTLED.has(e.name ?? '')) return new ServiceUnavailableError(THROTTLED_RETRY_AFTER_SECONDS, undefined, { cause: err });
  // A service-side 5xx (InternalServerError, ServiceUnavailable, or an unparsable 5xx body).
  if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new ServiceUnavailableError(THROTTLED_RETRY_AFTER_SECONDS, undefined, { cause: err });
  }
  const code = e.code ?? (e.cause as SdkLikeError | undefined)?.code ?? '';
  if (UNREACHABLE.has(code) || e.name === 'TimeoutError') {
    return new ServiceUnavailableError(UNREACHABLE_RETRY_AFTER_SECONDS, undefined, { cause: err });
  }
  return null;
}
