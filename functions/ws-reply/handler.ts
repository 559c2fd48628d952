// Composition root for the WebSocket API's replies, invoked asynchronously by the WebSocket function only.
import { managementApiSender, managementEndpoint } from '../shared/adapters/connection-sender';
import { dynamoConnectionStore } from '../shared/adapters/connection-store';
import { replyWiring } from '../shared/lambda/reply-wiring';
import { replyModel } from '../shared/lambda/reply-model';
import { wiring } from '../shared/lambda/wiring';
import { wsReplyHandler } from './controller';

const senders = new Map<string, ReturnType<typeof managementApiSender>>();

export const handler = wsReplyHandler({
  reply: replyWiring.reply(replyModel()),
  sender: (domainName, stage) => {
    const endpoint = managementEndpoint(domainName, stage);
    let s = senders.get(endpoint);
    if (!s) senders.set(endpoint, (s = managementApiSender(endpoint)));
    return s;
  },
  connections: dynamoConnectionStore(wiring.client(), wiring.table().tableName, wiring.clock),
});
