// What the WebSocket function (functions/websocket) hands its reply function (functions/ws-reply) for
// a frame whose answer may outlive API Gateway's 29 s route integration: `sendMessage` (run the
// reply) and `resume` (the reply's events after an id, then live until it ends). The job travels by
// an asynchronous Lambda invoke that only the WebSocket function's role may make (infra/stack.ts
// grants `lambda:InvokeFunction` on the reply function to that role alone), so the reply function
// trusts it as the WebSocket function trusts API Gateway's event: the principal is the $connect
// authorizer's context as API Gateway passed it, and `requestsDecision` the frame's count already made.
import type { RequestOrigin } from '../core/audit';
import type { RateDecision } from '../core/rate-limit';

export type WsReplyAction =
  | {
      readonly action: 'sendMessage';
      readonly threadId: string;
      /** As sent: the reply use case applies the content and page-context rules. */
      readonly content: unknown;
      readonly pageContext: unknown;
      /** The frame's `requests` decision (already counted), so the reply does not count it twice. */
      readonly requestsDecision: RateDecision;
    }
  | { readonly action: 'resume'; readonly threadId: string; readonly itemId: string; readonly after: number };

export interface WsReplyJob {
  /** Where the frames go: the sender's connection, on the API and stage it came through. */
  readonly connectionId: string;
  readonly domainName: string;
  readonly stage: string;
  /** `requestContext.authorizer` of the frame's event. */
  readonly authorizer: Record<string, unknown>;
  readonly origin: RequestOrigin;
  readonly work: WsReplyAction;
}
