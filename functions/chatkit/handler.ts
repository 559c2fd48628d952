// Composition root for POST /chatkit (Lambda response streaming).
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { replyModel } from '../shared/lambda/reply-model';
import { contentWiring } from '../shared/lambda/content-wiring';
import { replyWiring } from '../shared/lambda/reply-wiring';
import { chatKitRoutes } from './controller';

export const handler = streamingHttpHandler(chatKitRoutes({ threadDeps: await contentWiring.threadDeps(), reply: replyWiring.reply(replyModel()), idempotency: contentWiring.idempotency() }), contentWiring.edge());
