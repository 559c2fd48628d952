// THE table from error type to HTTP status and public body. Handlers never pick error statuses.
import { ProviderError } from '../core/agent/model-port';
import {
  AdminOnlyError,
  BudgetExceededError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ProviderUnavailableError,
  RateLimitedError,
  ReadOnlyError,
  ServiceUnavailableError,
  UnauthenticatedError,
  ValidationError,
} from '../core/errors';
import { rateLimitHeaders } from '../core/rate-limit';
import { asUnavailable } from '../adapters/dynamo-faults';

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface MappedError {
  statusCode: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

type ErrorClass = abstract new (...args: never[]) => DomainError;

/** Most specific first: resolution walks this list with instanceof. */
const STATUS_BY_ERROR: ReadonlyArray<readonly [ErrorClass, number]> = [
  [ValidationError, 400],
  [UnauthenticatedError, 401],
  [ReadOnlyError, 403],
  [AdminOnlyError, 403],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [RateLimitedError, 429],
  [BudgetExceededError, 429],
  [ProviderUnavailableError, 503],
  [ServiceUnavailableError, 503],
];

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

export const INTERNAL_ERROR: ErrorBody = errorBody('internal', 'Internal server error');

/** Map any thrown value to the documented response. Unknown errors never expose their message. */
export function toErrorResponse(thrown: unknown): MappedError {
  // A provider failure that reached the edge unconverted is the documented 503 provider_unavailable;
  // throttling and an unreachable database, after the SDK's retries, are a 503, never a 500.
  const err =
    thrown instanceof DomainError
      ? thrown
      : thrown instanceof ProviderError
        ? new ProviderUnavailableError(thrown.retryAfterSeconds, undefined, { cause: thrown })
        : (asUnavailable(thrown) ?? thrown);
  if (err instanceof DomainError) {
    const entry = STATUS_BY_ERROR.find(([cls]) => err instanceof cls);
    if (entry) {
      const headers: Record<string, string> = {};
      if (err instanceof RateLimitedError || err instanceof BudgetExceededError || err instanceof ProviderUnavailableError || err instanceof ServiceUnavailableError) {
        headers['Retry-After'] = String(err.retryAfterSeconds);
      }
      // Same names as the guard's headers, so the refusing bucket's replace them on the response.
      if (err instanceof RateLimitedError && err.decision) Object.assign(headers, rateLimitHeaders(err.decision));
      return { statusCode: entry[1], body: errorBody(err.code, err.message), headers };
    }
  }
  return { statusCode: 500, body: INTERNAL_ERROR, headers: {} };
}
