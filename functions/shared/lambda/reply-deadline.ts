// When a reply must end: the function's timeout (REPLY_TIMEOUT_SECONDS deployed, the same locally)
// less the edge's margin, so the reply stops, is stored and its stream ends with `item.done` before
// Lambda stops the function (which would leave nothing stored and the stream cut).
import { DEADLINE_MARGIN_MS } from './edge';
import type { HttpRequest } from './http-request';

export function replyDeadline(req: Pick<HttpRequest, 'remainingMs'>, now = Date.now()): number | undefined {
  const remaining = req.remainingMs?.();
  return remaining === undefined ? undefined : now + remaining - DEADLINE_MARGIN_MS;
}
