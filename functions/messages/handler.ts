// Composition root for POST /threads/{threadId}/messages (Lambda response streaming).
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { replyModel } from '../shared/lambda/reply-model';
import { wiring } from '../shared/lambda/wiring';
import { messageRoutes } from './controller';

export const handler = streamingHttpHandler(messageRoutes(wiring.reply(replyModel()), wiring.idempotency()), wiring.edge());
