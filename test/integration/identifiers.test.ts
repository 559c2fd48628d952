// THREATS T15 over the local stack: ill-formed Unicode never becomes part of a key (a token with
// such a `sub` is a 401, such an id in a body a 400), and text is cut on whole characters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { api, UNAUTHORIZED_BODY } from '../helpers/http';
import { baseUrl } from '../helpers/dev-tokens';
import { auditRows } from '../helpers/local-db';
import { connect, wsUrl } from '../helpers/ws-client';
import { call, testUser } from '../helpers/threads';
import { illFormed } from '../helpers/unicode';

describe('T15 identifier collapse', () => {
  it('refuses every token whose sub differs from another only by a lone surrogate; the well-formed one works alone', async () => {
    const base = `bob-${Math.random().toString(36).slice(2, 8)}`;
    const plain = testUser('plain', undefined, `${base}?`);
    const created = await call(plain, 'POST', '/threads', { title: 'mine' });
    expect(created.status).toBe(201);
    for (const sub of [`${base}\ud800`, `${base}\udc00`]) {
      const res = await call(testUser('x', undefined, sub), 'GET', '/threads');
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_BODY);
    }
    await fc.assert(
      fc.asyncProperty(illFormed, async (suffix) => {
        const res = await call(testUser('x', undefined, `${base}${suffix}`), 'GET', '/threads');
        expect(res.status).toBe(401);
      }),
      { numRuns: 15 },
    );
    const mine = await call(plain, 'GET', '/threads');
    expect(mine.body.data.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
  });

  it('answers 400 for a lone surrogate in a ChatKit thread id, a WebSocket thread id and a webhook task id', async () => {
    const alice = testUser('ids');
    const ck = await call(alice, 'POST', '/chatkit', { type: 'threads.get_by_id', params: { thread_id: 'abc\ud800' } });
    expect(ck.status).toBe(400);
    expect(ck.body.error.code).toBe('bad_request');

    const ws = await connect(wsUrl(baseUrl(), { token: alice.token }));
    ws.send({ action: 'sendMessage', threadId: '\udc00abc', content: 'hi' });
    const frames = await ws.until((f) => f.type === 'error');
    await ws.close();
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'bad_request' });

    const hook = await api(baseUrl(), 'POST', '/webhooks/tasks', {
      token: inject('webhookToken'),
      headers: { 'Idempotency-Key': `ids-${Math.random()}` },
      body: { type: 'task.created', userId: alice.userId, taskId: 't\ud800', title: 'x' },
    });
    expect(hook.status).toBe(400);
  });
});

describe('text cut on whole characters, request headers capped', () => {
  it('titles a ChatKit thread with whole characters only (no lone surrogate at the 60-unit cut)', async () => {
    const alice = testUser('title');
    const text = `${'x'.repeat(59)}😀 add a task to water the plants`;
    const res = await call(alice, 'POST', '/chatkit', { type: 'threads.create', params: { input: { content: [{ type: 'input_text', text }], attachments: [], inference_options: {} } } });
    expect(res.status).toBe(200);
    const list = await call(alice, 'GET', '/threads');
    const title: string = list.body.data[0].title;
    expect(title.isWellFormed()).toBe(true);
    expect(title).toBe('x'.repeat(59));
  });

  it('stores at most 256 characters of a 15 KB User-Agent in the audit trail', async () => {
    const alice = testUser('ua');
    const res = await call(alice, 'GET', '/threads', undefined, { 'User-Agent': `agent/${'u'.repeat(15_000)}` });
    expect(res.status).toBe(200);
    const rows = await auditRows(alice.userId);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(String(row.userAgent).length).toBeLessThanOrEqual(256);
    expect(String(rows[0]!.userAgent).startsWith('agent/uuu')).toBe(true);
  });
});
