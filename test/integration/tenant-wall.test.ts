// THREATS T20: the second wall holds on its own. With one user's scoped credentials (the very ones
// the functions use, from the local STS), the local stack's enforcing DynamoDB endpoint refuses, as
// AWS would, every request that reaches another user's partition, a Scan, and batches or
// transactions mixing partitions; a deliberately wrong store (built for one user, addressing
// another's partition) gets AccessDeniedException. The product's own requests pass: the whole
// integration suite runs through this endpoint.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { TenantClients } from '../../functions/shared/adapters/tenant-clients';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { dynamoThreadStores } from '../../functions/shared/adapters/thread-store';
import { keys } from '../../functions/shared/core/keys';
import type { Principal } from '../../functions/shared/core/principal';
import { tenantCredentials } from '../../infra/local/tenant-isolation/tenant-credentials';
import type { TenantIsolationInfo } from '../../infra/local/tenant-isolation/tenant-isolation';
import { unreachableCipher } from '../helpers/content-cipher';
import { call, newThread, testUser, type TestUser } from '../helpers/threads';

const info = (): { tenantIsolation: TenantIsolationInfo; tables: { main: string } } =>
  JSON.parse(readFileSync(join(inject('dataDir'), 'local-stack.json'), 'utf8'));

const DENIED = { name: 'AccessDeniedException', $metadata: expect.objectContaining({ httpStatusCode: 400 }) };

describe('T20: IAM confines a user\'s credentials to their own partitions (local enforcing endpoint)', () => {
  let alice: TestUser;
  let bob: TestUser;
  let aliceId: string;
  let bobId: string;
  let aliceThread: string;
  let bobThread: string;
  let asAlice: DynamoDBDocumentClient;
  let tableName: string;

  beforeAll(async () => {
    alice = testUser('wall-alice');
    bob = testUser('wall-bob');
    aliceThread = await newThread(alice, 'alice only');
    bobThread = await newThread(bob, 'bob only');
    aliceId = (await call(alice, 'GET', '/me')).body.userId;
    bobId = (await call(bob, 'GET', '/me')).body.userId;
    const stack = info();
    tableName = stack.tables.main;
    const creds = await tenantCredentials(stack.tenantIsolation, aliceId);
    asAlice = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stack.tenantIsolation.dynamodbEndpoint, region: stack.tenantIsolation.region, credentials: { ...creds, expiration: new Date(creds.expiration) }, maxAttempts: 1 }),
    );
  });

  const key = (userId: string, threadId: string) => ({ PK: keys.userPk(tenantIdOf(userId)), SK: keys.threadSk(threadId) });

  it('lets alice\'s credentials read and write her own partition', async () => {
    const own = await asAlice.send(new GetCommand({ TableName: tableName, Key: key(aliceId, aliceThread) }));
    // Her thread's row (its title is sealed: the third wall; this one is about reaching it at all).
    expect(own.Item?.id).toBe(aliceThread);
    await asAlice.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: tableName, Item: { PK: keys.userPk(tenantIdOf(aliceId)), SK: 'WALL#probe', type: 'probe' } } }],
      }),
    );
  });

  it('refuses a read, a query and a write of bob\'s partition', async () => {
    await expect(asAlice.send(new GetCommand({ TableName: tableName, Key: key(bobId, bobThread) }))).rejects.toMatchObject(DENIED);
    await expect(
      asAlice.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.userPk(tenantIdOf(bobId)) } })),
    ).rejects.toMatchObject(DENIED);
    await expect(asAlice.send(new PutCommand({ TableName: tableName, Item: { ...key(bobId, bobThread), title: 'pwned' } }))).rejects.toMatchObject(DENIED);
    expect((await call(bob, 'GET', `/threads/${bobThread}`)).body.title).toBe('bob only');
  });

  it('refuses a Scan (no leading keys) and a key family that is not hers', async () => {
    await expect(asAlice.send(new ScanCommand({ TableName: tableName, Limit: 1 }))).rejects.toMatchObject(DENIED);
    await expect(asAlice.send(new GetCommand({ TableName: tableName, Key: { PK: keys.auditPk(aliceId), SK: 'x' } }))).rejects.toMatchObject(DENIED);
  });

  it('refuses a BatchGetItem and a BatchWriteItem mixing her partition with bob\'s', async () => {
    await expect(
      asAlice.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [key(aliceId, aliceThread), key(bobId, bobThread)] } } })),
    ).rejects.toMatchObject(DENIED);
    await expect(
      asAlice.send(
        new BatchWriteCommand({
          RequestItems: { [tableName]: [{ PutRequest: { Item: { PK: keys.userPk(tenantIdOf(aliceId)), SK: 'WALL#a' } } }, { DeleteRequest: { Key: key(bobId, bobThread) } }] },
        }),
      ),
    ).rejects.toMatchObject(DENIED);
  });

  it('refuses a TransactWriteItems mixing partitions, and writes none of it', async () => {
    const mine = { PK: keys.userPk(tenantIdOf(aliceId)), SK: 'WALL#mixed' };
    await expect(
      asAlice.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { ...mine, type: 'probe' } } },
            { Delete: { TableName: tableName, Key: key(bobId, bobThread) } },
          ],
        }),
      ),
    ).rejects.toMatchObject(DENIED);
    expect((await asAlice.send(new GetCommand({ TableName: tableName, Key: mine }))).Item).toBeUndefined();
    expect((await call(bob, 'GET', `/threads/${bobThread}`)).status).toBe(200);
  });

  it('stops a deliberately wrong store: built for bob, holding alice\'s credentials, it reads nothing of bob\'s', async () => {
    // The bug the wall exists for: a store that names another user's partition with the caller's client.
    const buggy: TenantClients = { shared: asAlice, forUser: () => asAlice, forTenant: () => asAlice };
    const bobPrincipal: Principal = { userId: bobId, roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null };
    const store = dynamoThreadStores({ clients: buggy, tableName }, unreachableCipher).threadStore(bobPrincipal);
    await expect(store.get(bobThread)).rejects.toMatchObject(DENIED);
    await expect(store.list(10, null)).rejects.toMatchObject(DENIED);
    await expect(store.delete(bobThread)).rejects.toMatchObject(DENIED);
    expect((await call(bob, 'GET', `/threads/${bobThread}`)).body.title).toBe('bob only');
  });

  it('prints the same scoped credentials through `npm run tenant-credentials`, refused outside the user\'s partition', async () => {
    const { spawnSync } = await import('node:child_process');
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/tenant-isolation/tenant-credentials-cli.ts', bobId], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, DATA_DIR: inject('dataDir'), NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    const creds = JSON.parse(out.stdout) as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    const stack = info();
    const asBob = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.tenantIsolation.dynamodbEndpoint, region: stack.tenantIsolation.region, credentials: { ...creds, expiration: new Date(creds.expiration) }, maxAttempts: 1 }));
    expect((await asBob.send(new GetCommand({ TableName: tableName, Key: key(bobId, bobThread) }))).Item?.id).toBe(bobThread);
    await expect(asBob.send(new GetCommand({ TableName: tableName, Key: key(aliceId, aliceThread) }))).rejects.toMatchObject(DENIED);
  });
});
