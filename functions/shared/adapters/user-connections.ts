// Closes a user's open WebSocket connections from outside the WebSocket function (a sign-out):
// DeleteConnection through the Management API for each, and their slots freed at once rather than
// when $disconnect arrives, so the user's next handshake is admitted.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
import type { UserConnections } from '../core/sign-out';
import type { ConnectionSender } from './connection-sender';
import type { ConnectionStore } from './connection-store';

export function userConnections(store: Pick<ConnectionStore, 'ofUser' | 'remove'>, sender: ConnectionSender): UserConnections {
  return {
    async closeAll(userId) {
      const open = await store.ofUser(userId);
      await Promise.all(
        open.map(async ({ connectionId }) => {
          await sender.close(connectionId);
          await store.remove(connectionId);
        }),
      );
      return open.length;
    },
  };
}
