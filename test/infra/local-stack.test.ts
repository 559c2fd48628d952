// The local stack's listeners: the public port serves the API only; the emulated WebSocket
// Management API has its own loopback listener that only the functions are told about; Ctrl-C
// (SIGINT, as `npm start` gets it) closes every listener and DynamoDB Local, open connections included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../infra/local/dev-issuer';
import { startStackProcess, type StackProcess } from '../helpers/stack-process';
import { connect, wsUrl } from '../helpers/ws-client';

const NOT_FOUND = { error: { code: 'not_found', message: 'Not found' } };

const refuses = async (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    () => false,
    (err: Error) => /ECONNREFUSED/.test(String((err.cause as Error | undefined)?.message ?? err.message)),
  );

describe('local stack listeners', () => {
  let stack: StackProcess;
  let info: { url: string; managementEndpoint: string; dynamodbEndpoint: string };
  let stopped = false;

  beforeAll(async () => {
    stack = await startStackProcess();
    info = JSON.parse(readFileSync(join(stack.dataDir, 'local-stack.json'), 'utf8'));
  });
  afterAll(async () => {
    if (!stopped) await stack.stop();
  });

  it('serves the Management API on its own loopback port, never on the public one', async () => {
    const management = new URL(info.managementEndpoint);
    expect(management.hostname).toBe('127.0.0.1');
    expect(management.port).not.toBe(new URL(stack.baseUrl).port);
    // The private listener answers the Management API (an unknown connection is gone) ...
    const gone = await fetch(`${info.managementEndpoint}/@connections/nope`, { method: 'POST', body: '{}' });
    expect(gone.status).toBe(410);
    // ... and nothing else.
    expect((await fetch(new URL('/me', management).href)).status).toBe(404);
    // The public port knows neither the path nor the bare Management API route.
    for (const path of [`${management.pathname}/@connections/nope`, '/@connections/nope']) {
      const res = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', body: '{}' });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual(NOT_FOUND);
    }
  });

  it('runs DynamoDB Local listening on 127.0.0.1 only, not on every interface', () => {
    // The kernel's own table of listening TCP sockets (state 0A), addresses in hex.
    const port = Number(new URL(info.dynamodbEndpoint).port);
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = ['/proc/net/tcp', '/proc/net/tcp6']
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1))
      .map((l) => l.trim().split(/\s+/))
      .filter((cols) => cols[3] === '0A' && cols[1]?.endsWith(`:${hexPort}`))
      .map((cols) => cols[1]!.split(':')[0]!);
    expect(listening.length).toBeGreaterThan(0);
    // 127.0.0.1 as IPv4 (0100007F) or as an IPv4-mapped IPv6 address; never the any-address.
    for (const addr of listening) expect(['0100007F', '0000000000000000FFFF00000100007F']).toContain(addr);
  });

  it('still pushes WebSocket frames through the private listener', async () => {
    const client = await connect(wsUrl(stack.baseUrl, { token: mintDevToken(stack.dataDir, 'listener-user') }));
    try {
      client.send({ action: 'ping' });
      await client.until((f) => f.type === 'pong');
    } finally {
      await client.close();
    }
  });

  it('closes every listener and DynamoDB Local on SIGINT, with connections still open', async () => {
    const client = await connect(wsUrl(stack.baseUrl, { token: mintDevToken(stack.dataDir, 'open-conn') }));
    const closed = new Promise<void>((r) => client.socket.once('close', () => r()));
    // A keep-alive HTTP connection stays open too (fetch pools it).
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);

    const t0 = Date.now();
    await stack.stop(); // SIGINT; the helper would SIGKILL after 10 s
    stopped = true;
    expect(Date.now() - t0).toBeLessThan(9_000);
    await closed;
    for (const url of [`${stack.baseUrl}/health`, `${info.managementEndpoint}/@connections/x`, info.dynamodbEndpoint, stack.webUrl]) {
      expect(await refuses(url), url).toBe(true);
    }
  });
});
