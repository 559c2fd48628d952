// WebSocket routes: $connect/$disconnect keep the connection record; `ping` answers `pong`;
// `cancel` stops a running reply and answers `reply.cancelled`. `sendMessage` (a reply) and `resume`
// (a reply's events after an id) may outlive the route integration's 29 s, so this function only
// checks and counts the frame and hands it to the reply function (functions/ws-reply), which posts
// the reply's frames; every answer here comes at once. Every failure is one
// `{"type":"error","code","message"}` frame (the shared wire-error mapping).
import * as z from 'zod';
import type { ConnectionSender } from '../shared/adapters/connection-sender';
import type { ConnectionStore } from '../shared/adapters/connection-store';
import type { ReplyProgress, ReplyRef } from '../shared/core/agent/reply-control';
import type { RequestOrigin } from '../shared/core/audit';
import { PayloadTooLargeError, RateLimitedError, ValidationError } from '../shared/core/errors';
import { fromAuthorizerContext, type Principal } from '../shared/core/principal';
import type { RateDecision } from '../shared/core/rate-limit';
import type { ThreadAccess } from '../shared/core/threads/audited-access';
import { MAX_BODY_BYTES, MAX_STORED_HEADER_LENGTH } from '../shared/lambda/http-request';
import { idSchema } from '../shared/lambda/validation';
import { streamErrorEvent } from '../shared/lambda/wire-error';
import type { WsReplyJob } from '../shared/lambda/ws-reply-job';
import { truncateText } from '../shared/core/text';

export interface WebSocketEvent {
  requestContext: {
    routeKey: string;
    connectionId: string;
    domainName: string;
    stage: string;
    requestId?: string;
    identity?: { sourceIp?: string; userAgent?: string };
    authorizer?: Record<string, unknown> | null;
  };
  body?: string | null;
}

/** One frame to the client. */
export type Frame = Record<string, unknown> & { type: string };

export interface WebSocketDeps {
  readonly connections: ConnectionStore;
  readonly sender: (domainName: string, stage: string) => ConnectionSender;
  /** Hands a reply (or a resume) to the reply function; resolves once it is queued, not when it ends. */
  readonly handOff: (job: WsReplyJob) => Promise<void>;
  /** Stops a running reply (core/agent/reply-control.ts `cancelReply`). Throws domain errors. */
  readonly cancel: (access: ThreadAccess, ref: ReplyRef) => Promise<ReplyProgress>;
  /** Whether the credential the connection was opened with still stands (core/session-validity.ts). */
  readonly stillValid: (principal: Principal) => Promise<boolean>;
  /** Counts one request in the principal's `requests` bucket; throws RateLimitedError over the limit. */
  readonly meter: (principal: Principal) => Promise<RateDecision>;
  /** Open connections per user (WS_MAX_CONNECTIONS_PER_USER); the next handshake gets 429. */
  readonly maxConnectionsPerUser: number;
}

/** A `sendMessage` frame; `content` and `pageContext` follow the rules of every transport (core/agent/reply-input.ts). */
const sendMessageSchema = z.object({
  action: z.literal('sendMessage'),
  threadId: idSchema,
  content: z.unknown(),
  /** An object, same rules as `X-Page-Context` (invalid → ignored). */
  pageContext: z.unknown().optional(),
});

/** The `eventId` of a reply's frames: 0 is before the first (the bounds of the SSE `Last-Event-ID`). */
const eventIdSchema = z.number().int().min(0).max(9_999_999);

/** A `resume` frame: the reply's frames after `after` (default 0: all of them), then live until it ends. */
const resumeSchema = z.object({ action: z.literal('resume'), threadId: idSchema, itemId: idSchema, after: eventIdSchema.optional() });

/** A `cancel` frame: stops the reply `itemId` of the thread. */
const cancelSchema = z.object({ action: z.literal('cancel'), threadId: idSchema, itemId: idSchema });

function parseFrame<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ValidationError(issue ? `${at}${issue.message}` : 'Invalid message');
  }
  return parsed.data;
}

export function websocketHandler(deps: WebSocketDeps) {
  return async (event: WebSocketEvent): Promise<{ statusCode: number }> => {
    const ctx = event.requestContext;
    const principal = fromAuthorizerContext(ctx.authorizer);
    if (!principal) return { statusCode: 401 }; // unreachable behind the $connect authorizer
    switch (ctx.routeKey) {
      case '$connect':
        // A handshake is a request: it counts, and over the limit or the connection cap it is refused.
        try {
          await deps.meter(principal);
        } catch (err) {
          if (err instanceof RateLimitedError) return { statusCode: 429 };
          throw err;
        }
        if (await deps.connections.add(ctx.connectionId, principal, deps.maxConnectionsPerUser)) return { statusCode: 200 };
        // Every slot held: those of connections whose credential has ended since (a sign-out, a
        // revoked key) are freed, and the handshake tries once more.
        if (!(await closeEnded(deps, principal.userId, deps.sender(ctx.domainName, ctx.stage)))) return { statusCode: 429 };
        return { statusCode: (await deps.connections.add(ctx.connectionId, principal, deps.maxConnectionsPerUser)) ? 200 : 429 };
      case '$disconnect':
        await deps.connections.remove(ctx.connectionId);
        return { statusCode: 200 };
    }
    const sender = deps.sender(ctx.domainName, ctx.stage);
    let gone = false;
    const emit = async (frame: Frame) => {
      if (gone) return;
      if (!(await sender.send(ctx.connectionId, frame))) {
        gone = true;
        await deps.connections.remove(ctx.connectionId); // the client left: clean up
      }
    };
    try {
      if (!(await deps.stillValid(principal))) {
        // Revoked, disabled or expired since $connect: say so once, then close; the client reconnects.
        await emit({ type: 'error', code: 'unauthorized', message: 'Credentials are no longer valid; reconnect' });
        await sender.close(ctx.connectionId);
        await deps.connections.remove(ctx.connectionId);
        return { statusCode: 200 };
      }
      // Every frame counts in `requests` (pings, bad and oversized ones too), as every REST request does.
      const requestsDecision = await deps.meter(principal);
      const raw = event.body ?? '';
      if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLargeError(); // the REST body cap: API Gateway allows larger frames, we do not
      const body = parseJson(raw);
      const origin: RequestOrigin = {
        ip: ctx.identity?.sourceIp ?? '',
        userAgent: truncateText(ctx.identity?.userAgent ?? '', MAX_STORED_HEADER_LENGTH),
        requestId: ctx.requestId ?? '',
      };
      // The job for the reply function: this connection, and the caller exactly as the authorizer passed it.
      const job = (work: WsReplyJob['work']): WsReplyJob => ({
        connectionId: ctx.connectionId,
        domainName: ctx.domainName,
        stage: ctx.stage,
        authorizer: ctx.authorizer ?? {},
        origin,
        work,
      });
      switch (ctx.routeKey) {
        case 'ping':
          await emit({ type: 'pong' });
          break;
        case 'sendMessage': {
          const { threadId, content, pageContext } = parseFrame(sendMessageSchema, body);
          await deps.handOff(job({ action: 'sendMessage', threadId, content, pageContext, requestsDecision }));
          break;
        }
        case 'resume': {
          const { threadId, itemId, after } = parseFrame(resumeSchema, body);
          await deps.handOff(job({ action: 'resume', threadId, itemId, after: after ?? 0 }));
          break;
        }
        case 'cancel': {
          const { threadId, itemId } = parseFrame(cancelSchema, body);
          const progress = await deps.cancel({ principal, origin }, { threadId, itemId });
          await emit({ type: 'reply.cancelled', threadId, itemId, status: progress.status, lastEventId: progress.lastEventId });
          break;
        }
        default:
          throw new ValidationError('Unknown action');
      }
    } catch (err) {
      await emit({ ...streamErrorEvent(err, `websocket ${ctx.routeKey}`) });
    }
    return { statusCode: 200 };
  };
}

/** Closes the user's connections whose credential no longer stands and frees their slots; whether any was. */
async function closeEnded(deps: WebSocketDeps, userId: string, sender: ConnectionSender): Promise<boolean> {
  const open = await deps.connections.ofUser(userId);
  const ended = await Promise.all(open.map(async (c) => (c.principal === null || !(await deps.stillValid(c.principal)) ? c.connectionId : null)));
  const gone = ended.filter((id): id is string => id !== null);
  await Promise.all(gone.map(async (id) => {
    await sender.close(id);
    await deps.connections.remove(id);
  }));
  return gone.length > 0;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError('Message is not valid JSON');
  }
}
