// Composition root for POST /chatkit (Lambda response streaming).
import { streamingHttpHandler } from '../shared/lambda/streaming-handler';
import { replyModel } from '../shared/lambda/reply-model';
import { wiring } from '../shared/lambda/wiring';
import { chatKitRoutes } from './controller';

export const handler = streamingHttpHandler(chatKitRoutes({ threadDeps: await wiring.threadDeps(), reply: wiring.reply(replyModel()), idempotency: wiring.idempotency() }), wiring.edge());
