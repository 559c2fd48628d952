// THREATS T17 (the metering half) on a stack of its own with RATE_LIMIT_PER_MINUTE=20: every
// WebSocket frame and handshake counts in the `requests` bucket, open connections per user are
// capped (WS_MAX_CONNECTIONS_PER_USER, default 10; the next handshake 429), and 413s count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedWindow } from '../../functions/shared/core/rate-limit';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { api } from '../helpers/http';
import { recordCredential } from '../helpers/credentials';
import { connect, handshakeStatus, wsUrl, type WsClient } from '../helpers/ws-client';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';

const LIMIT = 20;

/** A burst must not straddle a window boundary, or two windows' budgets would be counted. */
async function awayFromWindowEnd(marginSeconds = 10): Promise<void> {
  while (fixedWindow(new Date()).resetAt - Date.now() / 1000 < marginSeconds) await new Promise((r) => setTimeout(r, 250));
}

describe('T17 metering', () => {
  let stack: StackProcess;
  beforeAll(async () => {
    stack = await startStackProcess({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  });
  afterAll(() => stack.stop());

  const token = (name: string) => {
    const t = mintDevToken(stack.dataDir, `${name}-${Math.random().toString(36).slice(2, 8)}`);
    recordCredential(t);
    return t;
  };

  it('40 pings at 20 requests per minute get at most 20 pongs; the rest are rate_limited', async () => {
    await awayFromWindowEnd();
    const ws = await connect(wsUrl(stack.baseUrl, { token: token('pinger') }));
    try {
      for (let i = 0; i < 40; i++) ws.send({ action: 'ping' });
      const frames = await ws.until(() => ws.frames.length >= 40);
      const pongs = frames.filter((f) => f.type === 'pong').length;
      expect(pongs).toBeLessThanOrEqual(LIMIT - 1); // the handshake took one
      expect(pongs).toBeGreaterThan(0);
      expect(frames.filter((f) => f.type === 'error' && f.code === 'rate_limited').length).toBe(40 - pongs);
    } finally {
      await ws.close();
    }
  });

  it('counts a sendMessage frame once in requests, not again inside the reply', async () => {
    const t = token('sender');
    await awayFromWindowEnd(20);
    const created = await api(stack.baseUrl, 'POST', '/threads', { token: t, body: { title: 'metered' } });
    expect(created.status).toBe(201);
    const threadId = (created.body as { id: string }).id;
    const remaining = async () => Number((await api(stack.baseUrl, 'GET', '/threads', { token: t })).headers.get('x-ratelimit-remaining'));
    const before = await remaining();
    const ws = await connect(wsUrl(stack.baseUrl, { token: t }));
    try {
      ws.send({ action: 'sendMessage', threadId, content: 'list my tasks' });
      const frames = await ws.until(() => ws.frames.some((f) => f.type === 'item.done' || f.type === 'error'));
      expect(frames.filter((f) => f.type === 'error')).toEqual([]);
    } finally {
      await ws.close();
    }
    // The handshake, the frame and this GET: three requests, not four.
    expect(before - (await remaining())).toBe(3);
  });

  it('counts handshakes: a user who used the minute up cannot open a connection (429)', async () => {
    const t = token('handshaker');
    await awayFromWindowEnd();
    for (let i = 0; i < LIMIT; i++) expect((await api(stack.baseUrl, 'GET', '/threads', { token: t })).status).toBe(200);
    expect((await handshakeStatus(wsUrl(stack.baseUrl, { token: t }))).status).toBe(429);
  });

  it('refuses the 11th open connection of a user with 429, and admits one again after a close', async () => {
    const t = token('many');
    await awayFromWindowEnd();
    const open: WsClient[] = [];
    try {
      for (let i = 0; i < 10; i++) open.push(await connect(wsUrl(stack.baseUrl, { token: t })));
      expect((await handshakeStatus(wsUrl(stack.baseUrl, { token: t }))).status).toBe(429);
      // Another user is not affected.
      const other = await connect(wsUrl(stack.baseUrl, { token: token('other') }));
      await other.close();
      await open.pop()!.close();
      // $disconnect runs after the close; the slot frees once it has.
      let status = 0;
      // (each refused handshake counts too, so few and spaced tries)
      for (let i = 0; i < 6 && status !== 101; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = (await handshakeStatus(wsUrl(stack.baseUrl, { token: t }))).status;
      }
      expect(status).toBe(101);
    } finally {
      await Promise.all(open.map((c) => c.close()));
    }
  });

  it('holds the cap exactly when handshakes race for the last connections', async () => {
    const t = token('racing');
    await awayFromWindowEnd();
    const open: WsClient[] = [];
    try {
      const race = async (n: number) => {
        const settled = await Promise.allSettled(Array.from({ length: n }, () => connect(wsUrl(stack.baseUrl, { token: t }))));
        const admitted = settled.filter((r): r is PromiseFulfilledResult<WsClient> => r.status === 'fulfilled').map((r) => r.value);
        open.push(...admitted);
        return admitted.length;
      };
      // Six at once with ten free: all in (several tabs reconnecting after a network blip).
      expect(await race(6)).toBe(6);
      open.push(await connect(wsUrl(stack.baseUrl, { token: t })));
      // Six at once for the last three: exactly three in.
      expect(await race(6)).toBe(3);
      expect((await handshakeStatus(wsUrl(stack.baseUrl, { token: t }))).status).toBe(429);
    } finally {
      await Promise.all(open.map((c) => c.close()));
    }
  });

  it('counts oversized (413) requests: after 20 of them the next request is 429', async () => {
    const t = token('big');
    await awayFromWindowEnd();
    const big = JSON.stringify({ title: 'x'.repeat(70 * 1024) });
    for (let i = 0; i < LIMIT; i++) {
      const res = await api(stack.baseUrl, 'POST', '/threads', { token: t, rawBody: big, headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(413);
    }
    const next = await api(stack.baseUrl, 'GET', '/threads', { token: t });
    expect(next.status).toBe(429);
    expect(next.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
