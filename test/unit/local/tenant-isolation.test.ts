// THREATS T20: The local IAM wall with the real SDK clients: credentials from the local STS, requests through the
// enforcing endpoint to a real DynamoDB Local.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdOf } from '../../../functions/shared/adapters/tenant-id';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../infra/local/dynamodb-local';
import { freePort } from '../../../infra/local/stack';
import { ensureTables } from '../../../infra/local/tables';
import type { PolicyDocument } from '../../../infra/local/tenant-isolation/iam-evaluator';
import type { TenantIsolationConfig } from '../../../infra/local/tenant-isolation/principals';
import { startTenantIsolation, type TenantIsolation, type TenantIsolationInfo } from '../../../infra/local/tenant-isolation/tenant-isolation';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/threads-fn`;
const OTHER_EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/webhook-fn`;
const TENANT_ROLE = `arn:aws:iam::${ACCOUNT}:role/tenant-data`;
const EXEC = { accessKeyId: 'AKIALOCALTHREADSFN1', secretAccessKey: 'threads-secret' };
const OTHER_EXEC = { accessKeyId: 'AKIALOCALWEBHOOKFN1', secretAccessKey: 'webhook-secret' };

let ddb: DynamoDbLocal;
let wall: TenantIsolation;
let table: string;
let dataDir: string;
/** How far the wall's clock runs ahead of the real one (to reach a session's expiry without waiting). */
let clockAhead = 0;
let admin: DynamoDBDocumentClient;

const tenantPolicy = (tableArn: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'],
      Resource: [tableArn, `${tableArn}/index/*`],
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['T#${aws:PrincipalTag/tenant}'] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
  ],
});

const alice = tenantIdOf('auth0|alice#1');
const bob = tenantIdOf('auth0|bob#2');
const pk = (tenant: string) => `T#${tenant}`;

const docClient = (credentials: DynamoDBClientConfig['credentials']) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: wall.dynamodbEndpoint, region: REGION, credentials, maxAttempts: 1 }));

const sts = (credentials = EXEC) => new STSClient({ endpoint: wall.stsEndpoint, region: REGION, credentials, maxAttempts: 1 });

async function assume(tenant: string, extra: Partial<AssumeRoleCommandInput> = {}) {
  const { Credentials } = await sts().send(
    new AssumeRoleCommand({ RoleArn: TENANT_ROLE, RoleSessionName: `tenant-${tenant}`, Tags: [{ Key: 'tenant', Value: tenant }], ...extra }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
    expiration: Credentials!.Expiration!,
  };
}

/** The error the SDK raised (name and message), or 'ok'. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tg-iam-'));
  ddb = await startDynamoDbLocal({ dataDir, port: await freePort() });
  const adminClient = new DynamoDBClient({ endpoint: ddb.endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  table = (await ensureTables(adminClient)).main;
  admin = DynamoDBDocumentClient.from(adminClient);
  const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`;
  const config: TenantIsolationConfig = {
    region: REGION,
    accountId: ACCOUNT,
    principals: [
      { ...EXEC, roleArn: EXEC_ROLE, policies: [], sessionName: 'threads' },
      { ...OTHER_EXEC, roleArn: OTHER_EXEC_ROLE, policies: [], sessionName: 'webhook' },
    ],
    roles: { [TENANT_ROLE]: { policies: [tenantPolicy(tableArn)], trustedBy: [EXEC_ROLE] } },
  };
  wall = await startTenantIsolation({ dynamoDbLocalEndpoint: ddb.endpoint, config, now: () => Date.now() + clockAhead });
  for (const t of [alice, bob]) {
    await admin.send(new PutCommand({ TableName: table, Item: { PK: pk(t), SK: 'PROFILE', name: t === alice ? 'alice' : 'bob' } }));
  }
}, 90_000);

afterAll(async () => {
  await wall?.close();
  await ddb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local IAM wall (STS + enforcing DynamoDB endpoint)', () => {
  it('lets tenant credentials do every store operation on their own partition', async () => {
    // Prepare
    const db = docClient(await assume(alice));
    const own = { TableName: table, Key: { PK: pk(alice), SK: 'PROFILE' } };
    // Act
    const got = await db.send(new GetCommand(own));
    await db.send(new PutCommand({ TableName: table, Item: { PK: pk(alice), SK: 'THREAD#1', title: 't' } }));
    await db.send(new UpdateCommand({ ...own, UpdateExpression: 'SET #n = :n', ExpressionAttributeNames: { '#n': 'name' }, ExpressionAttributeValues: { ':n': 'Alice' } }));
    const queried = await db.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: '#pk = :pk AND begins_with(SK, :p)', ExpressionAttributeNames: { '#pk': 'PK' }, ExpressionAttributeValues: { ':pk': pk(alice), ':p': 'THREAD#' } }),
    );
    const batch = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [own.Key, { PK: pk(alice), SK: 'THREAD#1' }] } } }));
    await db.send(new BatchWriteCommand({ RequestItems: { [table]: [{ PutRequest: { Item: { PK: pk(alice), SK: 'THREAD#2' } } }, { DeleteRequest: { Key: { PK: pk(alice), SK: 'THREAD#9' } } }] } }));
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: { PK: pk(alice), SK: 'THREAD#3' } } },
          { ConditionCheck: { TableName: table, Key: own.Key, ConditionExpression: 'attribute_exists(PK)' } },
        ],
      }),
    );
    await db.send(new DeleteCommand({ TableName: table, Key: { PK: pk(alice), SK: 'THREAD#3' } }));
    // Assess
    expect(got.Item?.name).toBe('alice');
    expect(queried.Items?.map((i) => i.SK)).toEqual(['THREAD#1']);
    expect(batch.Responses?.[table]).toHaveLength(2);
    expect((await admin.send(new GetCommand(own))).Item?.name).toBe('Alice');
  });

  it("denies another tenant's partition with DynamoDB's AccessDeniedException, worded as AWS words it", async () => {
    // Prepare
    const creds = await assume(alice);
    const db = docClient(creds);
    // Act
    const err = await db.send(new GetCommand({ TableName: table, Key: { PK: pk(bob), SK: 'PROFILE' } })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    // Assess
    expect(err).toBeInstanceOf(Error);
    const e = err as Error & { $metadata: { httpStatusCode: number } };
    expect([e.name, e.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 400]);
    expect(e.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/tenant-data/tenant-${alice} is not authorized to perform: dynamodb:GetItem ` +
        `on resource: arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table} because no identity-based policy allows the dynamodb:GetItem action`,
    );
  });

  it('denies every way of reaching another partition, and nothing is written', async () => {
    // Prepare
    const db = docClient(await assume(alice));
    const bobKey = { PK: pk(bob), SK: 'PROFILE' };
    // Act
    const results = {
      query: await outcome(db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk(bob) } }))),
      legacyQuery: await outcome(db.send(new QueryCommand({ TableName: table, KeyConditions: { PK: { ComparisonOperator: 'EQ', AttributeValueList: [pk(bob)] } } }))),
      scan: await outcome(db.send(new ScanCommand({ TableName: table }))),
      put: await outcome(db.send(new PutCommand({ TableName: table, Item: { PK: pk(bob), SK: 'EVIL' } }))),
      update: await outcome(db.send(new UpdateCommand({ TableName: table, Key: bobKey, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': 1 } }))),
      delete: await outcome(db.send(new DeleteCommand({ TableName: table, Key: bobKey }))),
      batchGetMixed: await outcome(db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [{ PK: pk(alice), SK: 'PROFILE' }, bobKey] } } }))),
      batchWriteMixed: await outcome(
        db.send(new BatchWriteCommand({ RequestItems: { [table]: [{ PutRequest: { Item: { PK: pk(alice), SK: 'B1' } } }, { PutRequest: { Item: { PK: pk(bob), SK: 'EVIL' } } }] } })),
      ),
      transactMixed: await outcome(
        db.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: { TableName: table, Item: { PK: pk(alice), SK: 'T1' } } }, { Put: { TableName: table, Item: { PK: pk(bob), SK: 'EVIL' } } }],
          }),
        ),
      ),
      transactConditionCheck: await outcome(
        db.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: { TableName: table, Item: { PK: pk(alice), SK: 'T2' } } }, { ConditionCheck: { TableName: table, Key: bobKey, ConditionExpression: 'attribute_exists(PK)' } }],
          }),
        ),
      ),
    };
    // Assess
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, 'AccessDeniedException'])));
    expect((await admin.send(new GetCommand({ TableName: table, Key: { PK: pk(bob), SK: 'EVIL' } }))).Item).toBeUndefined();
    expect((await admin.send(new GetCommand({ TableName: table, Key: { PK: pk(alice), SK: 'T1' } }))).Item).toBeUndefined();
    expect((await admin.send(new GetCommand({ TableName: table, Key: { PK: pk(bob), SK: 'PROFILE' } }))).Item?.name).toBe('bob');
  });

  it("gives a function's own execution credentials no access to user partitions", async () => {
    const db = docClient(EXEC);
    expect(await outcome(db.send(new GetCommand({ TableName: table, Key: { PK: pk(alice), SK: 'PROFILE' } })))).toBe('AccessDeniedException');
  });

  it('narrows further with a session policy', async () => {
    // Prepare: the session may only read, although the role may write
    const readOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] });
    const db = docClient(await assume(alice, { Policy: readOnly }));
    // Act
    const read = await outcome(db.send(new GetCommand({ TableName: table, Key: { PK: pk(alice), SK: 'PROFILE' } })));
    const write = await db.send(new PutCommand({ TableName: table, Item: { PK: pk(alice), SK: 'X' } })).catch((e: Error) => e);
    const foreign = await outcome(db.send(new GetCommand({ TableName: table, Key: { PK: pk(bob), SK: 'PROFILE' } })));
    // Assess
    expect(read).toBe('ok');
    expect((write as Error).name).toBe('AccessDeniedException');
    expect((write as Error).message).toMatch(/because no session policy allows the dynamodb:PutItem action$/);
    expect(foreign).toBe('AccessDeniedException');
  });

  it('answers unknown keys, bad signatures, wrong tokens and expired sessions with DynamoDB errors', async () => {
    // Prepare
    const creds = await assume(alice);
    const key = { TableName: table, Key: { PK: pk(alice), SK: 'PROFILE' } };
    // Act
    const unknown = await outcome(docClient({ accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' }).send(new GetCommand(key)));
    const badSecret = await outcome(docClient({ ...creds, secretAccessKey: 'wrong' }).send(new GetCommand(key)));
    const badToken = await outcome(docClient({ ...creds, sessionToken: 'forged' }).send(new GetCommand(key)));
    const noToken = await outcome(docClient({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }).send(new GetCommand(key)));
    clockAhead = creds.expiration.getTime() + 1000 - Date.now();
    const expired = await outcome(docClient(creds).send(new GetCommand(key)));
    clockAhead = 0;
    // Assess
    expect({ unknown, badSecret, badToken, noToken, expired }).toEqual({
      unknown: 'UnrecognizedClientException',
      badSecret: 'InvalidSignatureException',
      badToken: 'UnrecognizedClientException',
      noToken: 'UnrecognizedClientException',
      expired: 'ExpiredTokenException',
    });
  });

  it('answers with the exact DynamoDB error body, status 400', async () => {
    const res = await fetch(wall.dynamodbEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem', 'x-amz-date': '20260101T000000Z', authorization: `AWS4-HMAC-SHA256 Credential=AKIANOBODY/20260101/${REGION}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}` },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
  });
});

describe('the local STS', () => {
  it.each([
    ['a tag value with |', [{ Key: 'tenant', Value: 'auth0|alice' }], 'ValidationError'],
    ['a tag value with #', [{ Key: 'tenant', Value: 'USER#alice' }], 'ValidationError'],
    ['a tag value longer than 256 characters', [{ Key: 'tenant', Value: 'a'.repeat(257) }], 'ValidationError'],
    ['a one-character session name', undefined, 'ValidationError', 's'],
    ['duplicate tag keys (case-insensitive)', [{ Key: 'tenant', Value: 'a' }, { Key: 'Tenant', Value: 'b' }], 'InvalidParameterValue'],
  ])('refuses %s', async (_, Tags, code, RoleSessionName = 's1') => {
    const err = await sts().send(new AssumeRoleCommand({ RoleArn: TENANT_ROLE, RoleSessionName, Tags })).catch((e: Error & { $metadata: { httpStatusCode: number } }) => e);
    expect([(err as Error).name, (err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode]).toEqual([code, 400]);
  });

  it('accepts every character the tag rules allow', async () => {
    const creds = await assume(alice, { Tags: [{ Key: 'tenant', Value: alice }, { Key: 'note', Value: 'Ab 9_.:/=+-@ é' }] });
    expect(creds.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
  });

  it('issues short-lived credentials with the requested duration', async () => {
    const before = Date.now();
    const creds = await assume(alice, { DurationSeconds: 900 });
    expect(creds.expiration.getTime() - before).toBeGreaterThan(899_000);
    expect(creds.expiration.getTime() - before).toBeLessThanOrEqual(900_000);
    const tooLong = await sts().send(new AssumeRoleCommand({ RoleArn: TENANT_ROLE, RoleSessionName: 's2', DurationSeconds: 7200 })).catch((e: Error) => e);
    expect([(tooLong as Error).name, (tooLong as Error).message]).toEqual(['ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.']);
  });

  it.each([
    ['an unknown role', EXEC, `arn:aws:iam::${ACCOUNT}:role/nope`, 'AccessDenied'],
    ['a caller the role does not trust', OTHER_EXEC, TENANT_ROLE, 'AccessDenied'],
    ['an unknown caller key', { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' }, TENANT_ROLE, 'InvalidClientTokenId'],
    ['a bad caller signature', { ...EXEC, secretAccessKey: 'wrong' }, TENANT_ROLE, 'SignatureDoesNotMatch'],
  ])('refuses %s', async (_, caller, RoleArn, code) => {
    expect(await outcome(sts(caller).send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 's1' })))).toBe(code);
  });

  it('refuses a session policy that is not JSON', async () => {
    expect(await outcome(sts().send(new AssumeRoleCommand({ RoleArn: TENANT_ROLE, RoleSessionName: 's1', Policy: '{not json' })))).toBe('MalformedPolicyDocumentException');
  });

  it('lets a tenant session not chain into another role (it is not trusted)', async () => {
    const creds = await assume(alice);
    expect(await outcome(sts(creds as typeof EXEC).send(new AssumeRoleCommand({ RoleArn: TENANT_ROLE, RoleSessionName: 's1', Tags: [{ Key: 'tenant', Value: bob }] })))).toBe('AccessDenied');
  });
});

describe('npm run tenant-credentials', () => {
  it('prints credentials that reach only that user\'s partition', async () => {
    // Prepare
    const cliDir = join(dataDir, 'cli');
    mkdirSync(cliDir, { recursive: true });
    const info: TenantIsolationInfo = { stsEndpoint: wall.stsEndpoint, dynamodbEndpoint: wall.dynamodbEndpoint, tenantRoleArn: TENANT_ROLE, caller: EXEC, region: REGION };
    writeFileSync(join(cliDir, 'local-stack.json'), JSON.stringify({ tenantIsolation: info }));
    // Act
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'infra/local/tenant-isolation/tenant-credentials-cli.ts', 'auth0|alice#1'], { env: { ...process.env, DATA_DIR: cliDir } });
    // Assess
    const creds = JSON.parse(stdout) as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    expect(Object.keys(creds).sort()).toEqual(['accessKeyId', 'expiration', 'secretAccessKey', 'sessionToken']);
    const db = docClient({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken });
    expect(await outcome(db.send(new GetCommand({ TableName: table, Key: { PK: pk(alice), SK: 'PROFILE' } })))).toBe('ok');
    expect(await outcome(db.send(new GetCommand({ TableName: table, Key: { PK: pk(bob), SK: 'PROFILE' } })))).toBe('AccessDeniedException');
  }, 30_000);
});

describe('when DynamoDB Local is down', () => {
  it('cuts the connection, as a stopped database looks to the SDK, instead of answering 500', async () => {
    // Prepare
    const db = docClient(await assume(alice));
    await ddb.stop();
    // Act
    const known = await db.send(new GetCommand({ TableName: table, Key: { PK: pk(alice), SK: 'PROFILE' } })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    const unknownTable = await db.send(new GetCommand({ TableName: 'never-described', Key: { PK: pk(alice) } })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    // Assess: no HTTP status at all, the SDK saw the socket close
    for (const err of [known, unknownTable]) {
      expect(err).toBeInstanceOf(Error);
      expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
    }
  });
});
