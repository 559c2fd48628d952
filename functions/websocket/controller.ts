// WebSocket routes: $connect/$disconnect keep the connection record; `ping` answers `pong`;
// `sendMessage` streams the agent's reply to the sender as item.added / text.delta / item.done frames;
// every failure is one `{"type":"error","code","message"}` frame (the shared wire-error mapping).
import * as z from 'zod';
import type { ConnectionSender } from '../shared/adapters/connection-sender';
import type { ConnectionStore } from '../shared/adapters/connection-store';
import type { RequestOrigin } from '../shared/core/audit';
import { PayloadTooLargeError, RateLimitedError, ValidationError } from '../shared/core/errors';
import { fromAuthorizerContext, type Principal } from '../shared/core/principal';
import type { RateDecision } from '../shared/core/rate-limit';
import { MAX_BODY_BYTES, MAX_STORED_HEADER_LENGTH } from '../shared/lambda/http-request';
import { idSchema } from '../shared/lambda/validation';
import { streamErrorEvent } from '../shared/lambda/wire-error';
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

/** One streamed frame, the same events as the SSE stream. */
export type ReplyFrame = Record<string, unknown> & { type: string };

/** Runs one agent turn for `principal`, emitting frames as they are produced. Throws domain errors. */
export type ChatTurn = (
  principal: Principal,
  origin: RequestOrigin,
  /** `content` and `pageContext` as sent: the reply use case applies the rules every transport shares. */
  input: { threadId: string; content: unknown; pageContext: unknown },
  /** This frame's `requests` decision (already counted), so the reply does not count it twice. */
  requestsDecision: RateDecision,
  emit: (frame: ReplyFrame) => Promise<void>,
) => Promise<void>;

export interface WebSocketDeps {
  readonly connections: ConnectionStore;
  readonly sender: (domainName: string, stage: string) => ConnectionSender;
  readonly chat: ChatTurn;
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
    const emit = async (frame: ReplyFrame) => {
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
      if (ctx.routeKey === 'ping') {
        await emit({ type: 'pong' });
        return { statusCode: 200 };
      }
      if (ctx.routeKey !== 'sendMessage') throw new ValidationError('Unknown action');
      const parsed = sendMessageSchema.safeParse(body);
      if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Invalid message');
      await deps.chat(
        principal,
        {
          ip: ctx.identity?.sourceIp ?? '',
          userAgent: truncateText(ctx.identity?.userAgent ?? '', MAX_STORED_HEADER_LENGTH),
          requestId: ctx.requestId ?? '',
        },
        { threadId: parsed.data.threadId, content: parsed.data.content, pageContext: parsed.data.pageContext },
        requestsDecision,
        emit,
      );
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
