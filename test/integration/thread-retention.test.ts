// THREAD_RETENTION_DAYS over a local stack of its own (retention 1 day, its TTL emulation sweeping
// every second): GET /me shows the retention; every write of a thread moves the expiry its row
// carries (its items carry none, so none can go first); a thread past its expiry is gone for its
// owner at once, and the TTL removal takes its items with it while a thread written since stays.
// The local stack has no controllable clock: "a day later" is the row's expiry moved into the past.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { keys } from '../../functions/shared/core/keys';
import { mintDevToken, readDevIssuer } from '../../infra/local/dev-issuer';
import { api } from '../helpers/http';
import { localDb } from '../helpers/local-db';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

const DAY = 86_400;
let stack: StackProcess;

beforeAll(async () => {
  stack = await startStackProcess({ THREAD_RETENTION_DAYS: '1', LOCAL_TTL_SWEEP_SECONDS: '1' });
});
afterAll(() => stack.stop());

function user(name: string) {
  const sub = `${name}-${Math.random().toString(36).slice(2, 10)}`;
  const token = mintDevToken(stack.dataDir, sub);
  const userId = userIdFor(readDevIssuer(stack.dataDir).issuer, sub);
  return { token, PK: keys.userPk(tenantIdOf(userId)), call: (method: string, path: string, body?: unknown) => api(stack.baseUrl, method, path, { token, body }) };
}

const rows = async (PK: string, prefix: string) => {
  const { doc, tableName } = localDb(stack.dataDir);
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const res = await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': PK, ':p': prefix }, ConsistentRead: true }));
  return res.Items ?? [];
};
const threadRow = async (PK: string, id: string) => (await rows(PK, keys.threadSk(id)))[0];
const seconds = (iso: unknown) => Math.floor(Date.parse(String(iso)) / 1000);

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('thread retention (THREAD_RETENTION_DAYS)', () => {
  it('shows the retention in force on GET /me', async () => {
    const res = await user('shown').call('GET', '/me');
    expect(res.status).toBe(200);
    expect(res.body.retentionDays).toBe(1);
  });

  it('moves the thread row\'s expiry with every write of the thread; its items carry none', async () => {
    // Prepare
    const alice = user('mover');
    const id = (await alice.call('POST', '/threads', { title: 'kept while used' })).body.id as string;
    const created = await threadRow(alice.PK, id);
    // Act: a message (an exchange) and a rename, each a write of the thread
    expect((await alice.call('POST', `/threads/${id}/messages`, { content: 'hello' })).status).toBe(201);
    const afterMessage = await threadRow(alice.PK, id);
    await new Promise((r) => setTimeout(r, 1100)); // the next write lands in a later second
    expect((await alice.call('PATCH', `/threads/${id}`, { title: 'renamed' })).status).toBe(200);
    const afterRename = await threadRow(alice.PK, id);
    // Assess
    expect(created!.expiresAt).toBe(seconds(created!.updatedAt) + DAY);
    expect(afterMessage!.expiresAt).toBe(seconds(afterMessage!.updatedAt) + DAY);
    expect(afterRename!.expiresAt).toBe(seconds(afterRename!.updatedAt) + DAY);
    expect(afterRename!.expiresAt as number).toBeGreaterThan(created!.expiresAt as number);
    const items = await rows(alice.PK, keys.itemSkPrefix(id));
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((i) => i.expiresAt === undefined)).toBe(true);
  });

  it('T31: hides a thread past its expiry at once, then removes it with all its items; a thread written since stays', async () => {
    // Prepare: two threads with an exchange each; the first was last written "over a day ago"
    const bob = user('forgetter');
    const old = (await bob.call('POST', '/threads', { title: 'old news' })).body.id as string;
    const fresh = (await bob.call('POST', '/threads', { title: 'still talking' })).body.id as string;
    for (const id of [old, fresh]) expect((await bob.call('POST', `/threads/${id}/messages`, { content: 'remember this' })).status).toBe(201);
    expect((await rows(bob.PK, keys.itemSkPrefix(old))).length).toBeGreaterThanOrEqual(2);
    const { doc, tableName } = localDb(stack.dataDir);
    // Act
    await doc.send(new UpdateCommand({ TableName: tableName, Key: { PK: bob.PK, SK: keys.threadSk(old) }, UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 60 } }));
    // Assess: gone for bob at once (hidden until the sweep, absent after), whichever comes first
    expect((await bob.call('GET', `/threads/${old}`)).status).toBe(403);
    expect((await bob.call('GET', `/threads/${old}/items`)).status).toBe(403);
    expect((await bob.call('POST', `/threads/${old}/messages`, { content: 'too late' })).status).toBe(403);
    expect((await bob.call('GET', '/threads')).body.data.map((t: { id: string }) => t.id)).toEqual([fresh]);
    // ...then the row and every item leave the table; the other thread keeps its items
    expect(await eventually(async () => (await threadRow(bob.PK, old)) === undefined && (await rows(bob.PK, keys.itemSkPrefix(old))).length === 0)).toBe(true);
    expect((await rows(bob.PK, keys.itemSkPrefix(fresh))).length).toBeGreaterThanOrEqual(2);
    expect((await bob.call('GET', `/threads/${fresh}/items`)).body.data.length).toBeGreaterThanOrEqual(2);
  });
});
