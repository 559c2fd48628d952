// The local WebSocket API enforces API Gateway's own quotas and answers a refused handshake the way
// API Gateway does: frames over 32 KB and messages over 128 KB close the socket with 1009, a $connect
// URL over 4,096 characters is refused before the authorizer runs, and refusals carry API Gateway's
// default `{"message"}` body (WebSocket APIs have no customisable gateway responses).
import { describe, expect, it } from 'vitest';
import { WS_LIMITS } from '../../infra/local/websocket-gateway';
import { baseUrl } from '../helpers/dev-tokens';
import { testUser } from '../helpers/threads';
import { connect, handshakeStatus, wsUrl, type WsClient } from '../helpers/ws-client';

const closeCode = (ws: WsClient) =>
  new Promise<number>((resolve) => (ws.socket.readyState === ws.socket.CLOSED ? resolve(0) : ws.socket.once('close', resolve)));

/** Sends `text` as one message split into frames of at most `frameBytes`. */
function sendFragmented(ws: WsClient, text: string, frameBytes: number): void {
  for (let i = 0; i < text.length; i += frameBytes) {
    ws.socket.send(text.slice(i, i + frameBytes), { fin: i + frameBytes >= text.length });
  }
}

describe('WebSocket frame and message quotas', () => {
  it('closes with 1009 on a single frame one byte over 32 KB', async () => {
    const ws = await connect(wsUrl(baseUrl(), { token: testUser('ws-frame').token }));
    ws.socket.send('x'.repeat(WS_LIMITS.frameBytes + 1));
    expect(await closeCode(ws)).toBe(1009);
  });

  it('accepts a frame of exactly 32 KB, and a 100 KB message sent as 32 KB frames (it reaches the function)', async () => {
    const ws = await connect(wsUrl(baseUrl(), { token: testUser('ws-frames-ok').token }));
    ws.socket.send(JSON.stringify({ action: 'ping', pad: 'p'.repeat(WS_LIMITS.frameBytes - 30) }).padEnd(WS_LIMITS.frameBytes, ' '));
    await ws.until((f) => f.type === 'pong');
    // Within the gateway's quotas, so the function answers it (its own 64 KB limit), and the socket stays open.
    sendFragmented(ws, JSON.stringify({ action: 'sendMessage', threadId: 'x', content: 'q'.repeat(100 * 1024) }), WS_LIMITS.frameBytes);
    ws.send({ action: 'ping' });
    // Each frame is its own invocation (and each is metered first), so the last two answers may arrive in either order.
    const frames = await ws.until(() => ws.frames.length >= 3);
    expect(frames[0]).toEqual({ type: 'pong' });
    expect(frames.slice(1)).toHaveLength(2);
    expect(frames.slice(1)).toEqual(expect.arrayContaining([{ type: 'error', code: 'payload_too_large', message: 'Payload too large' }, { type: 'pong' }]));
    await ws.close();
  });

  it('closes with 1009 on a message over 128 KB even when every frame is within 32 KB', async () => {
    const ws = await connect(wsUrl(baseUrl(), { token: testUser('ws-message').token }));
    sendFragmented(ws, 'y'.repeat(WS_LIMITS.messageBytes + 1), WS_LIMITS.frameBytes);
    expect(await closeCode(ws)).toBe(1009);
  });
});

describe('WebSocket $connect URL length', () => {
  /** A URL of exactly `length` characters carrying a (garbage) token. */
  const urlOf = (length: number) => {
    const bare = wsUrl(baseUrl(), { token: '' });
    return bare + 't'.repeat(length - bare.length);
  };

  it('lets a 4,096-character URL reach the authorizer, and refuses 4,097 before it', async () => {
    expect(urlOf(4096)).toHaveLength(4096);
    const atLimit = await handshakeStatus(urlOf(4096));
    expect(atLimit.status).toBe(401); // the authorizer ran and refused the garbage token
    const over = await handshakeStatus(urlOf(4097));
    expect(over.status).toBe(414);
    expect(JSON.parse(over.body)).toEqual({ message: 'Request-URI Too Long' });
  });
});

describe('refused $connect', () => {
  it('answers with API Gateway\u2019s own 401 body, not the REST error shape', async () => {
    const res = await handshakeStatus(wsUrl(baseUrl(), { token: 'garbage' }));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ message: 'Unauthorized' });
  });
});
