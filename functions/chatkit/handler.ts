// Composition root for POST /chatkit (Lambda response streaming).
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { replyModel } from '../shared/lambda/reply-model';
import { contentWiring } from '../shared/lambda/content-wiring';
import { chatKitRoutes } from './controller';

export const handler = streamingHttpHandler(chatKitRoutes({ threadDeps: await contentWiring.threadDeps(), reply: contentWiring.reply(replyModel()), idempotency: contentWiring.idempotency() }), contentWiring.edge());
