// THREATS T13: concurrent posts lose nothing and keep each message next to its reply; deleting a
// thread removes every item (checked in DynamoDB Local directly); a post racing a delete leaves no
// orphan; a delete interrupted after its mark is hidden and finished by a repeated DELETE.
import { BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { itemRows, localDb } from '../helpers/local-db';
import { call, newThread, testUser, THREAD_FORBIDDEN, type TestUser } from '../helpers/threads';

async function allItems(user: TestUser, threadId: string) {
  const out: Array<{ id: string; type: string; content: string }> = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { data: typeof out; nextCursor: string | null } } = await call(user, 'GET', `/threads/${threadId}/items?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

/** Writes `n` items straight into the thread's key range (a long history without n agent calls). */
async function seedItems(user: TestUser, threadId: string, n: number) {
  const { doc, tableName } = localDb();
  const rows = Array.from({ length: n }, (_, i) => {
    const id = `01SEED${String(i).padStart(20, '0')}`;
    return { PK: keys.userPk(tenantIdOf(user.userId)), SK: keys.itemSk(threadId, id), type: 'item', id, threadId, itemType: 'notice', content: `seed ${i}`, createdAt: new Date().toISOString() };
  });
  for (let i = 0; i < rows.length; i += 25) {
    await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

const threadRow = async (user: TestUser, threadId: string) => {
  const { doc, tableName } = localDb();
  return (await doc.send(new GetCommand({ TableName: tableName, Key: { PK: keys.userPk(tenantIdOf(user.userId)), SK: keys.threadSk(threadId) }, ConsistentRead: true }))).Item;
};

describe('T13: whole writes', () => {
  it('stores all of 10 concurrent posts, each message directly followed by its own reply', async () => {
    const alice = testUser('alice');
    const id = await newThread(alice);
    const contents = Array.from({ length: 10 }, (_, i) => `add a task to water plant ${i}`);
    const results = await Promise.all(contents.map((content) => call(alice, 'POST', `/threads/${id}/messages`, { content })));
    for (const r of results) expect(r.status).toBe(201);

    const items = await allItems(alice, id);
    expect(items).toHaveLength(20);
    expect(new Set(items.map((i) => i.id)).size).toBe(20);
    expect(items.map((i) => i.id)).toEqual([...items.map((i) => i.id)].sort());
    expect(items.filter((i) => i.type === 'user_message').map((i) => i.content).sort()).toEqual([...contents].sort());
    for (let i = 0; i < items.length; i += 2) {
      expect(items[i]!.type).toBe('user_message');
      expect(items[i + 1]!.type).toBe('assistant_message');
      const plant = /plant (\d)/.exec(items[i]!.content)![1];
      expect(items[i + 1]!.content).toContain(`plant ${plant}`);
    }
    const tasks = (await call(alice, 'GET', '/tasks')).body.data;
    expect(tasks).toHaveLength(10);
  });

  it('deletes a thread with 250 items and leaves no orphan rows', async () => {
    const alice = testUser('alice');
    const id = await newThread(alice);
    const keep = await newThread(alice, 'sibling');
    await call(alice, 'POST', `/threads/${keep}/messages`, { content: 'hello' });
    await seedItems(alice, id, 250);
    await call(alice, 'POST', `/threads/${id}/messages`, { content: 'hello' });
    expect(await itemRows(alice.userId, id)).toHaveLength(252);

    const res = await call(alice, 'DELETE', `/threads/${id}`);
    expect(res.status).toBe(204);
    expect(await itemRows(alice.userId, id)).toEqual([]);
    expect(await threadRow(alice, id)).toBeUndefined();
    expect(await itemRows(alice.userId, keep)).toHaveLength(2); // the sibling is untouched
    expect((await call(alice, 'GET', `/threads/${id}/items`)).body).toEqual(THREAD_FORBIDDEN);
  });

  it('leaves no orphans when posts race a delete', async () => {
    const alice = testUser('alice');
    for (let round = 0; round < 3; round++) {
      const id = await newThread(alice);
      await seedItems(alice, id, 60);
      const posts = Array.from({ length: 8 }, (_, i) => call(alice, 'POST', `/threads/${id}/messages`, { content: `race ${i}` }));
      const del = call(alice, 'DELETE', `/threads/${id}`);
      const [delRes, ...postRes] = await Promise.all([del, ...posts]);
      expect(delRes.status).toBe(204);
      for (const r of postRes) {
        expect([201, 403]).toContain(r.status);
        if (r.status === 403) expect(r.body).toEqual(THREAD_FORBIDDEN);
      }
      expect(await itemRows(alice.userId, id)).toEqual([]);
      expect(await threadRow(alice, id)).toBeUndefined();
    }
  });

  it('hides a thread whose delete was interrupted and finishes it on a repeated DELETE', async () => {
    const alice = testUser('alice');
    const id = await newThread(alice);
    await call(alice, 'POST', `/threads/${id}/messages`, { content: 'hello' });
    await seedItems(alice, id, 30);
    const { doc, tableName } = localDb();
    await doc.send(new UpdateCommand({ TableName: tableName, Key: { PK: keys.userPk(tenantIdOf(alice.userId)), SK: keys.threadSk(id) }, UpdateExpression: 'SET deleting = :t', ExpressionAttributeValues: { ':t': true } }));

    expect((await call(alice, 'GET', `/threads/${id}`)).body).toEqual(THREAD_FORBIDDEN);
    expect((await call(alice, 'GET', '/threads')).body.data.map((t: { id: string }) => t.id)).not.toContain(id);
    const post = await call(alice, 'POST', `/threads/${id}/messages`, { content: 'too late' });
    expect(post.status).toBe(403);
    expect(await itemRows(alice.userId, id)).toHaveLength(32); // nothing half-written

    expect((await call(alice, 'DELETE', `/threads/${id}`)).status).toBe(204);
    expect(await itemRows(alice.userId, id)).toEqual([]);
    expect(await threadRow(alice, id)).toBeUndefined();
  });
});
