// Pushes frames to a WebSocket client through the API Gateway Management API (emulated locally).
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

export interface ConnectionSender {
  /** Resolves false when the connection is gone (the caller cleans up). */
  send(connectionId: string, frame: unknown): Promise<boolean>;
  /** Closes the connection from the server side; a connection already gone is not an error. */
  close(connectionId: string): Promise<void>;
}

const isGone = (err: unknown) => err instanceof GoneException || (err as Error)?.name === 'GoneException';

export function managementApiSender(endpoint: string): ConnectionSender {
  const local = process.env.DYNAMODB_ENDPOINT !== undefined; // the local stack sets both
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    ...(local ? { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return {
    async send(connectionId, frame) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify(frame) }));
        return true;
      } catch (err) {
        if (isGone(err)) return false;
        throw err;
      }
    },
    async close(connectionId) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (err) {
        if (!isGone(err)) throw err;
      }
    },
  };
}

/** Deployed: https://{domainName}/{stage}; locally the stack passes WS_MANAGEMENT_ENDPOINT. */
export function managementEndpoint(domainName: string, stage: string): string {
  return process.env.WS_MANAGEMENT_ENDPOINT ?? `https://${domainName}/${stage}`;
}
