// THE mapping from a failure to what a client sees on any transport: the JSON error body and status
// (error-map.ts), the `{"type":"error","code","message"}` event of SSE and WebSocket streams, and
// ChatKit's error event. Faults (5xx) are logged here, once, with the error; clients never see it.
import { toErrorResponse, type MappedError } from './error-map';
import { logger } from './logger';
import { ServiceUnavailableError } from '../core/errors';
import { emitDependencyFailure, emitModelProviderFailure } from './metrics';

export interface StreamErrorEvent {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/** The mapped error; logs faults with `where` (a route or a WebSocket action). */
export function wireError(err: unknown, where: string): MappedError {
  const mapped = toErrorResponse(err);
  if (mapped.statusCode >= 500) logger.error('request failed', { error: err as Error, route: where });
  if (mapped.body.error.code === 'provider_unavailable') emitModelProviderFailure();
  if (err instanceof ServiceUnavailableError && err.dependency) emitDependencyFailure(err.dependency);
  return mapped;
}

/** The error event of our SSE and WebSocket streams. */
export function streamErrorEvent(err: unknown, where: string): StreamErrorEvent {
  const { body } = wireError(err, where);
  return { type: 'error', code: body.error.code, message: body.error.message };
}

/** ChatKit's error event: client errors shown as written; anything else its generic, retryable stream error. */
export function chatKitErrorEvent(err: unknown, where: string) {
  const { statusCode, body } = wireError(err, where);
  if (statusCode < 500) return { type: 'error', code: 'custom', message: body.error.message, allow_retry: false } as const;
  return { type: 'error', code: 'stream.error', allow_retry: true } as const;
}
