// A typed walk through the API with the client in this folder. `tsc` checks it on every test run
// (test/unit/docs/typed-client-example.test.ts): each line below compiles as written.
import { createThreadGuardClient, streamMessage, ThreadGuardError, type components } from './index';

type Exchange = components['schemas']['Exchange'];

export async function example(baseUrl: string, token: string): Promise<void> {
  const api = createThreadGuardClient(baseUrl, { token }); // or { apiKey }

  const me = await api.GET('/me');
  console.log(me.data?.userId, me.data?.budget.remaining);

  const created = await api.POST('/threads', { body: { title: 'Groceries' } });
  if (!created.data) throw new Error(created.error?.error.message);
  const threadId = created.data.id;

  // The JSON call: `data` is exactly the stored exchange (201).
  const posted = await api.POST('/threads/{threadId}/messages', { params: { path: { threadId } }, body: { content: 'add a task to buy milk tomorrow' } });
  const exchange: Exchange | undefined = posted.data;
  console.log(exchange?.assistantMessage.content);

  // The streamed call: each event as it arrives.
  try {
    for await (const event of streamMessage(api, threadId, 'list my tasks')) {
      if (event.type === 'text.delta') process.stdout.write(event.delta);
    }
  } catch (err) {
    if (err instanceof ThreadGuardError && err.code === 'budget_exceeded') console.log('over today\'s budget');
    else throw err;
  }

  // Numeric parameters are numbers.
  const page = await api.GET('/threads/{threadId}/items', { params: { path: { threadId }, query: { limit: 10, order: 'desc' } } });
  console.log(page.data?.data.length, page.data?.nextCursor);
  // @ts-expect-error `limit` is an integer, not a string
  await api.GET('/tasks', { params: { query: { limit: '10' } } });
}
