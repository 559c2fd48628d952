// One reply pipeline behind every transport: the same conversation over REST JSON, SSE, WebSocket
// and ChatKit stores the same items and changes the same tasks, and each transport refuses the same
// requests with the same error code (blank content, a foreign thread, a guest, over the token budget
// (THREATS T17), over the reply rate limit), storing nothing for any of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mintDevToken, readDevIssuer } from '../../infra/local/dev-issuer';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import { keys } from '../../functions/shared/core/keys';
import { localDb } from '../helpers/local-db';
import { fixedWindow } from '../../functions/shared/core/rate-limit';
import { recordCredential } from '../helpers/credentials';
import { baseUrl, uniqueUser } from '../helpers/dev-tokens';
import { api } from '../helpers/http';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';
import { call, newThread, testUser } from '../helpers/threads';
import { sendOver, TRANSPORTS, type Outcome } from '../helpers/transports';

/** The three sends must share one rate window, or the third would be admitted by a fresh one. */
async function awayFromWindowEnd(marginSeconds = 10): Promise<void> {
  while (fixedWindow(new Date()).resetAt - Date.now() / 1000 < marginSeconds) await new Promise((r) => setTimeout(r, 250));
}

const storedItems = async (base: string, token: string, threadId: string) => {
  const res = await api(base, 'GET', `/threads/${threadId}/items?order=asc&limit=100`, { token });
  expect(res.status).toBe(200);
  return (res.body.data as Array<{ type: string; content: string }>).map((i) => [i.type, i.content]);
};

/** A refusal: the JSON error before any stream (REST, SSE, ChatKit) or the error frame (WebSocket). */
const refused = (code: string) => expect.objectContaining({ ok: false, code }) as Outcome;

describe('the same reply pipeline on every transport', () => {
  it('stores the same exchange and makes the same task changes for the same conversation', async () => {
    const conversation = ['Add a task to buy milk', 'mark it done', 'add task renew passport', 'what are my tasks?'];
    const results = [];
    for (const transport of TRANSPORTS) {
      const user = testUser(`conv-${transport}`);
      const thread = await newThread(user);
      for (const content of conversation) {
        const out = await sendOver(transport, baseUrl(), user.token, thread, `  ${content} `);
        expect(out, `${transport}: ${content}`).toMatchObject({ ok: true });
      }
      const tasks = (await call(user, 'GET', '/tasks')).body.data.map((t: { title: string; status: string }) => [t.title, t.status]);
      results.push({ transport, items: await storedItems(baseUrl(), user.token, thread), tasks });
    }
    const [first, ...rest] = results;
    expect(first!.items).toHaveLength(2 * conversation.length);
    expect(first!.items[0]).toEqual(['user_message', 'Add a task to buy milk']); // stored trimmed
    expect(first!.tasks).toEqual([
      ['buy milk', 'done'],
      ['renew passport', 'open'],
    ]);
    for (const r of rest) expect({ transport: r.transport, items: r.items, tasks: r.tasks }).toEqual({ transport: r.transport, items: first!.items, tasks: first!.tasks });
  });

  it('reads the page context on every transport (X-Page-Context, or the WebSocket frame\'s pageContext) into the reply only', async () => {
    const user = testUser('pagectx');
    const thread = await newThread(user);
    for (const transport of TRANSPORTS) {
      const out = await sendOver(transport, baseUrl(), user.token, thread, 'hi', { page: 'billing' });
      expect(out, transport).toMatchObject({ ok: true, reply: expect.stringContaining("I see you're on the billing page.") });
    }
  });

  it('resolves "this task" to the page\'s selected task and "it" to the task just named, and asks before a delete when they differ', async () => {
    for (const transport of TRANSPORTS) {
      const user = testUser(`this-task-${transport}`);
      const thread = await newThread(user);
      const milk = (await call(user, 'POST', '/tasks', { title: 'buy milk' })).body.id as string;
      const say = async (content: string, page?: Record<string, string>) => {
        const out = await sendOver(transport, baseUrl(), user.token, thread, content, page);
        expect(out, `${transport}: ${content}`).toMatchObject({ ok: true });
        return (out as { reply: string }).reply;
      };
      const onMilk = { page: 'Chat', taskId: milk };
      await say('add task pay rent', onMilk); // the agent names "pay rent"
      expect(await say('mark this task done', onMilk), transport).toBe('Nice work! I marked "buy milk" as done.');
      await say('add task water plants', onMilk);
      expect(await say('delete it', onMilk), transport).toMatch(/^Do you mean the task selected on your page, or "water plants"/);
      expect(await say('mark it done', onMilk), transport).toBe('Nice work! I marked "water plants" as done.');
      const tasks = (await call(user, 'GET', '/tasks')).body.data.map((t: { title: string; status: string }) => [t.title, t.status]);
      expect(tasks, transport).toEqual([
        ['buy milk', 'done'],
        ['pay rent', 'open'],
        ['water plants', 'done'],
      ]);
    }
  });

  it('refuses blank content, a foreign thread and a guest alike, and stores nothing', async () => {
    const owner = testUser('owner');
    const stranger = testUser('stranger');
    const guest = testUser('guest', ['guest']);
    const ownersThread = await newThread(owner);
    const strangersThread = await newThread(stranger);
    for (const transport of TRANSPORTS) {
      expect(await sendOver(transport, baseUrl(), owner.token, ownersThread, ' \n\t '), transport).toEqual(refused('bad_request'));
      expect(await sendOver(transport, baseUrl(), owner.token, strangersThread, 'mark it done'), transport).toEqual(refused('forbidden'));
      expect(await sendOver(transport, baseUrl(), guest.token, ownersThread, 'add a task to sneak in'), transport).toEqual(refused('read_only'));
    }
    expect(await storedItems(baseUrl(), owner.token, ownersThread)).toEqual([]);
    expect(await storedItems(baseUrl(), stranger.token, strangersThread)).toEqual([]);
    expect((await call(guest, 'GET', '/tasks')).body.data).toEqual([]);
  });
});

describe('budget and reply limit on every transport (T17)', () => {
  // Low limits on a stack of their own: 2 replies a minute, a budget one reply uses up (its first
  // model call leaves room for its second: about 160 tokens each), 7 days of audit.
  let stack: StackProcess;
  beforeAll(async () => {
    stack = await startStackProcess({ RESPOND_LIMIT_PER_MINUTE: '2', AGENT_DAILY_TOKEN_BUDGET: '200', AUDIT_RETENTION_DAYS: '7' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers one reply, then 429 budget_exceeded, then 429 rate_limited, storing only the first exchange', async () => {
    for (const transport of TRANSPORTS) {
      const token = mintDevToken(stack.dataDir, uniqueUser(`budget-${transport}`));
      recordCredential(token);
      const created = await api(stack.baseUrl, 'POST', '/threads', { token, body: {} });
      const threadId = created.body.id as string;
      await awayFromWindowEnd();
      const first = await sendOver(transport, stack.baseUrl, token, threadId, 'add a task to water the plants');
      expect(first, transport).toEqual({ ok: true, reply: 'Added "water the plants" to your tasks.' });
      expect(await sendOver(transport, stack.baseUrl, token, threadId, 'list my tasks'), transport).toEqual(refused('budget_exceeded'));
      expect(await sendOver(transport, stack.baseUrl, token, threadId, 'list my tasks'), transport).toEqual(refused('rate_limited'));
      expect(await storedItems(stack.baseUrl, token, threadId), transport).toHaveLength(2);
      const me = await api(stack.baseUrl, 'GET', '/me', { token });
      expect(me.body.budget, transport).toMatchObject({ limit: 200, remaining: 0 });
      expect(me.body.budget.used, transport).toBeGreaterThan(200);
      expect(Date.parse(me.body.budget.resetsAt) - Date.now()).toBeLessThanOrEqual(86_400_000);
    }
  });

  it('answers over-budget message posts with Retry-After to the next UTC midnight', async () => {
    const token = mintDevToken(stack.dataDir, uniqueUser('budget-headers'));
    recordCredential(token);
    const threadId = (await api(stack.baseUrl, 'POST', '/threads', { token, body: {} })).body.id as string;
    await api(stack.baseUrl, 'POST', `/threads/${threadId}/messages`, { token, body: { content: 'add a task to water the plants' } });
    const res = await api(stack.baseUrl, 'POST', `/threads/${threadId}/messages`, { token, body: { content: 'hello' } });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ error: { code: 'budget_exceeded', message: 'Daily token budget exceeded' } });
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    const expected = (midnight.getTime() - Date.now()) / 1000;
    expect(Math.abs(Number(res.headers.get('retry-after')) - expected)).toBeLessThan(5);
  });

  it('keeps audit events of API-key changes for AUDIT_RETENTION_DAYS, like every other audit event', async () => {
    const sub = uniqueUser('retention');
    const token = mintDevToken(stack.dataDir, sub);
    recordCredential(token);
    const created = await api(stack.baseUrl, 'POST', '/api-keys', { token, body: { name: 'ci' } });
    expect(created.status).toBe(201);
    recordCredential(created.body.key);
    const threadId = (await api(stack.baseUrl, 'POST', '/threads', { token, body: {} })).body.id as string;
    await api(stack.baseUrl, 'POST', `/threads/${threadId}/messages`, { token, body: { content: 'hi' } });
    const { doc, tableName } = localDb(stack.dataDir);
    const userId = userIdFor(readDevIssuer(stack.dataDir).issuer, sub);
    const rows = (await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.auditPk(userId) }, ConsistentRead: true }))).Items ?? [];
    const byAction = (action: string) => rows.find((r) => r.action === action);
    const sevenDays = Date.now() / 1000 + 7 * 86_400;
    for (const action of ['apikey.create', 'thread.message']) {
      const row = byAction(action);
      expect(row, action).toBeDefined();
      expect(Math.abs(Number(row!.expiresAt) - sevenDays), action).toBeLessThan(120);
    }
  });
});
