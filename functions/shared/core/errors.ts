// Domain errors: what went wrong, in product terms. No HTTP here; lambda/error-map.ts owns status codes.
import type { RateDecision } from './rate-decision';

export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Input failed validation (bad JSON, schema, cursor). */
export class ValidationError extends DomainError {
  readonly code = 'bad_request';
  constructor(message = 'Bad request', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ValidationError';
  }
}

/** Credentials missing or not verifiable. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthorized';
  constructor(message = 'Unauthorized', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnauthenticatedError';
  }
}

/** Not found and not yours, deliberately one error (DESIGN invariant 3). */
export class ForbiddenError extends DomainError {
  readonly code: string = 'forbidden';
  constructor(message = 'Forbidden', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

export const THREAD_NOT_FOUND_MESSAGE = 'Thread not found or access denied';
export const TASK_NOT_FOUND_MESSAGE = 'Task not found or access denied';
export const API_KEY_NOT_FOUND_MESSAGE = 'API key not found or access denied';

/** A request outside an API key's scopes: the wire says `forbidden`; the audit trail says which scope. */
export class MissingScopeError extends ForbiddenError {
  constructor(readonly scope: string, options?: ErrorOptions) {
    super(`This API key lacks the ${scope} scope`, options);
    this.name = 'MissingScopeError';
  }
}

/** A write by a guest or a read-only key. */
export class ReadOnlyError extends ForbiddenError {
  override readonly code = 'read_only';
  constructor(message = 'This principal is read-only', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReadOnlyError';
  }
}

/** A non-admin on an admin route. */
export class AdminOnlyError extends ForbiddenError {
  override readonly code = 'admin_only';
  constructor(message = 'Admin role required', options?: ErrorOptions) {
    super(message, options);
    this.name = 'AdminOnlyError';
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
  constructor(message = 'Not found', options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
  constructor(message = 'Payload too large', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PayloadTooLargeError';
  }
}

export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  /**
   * @param decision - the bucket's decision that refused, when known, so the 429 describes that
   *   bucket (ChatKit's reply limit is decided after the edge guard set the `requests` headers).
   */
  constructor(
    readonly retryAfterSeconds: number,
    readonly decision: RateDecision | null = null,
    message = 'Rate limit exceeded',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RateLimitedError';
  }
}

/** The caller's daily model-token budget is used up until `retryAfterSeconds` from now (the next UTC midnight). */
export class BudgetExceededError extends DomainError {
  readonly code = 'budget_exceeded';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Daily token budget exceeded',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BudgetExceededError';
  }
}

/** The model provider failed, throttled or timed out; nothing of the exchange was stored. */
export class ProviderUnavailableError extends DomainError {
  readonly code = 'provider_unavailable';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'The model provider is unavailable; please try again shortly',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

/** A write lost a race (conditional check failed); callers may retry. */
export class ConflictError extends DomainError {
  readonly code = 'conflict';
  constructor(message = 'Conflict', options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** A dependency (the database) throttled or could not be reached, after the SDK's retries. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'service_unavailable';
  /** The AWS service that failed, when one did, for its failure metric and alarm (never shown to clients). */
  readonly dependency: UnavailableDependency | null;
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Service temporarily unavailable; retry later',
    options?: ErrorOptions & { readonly dependency?: UnavailableDependency },
  ) {
    super(message, options);
    this.name = 'ServiceUnavailableError';
    this.dependency = options?.dependency ?? null;
  }
}

/** The services whose failures have their own metric and alarm (core/security-metrics.ts). */
export type UnavailableDependency = 'kms' | 'sts';

/** The caller already has the most tasks a user may have (a 409 `conflict` that says so). */
export class TaskLimitError extends ConflictError {
  constructor(readonly limit: number, options?: ErrorOptions) {
    super(`You have reached the limit of ${limit} tasks; delete some first`, options);
    this.name = 'TaskLimitError';
  }
}

/** Configuration is missing or invalid; raised at cold start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Stored content that does not open for the record it was read from: sealed for another user,
 * record or field (copied or moved), or sealed under a key since destroyed. The stores treat such
 * a record as absent, as they would another user's (DESIGN invariant 3), and log it.
 */
export class ContentUnreadableError extends DomainError {
  readonly code = 'content_unreadable';
  constructor(
    readonly record: string,
    readonly field: string,
    options?: ErrorOptions,
  ) {
    super('Stored content does not open for this record', options);
    this.name = 'ContentUnreadableError';
  }
}
