// The composition of what runs, resumes and stops replies (messages, chatkit, websocket, ws-reply):
// the reply logs and the reply use case's dependencies, apart from content-wiring.ts so the content
// functions that never reply (threads, tasks, admin, export, me, webhook) do not bundle them.
import { dynamoReplyLogs } from '../adapters/reply-log-store';
import type { StreamingChatModel } from '../core/agent/model-port';
import type { ReplyDeps } from '../core/agent/reply';
import type { ReplyControlDeps } from '../core/agent/reply-control';
import { systemClock } from '../core/ports';
import { contentWiring } from './content-wiring';
import { toErrorResponse } from './error-map';
import { logger } from './logger';
import { once, wiring } from './wiring';

const replyLogs = once(() => dynamoReplyLogs(contentWiring.store(), contentWiring.cipher(), systemClock));

export const replyWiring = {
  /** The reply use case's dependencies around a model (reply-model.ts, loaded only by the functions that reply). */
  reply: (model: StreamingChatModel): ReplyDeps => ({
    threads: contentWiring.threadStores().threadStore,
    tasks: contentWiring.taskStores(),
    model,
    audit: wiring.audit(),
    clock: systemClock,
    ids: wiring.ids(),
    limiter: wiring.limiter(),
    budget: wiring.budget(),
    replies: replyLogs(),
    // The kept error event is the one the live stream showed (wire-error.ts), without logging the fault twice.
    errorEvent: (err) => {
      const { body } = toErrorResponse(err);
      return { type: 'error', code: body.error.code, message: body.error.message };
    },
    onLogFault: (err) => logger.warn('a reply log write failed; the reply goes on', { error: err as Error }),
  }),
  /** Resume and cancel without a model (the WebSocket function's `cancel`). */
  replyControl: (): ReplyControlDeps => ({ threads: contentWiring.threadStores().threadStore, replies: replyLogs(), audit: wiring.audit() }),
};
