// The third wall (DESIGN invariant 11c, THREATS T-backups/T-stray): content written through the local
// stack (with its KMS stand-in) is nowhere in the table in plaintext, a sealed value copied to another
// user's row or another record of the same user does not open there (the row is treated as absent,
// with a clear log line, never a 500). Shredding and the key caches: envelope-cipher.test.ts.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { keys } from '../../functions/shared/core/keys';
import { tenantIdOf } from '../../functions/shared/adapters/tenant-id';
import { localDb } from '../helpers/local-db';
import { call, newThread, testUser, THREAD_FORBIDDEN, TASK_FORBIDDEN, type TestUser } from '../helpers/threads';

/** Every stored byte of the table, attribute values included (binary ones as raw bytes). */
async function wholeTable(): Promise<string> {
  const { doc, tableName } = localDb();
  const parts: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start as never }));
    for (const item of res.Items ?? []) {
      parts.push(JSON.stringify(item, (_k, v: unknown) => (v && typeof v === 'object' && 'B' in v ? Buffer.from((v as { B: Uint8Array }).B).toString('latin1') : v)));
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return parts.join('\n');
}

const row = async (user: TestUser, SK: string) => {
  const { doc, tableName } = localDb();
  return (await doc.send(new GetCommand({ TableName: tableName, Key: { PK: keys.userPk(tenantIdOf(user.userId)), SK }, ConsistentRead: true }))).Item;
};

const logLines = () => readFileSync(inject('logFile'), 'utf8');

describe('T21: content at rest', () => {
  it('stores no plaintext of titles, metadata, messages, replies, tasks or remembered responses', async () => {
    // Prepare: unique markers through every route that stores content
    const alice = testUser('sealed');
    const m = (what: string) => `zq${what}${randomUUID().replace(/-/g, '')}`;
    const markers = { title: m('title'), renamed: m('renamed'), meta: m('meta'), message: m('message'), task: m('task'), taskRenamed: m('taskrenamed'), agentTask: m('agenttask'), idem: m('idem') };
    const threadId = await newThread(alice, markers.title);
    expect((await call(alice, 'PATCH', `/threads/${threadId}`, { title: markers.renamed, metadata: { note: markers.meta } })).status).toBe(200);
    expect((await call(alice, 'POST', `/threads/${threadId}/messages`, { content: `hello ${markers.message}` })).status).toBe(201);
    const said = await call(alice, 'POST', `/threads/${threadId}/messages`, { content: `add a task: ${markers.agentTask}` });
    expect(said.body.assistantMessage.content).toContain(markers.agentTask); // the reply quotes it: stored too
    const task = await call(alice, 'POST', '/tasks', { title: markers.task });
    expect(task.status).toBe(201);
    expect((await call(alice, 'PATCH', `/tasks/${task.body.id}`, { title: markers.taskRenamed })).status).toBe(200);
    const idem = await call(alice, 'POST', '/threads', { title: markers.idem }, { 'Idempotency-Key': `k-${randomUUID()}` });
    expect(idem.status).toBe(201);

    // Act
    const table = await wholeTable();

    // Assess: the API still shows everything, the table shows none of it
    expect((await call(alice, 'GET', `/threads/${threadId}`)).body).toMatchObject({ title: markers.renamed, metadata: { note: markers.meta } });
    const items = (await call(alice, 'GET', `/threads/${threadId}/items?order=asc`)).body.data as Array<{ content: string }>;
    expect(items.map((i) => i.content).join(' ')).toContain(markers.message);
    const tasks = (await call(alice, 'GET', '/tasks')).body.data as Array<{ title: string }>;
    expect(tasks.map((t) => t.title)).toEqual(expect.arrayContaining([markers.taskRenamed, markers.agentTask]));
    for (const [what, marker] of Object.entries(markers)) expect(table.includes(marker), `${what} in plaintext`).toBe(false);
    expect(table).toContain(keys.userPk(tenantIdOf(alice.userId))); // the scan did see alice's rows
  });
});

describe('T26: a sealed value out of its place', () => {
  it("does not open in another user's partition: the copy is absent there, the original intact", async () => {
    // Prepare
    const alice = testUser('owner');
    const mallory = testUser('copier');
    const aliceThread = await newThread(alice, 'alice private title');
    const malloryThread = await newThread(mallory, 'mallory own');
    const source = (await row(alice, keys.threadSk(aliceThread)))!;
    expect(source.title).toBeInstanceOf(Uint8Array);
    // Act: the same sort key in mallory's partition, holding alice's sealed title and metadata
    const { doc, tableName } = localDb();
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...source, PK: keys.userPk(tenantIdOf(mallory.userId)), SK: keys.threadSk(aliceThread) } }));
    // Assess: mallory sees no such thread (the answer for any other id); alice still reads hers
    const got = await call(mallory, 'GET', `/threads/${aliceThread}`);
    expect(got.status).toBe(403);
    expect(got.body).toEqual(THREAD_FORBIDDEN);
    const listed = (await call(mallory, 'GET', '/threads')).body.data as Array<{ id: string }>;
    expect(listed.map((t) => t.id)).toEqual([malloryThread]);
    expect((await call(alice, 'GET', `/threads/${aliceThread}`)).body.title).toBe('alice private title');
    expect(logLines()).toMatch(new RegExp(`stored content did not open for its record.*${mallory.userId.replace(/[|\\\\]/g, '.')}`));
  });

  it("does not open in another record of the same user: a title moved to another thread or a task, an item's content to another item", async () => {
    // Prepare
    const alice = testUser('mover');
    const a = await newThread(alice, 'first title');
    const b = await newThread(alice, 'second title');
    await call(alice, 'POST', `/threads/${a}/messages`, { content: 'hello' });
    const task = (await call(alice, 'POST', '/tasks', { title: 'a task' })).body.id as string;
    const { doc, tableName } = localDb();
    const PK = keys.userPk(tenantIdOf(alice.userId));
    const aRow = (await row(alice, keys.threadSk(a)))!;
    // Act: a's sealed title into b and into the task; the user message's content into the reply
    await doc.send(new UpdateCommand({ TableName: tableName, Key: { PK, SK: keys.threadSk(b) }, UpdateExpression: 'SET title = :t', ExpressionAttributeValues: { ':t': aRow.title } }));
    await doc.send(new UpdateCommand({ TableName: tableName, Key: { PK, SK: keys.taskSk(task) }, UpdateExpression: 'SET title = :t', ExpressionAttributeValues: { ':t': aRow.title } }));
    const items = (await call(alice, 'GET', `/threads/${a}/items?order=asc`)).body.data as Array<{ id: string }>;
    const first = (await row(alice, keys.itemSk(a, items[0]!.id)))!;
    await doc.send(new UpdateCommand({ TableName: tableName, Key: { PK, SK: keys.itemSk(a, items[1]!.id) }, UpdateExpression: 'SET content = :c', ExpressionAttributeValues: { ':c': first.content } }));
    // Assess: each moved value is unreadable where it landed; nothing else changed; no 500 anywhere
    expect((await call(alice, 'GET', `/threads/${b}`)).body).toEqual(THREAD_FORBIDDEN);
    expect((await call(alice, 'GET', `/threads/${a}`)).body.title).toBe('first title');
    expect((await call(alice, 'PATCH', `/tasks/${task}`, { status: 'done' })).body).toEqual(TASK_FORBIDDEN);
    expect((await call(alice, 'GET', `/tasks`)).body.data).toEqual([]);
    const after = (await call(alice, 'GET', `/threads/${a}/items?order=asc`)).body.data as Array<{ id: string; content: string }>;
    expect(after.map((i) => i.id)).toEqual([items[0]!.id]);
  });
});
