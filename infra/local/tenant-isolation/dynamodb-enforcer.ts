// The enforcing DynamoDB endpoint: every request must carry a valid SigV4 signature by credentials
// the wall knows, and IAM (as evaluated here) must allow every action it implies; then it is
// re-signed with DynamoDB Local's credentials and forwarded, and the answer streams back as it came.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { checksFor, type DynamoCheck, type TableKeys } from './dynamodb-requests';
import { accessDenied, SIGNATURE_ERRORS, type DynamoError } from './dynamodb-errors';
import { requestContext } from './iam-conditions';
import { authorize, denialMessage } from './iam-evaluator';
import type { Principal, PrincipalRegistry } from './principals';
import { readBody } from './read-body';
import { NodeSha256, received, verifySigV4 } from './sigv4-verify';

export interface EnforcerDeps {
  readonly registry: PrincipalRegistry;
  readonly region: string;
  readonly accountId: string;
  readonly now: () => number;
  /** DynamoDB Local, e.g. `http://127.0.0.1:8000`. */
  readonly upstream: string;
}

/** DynamoDB Local accepts any credentials; these are the ones forwarded requests are signed with. */
const UPSTREAM_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const JSON_10 = 'application/x-amz-json-1.0';

/** The context IAM adds for the caller: its session tags, `aws:userid`, `aws:PrincipalArn`. */
function principalKeys(p: Principal): Record<string, string> {
  const keys: Record<string, string> = {
    'aws:userid': p.userId,
    'aws:PrincipalArn': p.roleArn,
    'aws:PrincipalAccount': p.roleArn.split(':')[4] ?? '',
    'aws:PrincipalType': 'AssumedRole',
  };
  for (const [k, v] of Object.entries(p.tags)) keys[`aws:PrincipalTag/${k}`] = v;
  return keys;
}

/** The first check IAM refuses, as DynamoDB's AccessDeniedException; undefined when all pass. */
function firstDenial(p: Principal, checks: readonly DynamoCheck[]): DynamoError | undefined {
  const base = principalKeys(p);
  for (const check of checks) {
    const req = { action: check.action, resource: check.resource, context: requestContext({ ...base, ...check.keys }) };
    const decision = authorize(p.policies, req);
    if (!decision.allowed) return accessDenied(denialMessage(p.principalArn, req, decision));
  }
  return undefined;
}

/** Key schemas, read once per table from DynamoDB Local itself. */
function tableKeysReader(upstream: string, region: string): (table: string) => Promise<TableKeys> {
  const client = new DynamoDBClient({ endpoint: upstream, region, credentials: UPSTREAM_CREDENTIALS, maxAttempts: 2 });
  const cache = new Map<string, Promise<TableKeys>>();
  const hashKey = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) => schema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
  return (table) => {
    let hit = cache.get(table);
    if (!hit) {
      hit = client.send(new DescribeTableCommand({ TableName: table })).then(
        ({ Table }) => ({
          partitionKey: hashKey(Table?.KeySchema),
          indexPartitionKeys: Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName ?? '', hashKey(g.KeySchema)])),
        }),
        (err: unknown) => {
          cache.delete(table); // a table that does not exist yet, or a database still starting, may answer later
          if ((err as Error).name === 'ResourceNotFoundException') return { partitionKey: '', indexPartitionKeys: {} };
          throw err;
        },
      );
      cache.set(table, hit);
    }
    return hit;
  };
}

async function forward(deps: EnforcerDeps, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const target = new URL(deps.upstream);
  const signer = new SignatureV4({ service: 'dynamodb', region: deps.region, credentials: UPSTREAM_CREDENTIALS, sha256: NodeSha256, applyChecksum: false });
  const signed = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: '/',
    query: {},
    headers: {
      host: target.host,
      'content-type': String(req.headers['content-type'] ?? JSON_10),
      'x-amz-target': String(req.headers['x-amz-target'] ?? ''),
      'content-length': String(body.length),
    },
    body,
  });
  await new Promise<void>((resolve) => {
    const up = httpRequest({ host: target.hostname, port: target.port, method: 'POST', path: '/', headers: signed.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => (req.socket.destroy(), resolve()));
    });
    // DynamoDB Local unreachable: a cut connection, as a stopped database looks to the SDK.
    up.on('error', () => (req.socket.destroy(), resolve()));
    up.end(body);
  });
}

/** The request handler of the enforcing DynamoDB endpoint. */
export function dynamoDbEnforcer(deps: EnforcerDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const keysOf = tableKeysReader(deps.upstream, deps.region);
  const refuse = (res: ServerResponse, e: DynamoError): void => {
    res.writeHead(e.status, { 'Content-Type': JSON_10 }).end(e.body);
  };
  return async (req, res) => {
    const body = await readBody(req);
    const verified = await verifySigV4(received(req, body), { service: 'dynamodb', region: deps.region, now: deps.now(), find: (k) => deps.registry.find(k) });
    if (!verified.ok) return refuse(res, SIGNATURE_ERRORS[verified.failure]);
    const op = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return refuse(res, { status: 400, body: JSON.stringify({ __type: 'com.amazon.coral.service#SerializationException', Message: 'Malformed JSON' }) });
    }
    let checks: DynamoCheck[];
    try {
      checks = await checksFor(op, parsed, { region: deps.region, accountId: deps.accountId, keysOf });
    } catch {
      // DynamoDB Local could not say what the table's keys are (it is down or restarting): a cut
      // connection, as the request would have met had it been forwarded.
      req.socket.destroy();
      return;
    }
    const denial = firstDenial(verified.principal, checks);
    if (denial) return refuse(res, denial);
    await forward(deps, req, body, res);
  };
}
