// What a controller answers, for both edge front ends (a leaf: the engine, dispatch and the
// idempotency runner import these types, and nothing here imports them back).
import type { HttpRequest } from './http-request';

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The thread this answer shows (not sent): an `Idempotency-Key` replay of it is served only while the thread is still the caller's. */
  thread?: string;
}

/** A streamed answer (Lambda response streaming): server-sent events (sse.ts). */
export interface StreamResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  /** Chunks written as they come; an error thrown mid-stream becomes `onError`'s last chunk. */
  readonly stream: AsyncIterable<string>;
  /** Renders a mid-stream failure in the stream's own format (an SSE `error` event, say); logs faults (wire-error.ts). */
  readonly onError: (err: unknown) => string;
  /**
   * Work the stream started that must finish even if the client goes away (a reply runs to its end
   * and is stored): the invocation ends only once it settles.
   */
  readonly settled?: Promise<void>;
}

export type Controller = (req: HttpRequest) => Promise<HttpResult>;

/** Keyed by `METHOD /resource/{template}`, exactly as in infra/routes.ts. */
export type RouteControllers = Readonly<Record<string, Controller>>;

/** A controller of a streamed route: JSON (HttpResult) or a stream; every refusal comes before the stream opens. */
export type StreamingController = (req: HttpRequest) => Promise<HttpResult | StreamResult>;

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({ statusCode: 200, body, headers });
export const created = (body: unknown): HttpResult => ({ statusCode: 201, body });
export const noContent = (): HttpResult => ({ statusCode: 204 });
