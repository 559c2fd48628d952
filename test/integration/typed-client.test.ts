// The API through the client users generate: openapi-fetch over the types generated from
// docs/openapi.json (client/), end to end against the local stack, for both credential types. The
// document itself is served publicly at GET /openapi.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createThreadGuardClient, streamMessage, ThreadGuardError } from '../../client';
import { recordCredential } from '../helpers/credentials';
import { baseUrl, devToken, uniqueUser } from '../helpers/dev-tokens';

const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));

describe('typed client (openapi-typescript + openapi-fetch)', () => {
  it('GET /openapi.json serves the committed document to anyone, cacheable, without rate headers', async () => {
    const client = createThreadGuardClient(baseUrl());
    const { data, response } = await client.GET('/openapi.json');
    expect(response.status).toBe(200);
    expect(data).toEqual(committed);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('runs threads, messages, tasks and API keys with a JWT, then reads with the minted key', async () => {
    const client = createThreadGuardClient(baseUrl(), { token: devToken(uniqueUser('typed')) });

    const me = await client.GET('/me');
    expect(me.data?.authMethod).toBe('jwt');

    const created = await client.POST('/threads', { body: { title: 'Typed', metadata: { pinned: true } } });
    expect(created.response.status).toBe(201);
    const threadId = created.data!.id;
    const renamed = await client.PATCH('/threads/{threadId}', { params: { path: { threadId } }, body: { title: 'Typed client' } });
    expect(renamed.data).toMatchObject({ id: threadId, title: 'Typed client', metadata: { pinned: true } });

    const posted = await client.POST('/threads/{threadId}/messages', {
      params: { path: { threadId }, header: { 'X-Page-Context': JSON.stringify({ page: 'tasks' }) } },
      body: { content: 'add a task to renew the passport tomorrow' },
    });
    expect(posted.response.status).toBe(201);
    // The JSON call's data is exactly the 201 exchange; the event stream is streamMessage's.
    const exchange = posted.data;
    expect(exchange?.userMessage.content).toBe('add a task to renew the passport tomorrow');
    expect(exchange?.assistantMessage.type).toBe('assistant_message');

    const items = await client.GET('/threads/{threadId}/items', { params: { path: { threadId }, query: { limit: 1, order: 'desc' } } });
    expect(items.data?.data.map((i) => i.type)).toEqual(['assistant_message']);
    expect(items.data?.nextCursor).toEqual(expect.any(String));
    const rest = await client.GET('/threads/{threadId}/items', {
      params: { path: { threadId }, query: { limit: 1, order: 'desc', cursor: items.data!.nextCursor! } },
    });
    expect(rest.data?.data.map((i) => i.type)).toEqual(['user_message']);

    const events = [];
    for await (const event of streamMessage(client, threadId, 'list my tasks')) events.push(event.type);
    expect(events[0]).toBe('item.added');
    expect(events.at(-1)).toBe('item.done');
    await expect(async () => {
      for await (const _ of streamMessage(client, threadId, '   ')) void _;
    }).rejects.toEqual(expect.objectContaining({ name: 'ThreadGuardError', status: 400, code: 'bad_request' }));
    expect(ThreadGuardError.name).toBe('ThreadGuardError');

    const tasks = await client.GET('/tasks', { params: { query: { status: 'open' } } });
    const task = tasks.data?.data.find((t) => t.title === 'renew the passport');
    expect(task).toBeDefined();
    const done = await client.PATCH('/tasks/{taskId}', { params: { path: { taskId: task!.id } }, body: { status: 'done' } });
    expect(done.data?.status).toBe('done');

    const issued = await client.POST('/api-keys', { body: { name: 'typed reader', readOnly: true } });
    expect(issued.response.status).toBe(201);
    recordCredential(issued.data!.key);
    const keyClient = createThreadGuardClient(baseUrl(), { apiKey: issued.data!.key });
    const viaKey = await keyClient.GET('/threads', { params: { query: { limit: 5 } } });
    expect(viaKey.data?.data.map((t) => t.id)).toContain(threadId);
    const refused = await keyClient.DELETE('/threads/{threadId}', { params: { path: { threadId } } });
    expect(refused.response.status).toBe(403);
    expect(refused.error?.error.code).toBe('read_only');

    const gone = await client.DELETE('/threads/{threadId}', { params: { path: { threadId } } });
    expect(gone.response.status).toBe(204);
    const after = await client.GET('/threads/{threadId}', { params: { path: { threadId } } });
    expect(after.error).toEqual({ error: { code: 'forbidden', message: 'Thread not found or access denied' } });
    expect(after.response.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
  });
});
