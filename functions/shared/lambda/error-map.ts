// THE table from error type to HTTP status and public body. Handlers never pick error statuses.
import {
  AdminOnlyError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ReadOnlyError,
  UnauthenticatedError,
  ValidationError,
} from '../core/errors';
import { rateLimitHeaders, type RateDecision } from '../core/rate-limit';

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface MappedError {
  statusCode: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * A 429 decided after the edge guard (ChatKit's reply limit, which depends on the body). It carries
 * its decision so the X-RateLimit-* sent describe the bucket that refused, not the guard's `requests`.
 */
export class BucketLimitedError extends RateLimitedError {
  constructor(readonly decision: RateDecision) {
    super(decision.retryAfterSeconds);
    this.name = 'BucketLimitedError';
  }
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
];

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

export const INTERNAL_ERROR: ErrorBody = errorBody('internal', 'Internal server error');

/** Map any thrown value to the documented response. Unknown errors never expose their message. */
export function toErrorResponse(err: unknown): MappedError {
  if (err instanceof DomainError) {
    const entry = STATUS_BY_ERROR.find(([cls]) => err instanceof cls);
    if (entry) {
      const headers: Record<string, string> = {};
      if (err instanceof RateLimitedError) headers['Retry-After'] = String(err.retryAfterSeconds);
      // Same names as the guard's headers, so these replace them on the response.
      if (err instanceof BucketLimitedError) Object.assign(headers, rateLimitHeaders(err.decision));
      return { statusCode: entry[1], body: errorBody(err.code, err.message), headers };
    }
  }
  return { statusCode: 500, body: INTERNAL_ERROR, headers: {} };
}
