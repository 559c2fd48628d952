// Starting DynamoDB Local on a port someone else took between the free-port check and Java's bind
// (other processes pick ports too) must neither hang the stack's start nor fail it: the start moves
// to another port. A listener that accepts and never answers is the worst case for the readiness probe.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createAdminClient, openDynamoDb } from '../../infra/local/dynamodb-supervisor';
import { PortTakenError, startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { freePort } from '../../infra/local/stack';

const held: Server[] = [];
/** A port with a listener that accepts connections and never answers them. */
async function silentListener(): Promise<number> {
  const server = createServer(() => undefined);
  held.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}
afterEach(() => {
  for (const s of held.splice(0)) s.close();
});

describe('DynamoDB Local start on a taken port', () => {
  it('reports the taken port instead of waiting on a listener that never answers', async () => {
    const port = await silentListener();
    const start = startDynamoDbLocal({ dataDir: mkdtempSync(join(tmpdir(), 'tg-taken-')), port });
    await expect(start).rejects.toBeInstanceOf(PortTakenError);
  });

  it('moves to another port and serves requests there', async () => {
    const taken = await silentListener();
    const ports = [taken];
    const db = await openDynamoDb({
      dataDir: mkdtempSync(join(tmpdir(), 'tg-moved-')),
      port: async () => (ports.length ? ports.shift()! : freePort()),
      env: {},
      log: () => undefined,
    });
    try {
      expect(db.endpoint).not.toContain(`:${taken}`);
      const client = createAdminClient(db.endpoint);
      await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
      client.destroy();
    } finally {
      await db.stop();
    }
  });
});
