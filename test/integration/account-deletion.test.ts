// DELETE /me over the local stack: only the owner's user token with the right confirm; the content
// key goes first, then every earlier token, then every row of the account (threads, items, tasks,
// API keys and their lookups, counters); an `account.deleted` audit event stays; signing in again
// starts an empty, working account; 1,000 threads go well within 60 s.
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { api } from '../helpers/http';
import { baseUrl, devToken } from '../helpers/dev-tokens';
import { auditRows, localDb, rowsWithPrefix } from '../helpers/local-db';
import { getItem } from '../helpers/local-table';
import { call, newThread, testUser, type TestUser } from '../helpers/threads';
import { connect, wsUrl } from '../helpers/ws-client';

const deleteMe = (user: TestUser, body: unknown, token = user.token) => api(baseUrl(), 'DELETE', '/me', { token, body });

/** Polls until `check` holds (the authorizers cache a user's session state for up to 5 s). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The partition's keys left after a deletion, but this month's token counts (kept on purpose: counts only, TTL). */
const leftOf = (rows: Array<Record<string, unknown>>): string[] =>
  rows.map((r) => String(r.SK)).filter((sk) => !sk.startsWith(keys.tokensSk(new Date().toISOString().slice(0, 7))));

describe('DELETE /me', () => {
  it('refuses a missing or wrong confirm with 400 and an API key with 403, and deletes nothing', async () => {
    // Prepare
    const alice = testUser('keeper');
    const threadId = await newThread(alice, 'still here');
    const key = (await call(alice, 'POST', '/api-keys', { name: 'bot' })).body.key as string;
    // Act
    const answers = [
      await deleteMe(alice, undefined),
      await deleteMe(alice, {}),
      await deleteMe(alice, { confirm: 'someone-else' }),
      await deleteMe(alice, { confirm: alice.sub }),
    ];
    const byKey = await api(baseUrl(), 'DELETE', '/me', { apiKey: key, body: { confirm: alice.userId } });
    // Assess
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect(answers[2]!.body.error.code).toBe('bad_request');
    expect(byKey.status).toBe(403);
    expect((await call(alice, 'GET', `/threads/${threadId}`)).body.title).toBe('still here');
  });

  it('T21: shreds and removes the whole account, refuses earlier tokens, keeps the audit event, and a new sign-in starts empty', async () => {
    // Prepare: an account with a thread and its items, a task, an API key
    const alice = testUser('leaver');
    const threadId = await newThread(alice, 'my diary');
    expect((await call(alice, 'POST', `/threads/${threadId}/messages`, { content: 'add a task: leave quietly' })).status).toBe(201);
    const key = (await call(alice, 'POST', '/api-keys', { name: 'bot' })).body.key as string;
    const PK = keys.userPk(tenantIdOf(alice.userId));
    expect((await rowsWithPrefix(PK, '')).length).toBeGreaterThan(5);
    const usedBefore = (await call(alice, 'GET', '/me')).body.budget.used as number;
    expect(usedBefore).toBeGreaterThan(0);
    // Act
    const res = await deleteMe(alice, { confirm: alice.userId });
    // Assess: 202; only the session record (refusing old tokens) and this month's token counts are left
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'deleted' });
    expect(leftOf(await rowsWithPrefix(PK, ''))).toEqual([keys.sessionSk()]);
    expect(await getItem(PK, keys.userKeySk())).toBeUndefined();
    expect(await eventually(async () => (await call(alice, 'GET', '/me')).status === 401)).toBe(true);
    expect((await api(baseUrl(), 'GET', '/me', { apiKey: key })).status).toBe(401);
    expect((await auditRows(alice.userId)).map((e) => e.action)).toContain('account.deleted');
    // ...and the same sub signing in again (a token issued after the deletion) gets an empty, working account
    let fresh = alice;
    expect(await eventually(async () => (fresh = { ...alice, token: devToken(alice.sub) }) && (await call(fresh, 'GET', '/me')).status === 200)).toBe(true);
    expect((await call(fresh, 'GET', '/threads')).body.data).toEqual([]);
    expect((await call(fresh, 'GET', '/tasks')).body.data).toEqual([]);
    // The day's spend survives the deletion: deleting and signing in again resets no budget
    expect((await call(fresh, 'GET', '/me')).body.budget.used).toBe(usedBefore);
    const again = await newThread(fresh, 'a new start');
    expect((await call(fresh, 'GET', `/threads/${again}`)).body.title).toBe('a new start');
  });

  it('closes the account\'s open WebSocket connections at once, not at their next frame', async () => {
    // Prepare: two idle connections of the account, one of another user
    const carol = testUser('ws-leaver');
    const dave = testUser('ws-stayer');
    const sockets = await Promise.all([connect(wsUrl(baseUrl(), { token: carol.token })), connect(wsUrl(baseUrl(), { token: carol.token }))]);
    const other = await connect(wsUrl(baseUrl(), { token: dave.token }));
    const closed = sockets.map((ws) => new Promise<void>((r) => (ws.socket.readyState === ws.socket.CLOSED ? r() : ws.socket.once('close', () => r()))));
    // Act
    const start = Date.now();
    expect((await deleteMe(carol, { confirm: carol.userId })).status).toBe(202);
    await Promise.all(closed);
    // Assess: closed within the request (no frame was sent on them); the other user's stays open
    expect(Date.now() - start).toBeLessThan(5_000);
    other.send({ action: 'ping' });
    await other.until((f) => f.type === 'pong');
    await other.close();
  });

  it('deletes the account\'s Idempotency-Key records and their lists', async () => {
    // Prepare: remembered responses of a thread create, a message and a task create
    const erin = testUser('idem-leaver');
    const created = await call(erin, 'POST', '/threads', { title: 'remembered' }, { 'Idempotency-Key': 'k-thread' });
    const threadId = created.body.id as string;
    expect((await call(erin, 'POST', `/threads/${threadId}/messages`, { content: 'hello again' }, { 'Idempotency-Key': 'k-message' })).status).toBe(201);
    expect((await call(erin, 'POST', '/tasks', { title: 'remembered task' }, { 'Idempotency-Key': 'k-task' })).status).toBe(201);
    const index = await rowsWithPrefix(keys.userRecordsPk(erin.userId), '');
    const records = index.map((r) => String(r.SK));
    expect(records).toHaveLength(3);
    for (const id of records) expect(await getItem(keys.idempotencyPk(id), keys.idempotencySk())).toBeDefined();
    expect(await getItem(keys.replayRefPk(erin.userId, threadId), keys.idempotencySk())).toBeDefined();
    // Act
    const res = await deleteMe(erin, { confirm: erin.userId });
    // Assess: the records, their index and the thread's record list are gone
    expect(res.body).toEqual({ status: 'deleted' });
    for (const id of records) expect(await getItem(keys.idempotencyPk(id), keys.idempotencySk())).toBeUndefined();
    expect(await rowsWithPrefix(keys.userRecordsPk(erin.userId), '')).toEqual([]);
    expect(await getItem(keys.replayRefPk(erin.userId, threadId), keys.idempotencySk())).toBeUndefined();
  });

  it('deletes an account of 1,000 threads with their items within 60 s', async () => {
    // Prepare: 1,000 threads of two items each, written straight into the partition
    const bulk = testUser('bulk');
    await newThread(bulk, 'through the API'); // creates the content key
    const PK = keys.userPk(tenantIdOf(bulk.userId));
    const now = new Date().toISOString();
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const id = `01BULK${String(i).padStart(20, '0')}`;
      return [
        { PK, SK: keys.threadSk(id), type: 'thread', id, title: `t${i}`, createdAt: now, updatedAt: now },
        { PK, SK: keys.itemSk(id, '01A'), type: 'item', id: '01A', threadId: id, itemType: 'user_message', content: 'hi', createdAt: now },
        { PK, SK: keys.itemSk(id, '01B'), type: 'item', id: '01B', threadId: id, itemType: 'assistant_message', content: 'hello', createdAt: now },
      ];
    }).flat();
    const { doc, tableName } = localDb();
    for (let i = 0; i < rows.length; i += 25) {
      await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: rows.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    // Act: DELETE /me until it says `deleted`, each repeat with a token issued after the previous one
    const t0 = Date.now();
    let res = await deleteMe(bulk, { confirm: bulk.userId });
    const statuses = [res.status];
    while (res.body.status === 'deleting') {
      await eventually(async () => (await api(baseUrl(), 'GET', '/tools/available', { token: devToken(bulk.sub) })).status === 200);
      res = await deleteMe(bulk, { confirm: bulk.userId }, devToken(bulk.sub));
      statuses.push(res.status);
    }
    const seconds = (Date.now() - t0) / 1000;
    // Assess
    expect(new Set(statuses)).toEqual(new Set([202]));
    expect(res.body).toEqual({ status: 'deleted' });
    expect(seconds).toBeLessThan(60);
    expect(leftOf(await rowsWithPrefix(PK, ''))).toEqual([keys.sessionSk()]);
    console.log(`DELETE /me of 1,000 threads (3,000 rows): ${seconds.toFixed(1)} s`);
  }, 300_000);
});
