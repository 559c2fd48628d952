// Starts the local IAM wall: a local STS and an enforcing DynamoDB endpoint in front of DynamoDB
// Local, both on 127.0.0.1, sharing one registry of the credentials they know.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dynamoDbEnforcer } from './dynamodb-enforcer';
import { PrincipalRegistry, type TenantIsolationConfig } from './principals';
import { stsHandler } from './sts-server';

export interface TenantIsolation {
  readonly stsEndpoint: string;
  readonly dynamodbEndpoint: string;
  close(): Promise<void>;
}

/** What `local-stack.json` records under `tenantIsolation`, for tools such as `npm run tenant-credentials`. */
export interface TenantIsolationInfo {
  readonly stsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The role the functions assume per user. */
  readonly tenantRoleArn: string;
  /** Credentials of an execution role the tenant role trusts (local, throwaway). */
  readonly caller: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>, port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    handler(req, res).catch(() => {
      // Never a stack trace: the AWS services answer an internal failure with 500 and a generic body.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazon.coral.service#InternalFailure', message: 'The request processing has failed because of an unknown error.' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

const endpointOf = (s: Server) => {
  const a = s.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
};

const closeServer = (s: Server) =>
  new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });

/**
 * @param dynamoDbLocalEndpoint - where DynamoDB Local listens; only the wall talks to it
 * @param config - principals, roles and their policy documents
 * @param now - the clock sessions expire by @default Date.now
 * @param ports - fixed ports, e.g. for `npm start` @default free ports
 */
export async function startTenantIsolation(opts: {
  dynamoDbLocalEndpoint: string;
  config: TenantIsolationConfig;
  now?: () => number;
  ports?: { sts?: number; dynamodb?: number };
}): Promise<TenantIsolation> {
  const region = opts.config.region ?? 'us-east-1';
  const accountId = opts.config.accountId ?? '000000000000';
  const now = opts.now ?? Date.now;
  const registry = new PrincipalRegistry(opts.config.principals);
  const sts = await listen(stsHandler({ registry, roles: opts.config.roles, region, now }), opts.ports?.sts);
  const dynamodb = await listen(dynamoDbEnforcer({ registry, region, accountId, now, upstream: opts.dynamoDbLocalEndpoint }), opts.ports?.dynamodb);
  return {
    stsEndpoint: endpointOf(sts),
    dynamodbEndpoint: endpointOf(dynamodb),
    close: async () => {
      await Promise.all([closeServer(sts), closeServer(dynamodb)]);
    },
  };
}
