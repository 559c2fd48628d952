// THREATS T18 for the per-user lists: a page holds `limit` entries whenever that many exist, however
// DynamoDB splits the Query (1 MB pages, rows a filter drops), and the last page has no cursor.
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { localDb } from '../helpers/local-db';
import { call, newThread, testUser } from '../helpers/threads';

describe('lists follow DynamoDB\'s continuation', () => {
  it('fills a thread page past threads hidden by an interrupted delete, and ends without a cursor', async () => {
    const user = testUser('paged');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await newThread(user, `t${i}`));
    // The three newest are left marked by interrupted deletes (hidden everywhere).
    const { doc, tableName } = localDb();
    for (const id of ids.slice(2)) {
      await doc.send(new UpdateCommand({ TableName: tableName, Key: { PK: keys.userPk(tenantIdOf(user.userId)), SK: keys.threadSk(id) }, UpdateExpression: 'SET deleting = :t', ExpressionAttributeValues: { ':t': true } }));
    }
    const page = await call(user, 'GET', '/threads?limit=2');
    expect(page.status).toBe(200);
    expect(page.body.data.map((t: { id: string }) => t.id)).toEqual([ids[1], ids[0]]);
    expect(page.body.nextCursor).toBeNull();
  });

  it('returns a full page of items past DynamoDB\'s 1 MB Query limit', async () => {
    const user = testUser('bigitems');
    const threadId = await newThread(user);
    const { doc, tableName } = localDb();
    const content = 'x'.repeat(15_000);
    const rows = Array.from({ length: 90 }, (_, i) => {
      const id = `01JZZZZZZZZZZZZZZZZZZZ${String(i).padStart(4, '0')}`;
      return { PK: keys.userPk(tenantIdOf(user.userId)), SK: keys.itemSk(threadId, id), type: 'item', id, threadId, itemType: 'user_message', content, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() };
    });
    for (let i = 0; i < rows.length; i += 25) {
      await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const first = await call(user, 'GET', `/threads/${threadId}/items?limit=80`);
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(80);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await call(user, 'GET', `/threads/${threadId}/items?limit=80&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(rest.body.data).toHaveLength(10);
    expect(rest.body.nextCursor).toBeNull();
    expect([...first.body.data, ...rest.body.data].map((i: { id: string }) => i.id)).toEqual(rows.map((r) => r.id));
  });
});
