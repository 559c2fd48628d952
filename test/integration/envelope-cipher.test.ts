// The envelope cipher over real parts: DynamoDB Local (a table of its own, so the KEK here is this
// file's) and the KMS stand-in through the real @aws-sdk/client-kms. Shows what each environment
// costs in KMS calls, that key material is cached within bounds, and that destroying a user's key
// shreds their content everywhere, also in an environment that had it cached (within its lifetime).
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeCipher } from '../../functions/shared/adapters/envelope-cipher';
import { kmsKeySource } from '../../functions/shared/adapters/kek-source';
import { createKmsClient } from '../../functions/shared/adapters/kms-client';
import { ContentUnreadableError } from '../../functions/shared/core/errors';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { startKmsStandIn, type KmsStandIn } from '../../infra/local/kms-stand-in';
import { localDb } from '../helpers/local-db';

let kms: KmsStandIn;
let tableName: string;
let doc: DynamoDBDocumentClient;
let raw: DynamoDBClient;

beforeAll(async () => {
  kms = await startKmsStandIn({ keyMaterial: Buffer.alloc(32, 7), keyId: randomUUID() });
  const endpoint = (await localDb().doc.config.endpoint!()) as { protocol: string; hostname: string; port?: number };
  raw = new DynamoDBClient({ endpoint: `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  doc = DynamoDBDocumentClient.from(raw);
  tableName = `cipher-${randomUUID()}`;
  await raw.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }, { AttributeName: 'SK', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
    }),
  );
});

afterAll(async () => {
  await raw?.send(new DeleteTableCommand({ TableName: tableName }));
  await kms?.stop();
});

function manualClock() {
  let t = Date.parse('2026-12-07T12:00:00Z');
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

/** One execution environment: its own caches, the shared table and KMS. */
function environment(opts: { clock?: ReturnType<typeof manualClock>; maxCachedUsers?: number } = {}) {
  const clock = opts.clock ?? manualClock();
  const keks = kmsKeySource({ kms: createKmsClient(kms.endpoint), keyId: kms.keyArn, client: doc, tableName, clock });
  return envelopeCipher({ clientFor: () => doc, tableName, keks, clock, ...(opts.maxCachedUsers ? { maxCachedUsers: opts.maxCachedUsers } : {}) });
}

const kmsCalls = () => ({ ...kms.calls });
const diff = (before: Record<string, number>) => Object.fromEntries(Object.entries(kms.calls).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));

describe('envelopeCipher', () => {
  it('T26: opens a value only for its user, record and field', async () => {
    // Prepare
    const env = environment();
    const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];
    const sealed = await env.forUser(alice).seal('THREAD#1', 'title', 'groceries');
    await env.forUser(bob).seal('THREAD#1', 'title', 'bob has a key too');
    // Act / Assess
    expect(await env.forUser(alice).open('THREAD#1', 'title', sealed)).toBe('groceries');
    await expect(env.forUser(alice).open('THREAD#2', 'title', sealed)).rejects.toBeInstanceOf(ContentUnreadableError);
    await expect(env.forUser(alice).open('THREAD#1', 'metadata', sealed)).rejects.toBeInstanceOf(ContentUnreadableError);
    await expect(env.forUser(bob).open('THREAD#1', 'title', sealed)).rejects.toBeInstanceOf(ContentUnreadableError);
    expect(Buffer.from(sealed).includes(Buffer.from('groceries'))).toBe(false);
  });

  it('calls KMS once per environment, not once per user: 50 users, 1,000 operations, two environments', async () => {
    // Prepare
    const users = Array.from({ length: 50 }, (_, i) => `user-${i}-${randomUUID()}`);
    const before = kmsCalls();
    // Act: environment one writes for everyone; environment two (cold) reads everything back
    const first = environment();
    const sealed = await Promise.all(users.flatMap((u) => Array.from({ length: 10 }, (_, i) => first.forUser(u).seal(`ITEM#${i}`, 'content', `${u} says ${i}`))));
    const afterFirst = diff(before);
    const second = environment();
    const opened = await Promise.all(users.flatMap((u, n) => Array.from({ length: 10 }, (_, i) => second.forUser(u).open(`ITEM#${i}`, 'content', sealed[n * 10 + i]!))));
    // Assess: each environment unwrapped the key-encryption key once (the table's KEK exists since the test above)
    expect(opened[0]).toBe(`${users[0]} says 0`);
    expect(afterFirst).toEqual({ Decrypt: 1 });
    expect(diff(before)).toEqual({ Decrypt: 2 });
  });

  it('keeps at most maxCachedUsers keys per environment', async () => {
    // Prepare
    const env = environment({ maxCachedUsers: 10 });
    // Act
    for (let i = 0; i < 30; i++) await env.forUser(`bounded-${i}-${randomUUID()}`).seal('TASK#1', 'title', 'x');
    // Assess
    expect(env.cachedUsers()).toBe(10);
  });

  it("T21: shreds: once the user's key is destroyed nothing of theirs opens, in a cold environment at once and in a warm one within the key lifetime", async () => {
    // Prepare: a warm environment that has alice's key cached
    const clock = manualClock();
    const warm = environment({ clock });
    const alice = `shred-${randomUUID()}`;
    const sealed = await warm.forUser(alice).seal('THREAD#1', 'title', 'private');
    const deleter = environment();
    // Act
    await deleter.destroyUserKey(alice);
    // Assess
    expect(await doc.send(new GetCommand({ TableName: tableName, Key: { PK: keys.userPk(tenantIdOf(alice)), SK: keys.userKeySk() } }))).not.toHaveProperty('Item');
    await expect(deleter.forUser(alice).open('THREAD#1', 'title', sealed)).rejects.toBeInstanceOf(ContentUnreadableError);
    await expect(environment().forUser(alice).open('THREAD#1', 'title', sealed)).rejects.toBeInstanceOf(ContentUnreadableError);
    expect(await warm.forUser(alice).open('THREAD#1', 'title', sealed)).toBe('private'); // still cached: at most 5 minutes
    clock.advance(300_000);
    await expect(warm.forUser(alice).open('THREAD#1', 'title', sealed)).rejects.toBeInstanceOf(ContentUnreadableError);
    // ...and the user can start again, under a new key
    const again = await deleter.forUser(alice).seal('THREAD#2', 'title', 'new start');
    expect(await environment().forUser(alice).open('THREAD#2', 'title', again)).toBe('new start');
  });

  it('treats content whose user key was wrapped under another KMS key as unreadable, and keeps a KEK per KMS key', async () => {
    // Prepare: a second KMS key sharing the table (two deployments, or two local stacks on one database)
    const other = await startKmsStandIn({ keyMaterial: Buffer.alloc(32, 9), keyId: randomUUID() });
    try {
      const clock = manualClock();
      const elsewhere = envelopeCipher({ clientFor: () => doc, tableName, clock, keks: kmsKeySource({ kms: createKmsClient(other.endpoint), keyId: other.keyArn, client: doc, tableName, clock }) });
      const carol = `carol-${randomUUID()}`;
      const sealed = await environment().forUser(carol).seal('TASK#1', 'title', 'under the first key');
      // Act / Assess: the other key's environment makes its own KEK, and cannot open carol's content
      expect(await elsewhere.forUser(`dave-${randomUUID()}`).seal('TASK#1', 'title', 'fine')).toBeInstanceOf(Uint8Array);
      await expect(elsewhere.forUser(carol).open('TASK#1', 'title', sealed)).rejects.toBeInstanceOf(ContentUnreadableError);
      const keks = (await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.keyringPk() } }))).Items!;
      expect(keks).toHaveLength(2);
    } finally {
      await other.stop();
    }
  });

  it('T27: is refused by KMS when the key-encryption key is asked for under another encryption context', async () => {
    // Prepare: the KEK row this file's table holds
    await environment().forUser(`ctx-${randomUUID()}`).seal('TASK#1', 'title', 'x');
    const kek = (await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.keyringPk() } }))).Items!.find(
      (row) => row.keyId === kms.keyArn,
    );
    const kekId = String(kek!.SK).slice('KEK#'.length);
    const client = createKmsClient(kms.endpoint) as KMSClient;
    // Act / Assess
    const right = await client.send(new DecryptCommand({ KeyId: kms.keyArn, CiphertextBlob: kek!.wrapped, EncryptionContext: { 'tg:purpose': 'threadguard-kek', 'tg:kek': kekId } }));
    expect(right.Plaintext).toHaveLength(32);
    await expect(
      client.send(new DecryptCommand({ KeyId: kms.keyArn, CiphertextBlob: kek!.wrapped, EncryptionContext: { 'tg:purpose': 'threadguard-kek', 'tg:kek': `${kekId}x` } })),
    ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    await expect(client.send(new DecryptCommand({ KeyId: kms.keyArn, CiphertextBlob: kek!.wrapped }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });
});
