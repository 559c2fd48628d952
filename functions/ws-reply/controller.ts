// The WebSocket API's replies, run apart from the route that received the frame (it answered at once,
// functions/websocket): `sendMessage` runs the reply, `resume` follows one from an event id on. Their
// frames go to the sender's connection through the Management API as they come, each reply frame
// (item.added, text.delta, item.done, and a failure's error) with its `eventId`, 1, 2, 3… within the
// reply, so a client that lost its connection resumes after the last one it saw. A refusal before
// any event is one error frame without an id. A connection that goes away stops the frames, not the
// reply: it runs to its end and is stored before this invocation ends. Both end before the function's
// timeout (the reply timeout): a reply then with its time-limit note, stored; a resume simply ends.
import type { ConnectionSender } from '../shared/adapters/connection-sender';
import type { ConnectionStore } from '../shared/adapters/connection-store';
import { openReply, type ReplyDeps } from '../shared/core/agent/reply';
import { followReply } from '../shared/core/agent/reply-control';
import type { NumberedEvent } from '../shared/core/agent/reply-log';
import { fromAuthorizerContext } from '../shared/core/principal';
import { replyDeadline } from '../shared/lambda/reply-deadline';
import { streamErrorEvent } from '../shared/lambda/wire-error';
import type { WsReplyJob } from '../shared/lambda/ws-reply-job';

export interface WsReplyDeps {
  /** The reply use case's dependencies; they hold the resume's (threads, replies, audit) too. */
  readonly reply: ReplyDeps;
  readonly sender: (domainName: string, stage: string) => ConnectionSender;
  readonly connections: Pick<ConnectionStore, 'remove'>;
}

/** Sends one frame; false once the connection is gone (its record is removed then). */
type Emit = (frame: Record<string, unknown>) => Promise<boolean>;

/** A reply's numbered events as frames; a failure is the last frame, numbered next. Stops when the client is gone. */
async function sendFrames(events: AsyncIterable<NumberedEvent>, emit: Emit, where: string): Promise<void> {
  let last = 0;
  try {
    for await (const { id, event } of events) {
      last = id;
      if (!(await emit({ ...event, eventId: id }))) return;
    }
  } catch (err) {
    await emit({ ...streamErrorEvent(err, where), eventId: last + 1 });
  }
}

export function wsReplyHandler(deps: WsReplyDeps) {
  return async (job: WsReplyJob, context?: { getRemainingTimeInMillis(): number }): Promise<void> => {
    const deadlineAt = replyDeadline({ remainingMs: context && (() => context.getRemainingTimeInMillis()) });
    const principal = fromAuthorizerContext(job.authorizer);
    // Only the WebSocket function invokes this, with the authorizer's context: anything else is a wiring fault.
    if (!principal) throw new Error('A WebSocket reply job without a principal');
    const sender = deps.sender(job.domainName, job.stage);
    let gone = false;
    const emit: Emit = async (frame) => {
      if (gone) return false;
      if (!(await sender.send(job.connectionId, frame))) {
        gone = true;
        await deps.connections.remove(job.connectionId); // the client left: clean up
      }
      return !gone;
    };
    const access = { principal, origin: job.origin };
    const { work } = job;
    const where = `websocket ${work.action}`;
    try {
      if (work.action === 'sendMessage') {
        const reply = await openReply(deps.reply, {
          access,
          target: { threadId: work.threadId },
          content: work.content,
          pageContext: work.pageContext,
          requestsDecision: work.requestsDecision,
          deadlineAt,
        });
        try {
          await sendFrames(reply.numbered, emit, where);
        } finally {
          await reply.settled; // the invocation ends only once the reply is stored, read to its end or not
        }
      } else {
        await sendFrames(await followReply(deps.reply, access, { threadId: work.threadId, itemId: work.itemId }, work.after, deadlineAt), emit, where);
      }
    } catch (err) {
      await emit({ ...streamErrorEvent(err, where) }); // refused before any event (or a fault sending one)
    }
  };
}
