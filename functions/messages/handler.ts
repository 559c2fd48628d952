// Composition root for POST /threads/{threadId}/messages (Lambda response streaming).
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { replyModel } from '../shared/lambda/reply-model';
import { contentWiring } from '../shared/lambda/content-wiring';
import { replyWiring } from '../shared/lambda/reply-wiring';
import { messageRoutes } from './controller';

export const handler = streamingHttpHandler(messageRoutes(replyWiring.reply(replyModel()), contentWiring.idempotency()), contentWiring.edge());
