// Threads benchmark: DynamoDB requests per API call (counted at the client) and local-stack latency
// p50/p95 for list threads, list items, post message, and deleting a 200-item thread.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { userIdFor } from '../functions/shared/core/authenticate';
import { keys } from '../functions/shared/core/keys';
import { mintDevToken, readDevIssuer } from '../infra/local/dev-issuer';
import { startLocalStack } from '../infra/local/stack';
import { startDynamoCounter } from './dynamo-counter';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const fmt = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort()
    .map(([k, v]) => `${k}×${v}`)
    .join(' + ') || '0';

export async function benchThreads(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-bench-'));
  let counter: Awaited<ReturnType<typeof startDynamoCounter>> | undefined;
  // The functions reach DynamoDB Local through the counting proxy.
  const stack = await startLocalStack({
    port: 0,
    dataDir,
    env: { ...process.env, JWT_ISSUER: undefined, JWKS_URI: undefined },
    log: () => undefined,
    functionsDynamodbEndpoint: async (endpoint) => (counter = await startDynamoCounter(endpoint)).endpoint,
  });
  const realEndpoint = stack.dynamodbEndpoint;
  const counting = counter!;
  const seeder = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: realEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  const tableName = stack.tableName;
  try {
    const sub = `bench-${Date.now()}`;
    const token = mintDevToken(dataDir, sub);
    const userId = userIdFor(readDevIssuer(dataDir).issuer, sub);
    const call = async (method: string, path: string, body?: unknown) => {
      const t0 = performance.now();
      const res = await fetch(`${stack.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return { ms, json: text ? JSON.parse(text) : null };
    };
    const newThread = async () => (await call('POST', '/threads', { title: 'bench' })).json.id as string;
    const seedItems = async (threadId: string, n: number) => {
      for (let i = 0; i < n; i += 25) {
        const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) => {
          const id = `01BENCH${String(i + j).padStart(19, '0')}`;
          return { PutRequest: { Item: { PK: keys.userPk(userId), SK: keys.itemSk(threadId, id), type: 'item', id, threadId, itemType: 'notice', content: `item ${i + j}`, createdAt: new Date().toISOString() } } };
        });
        await seeder.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
      }
    };

    for (let i = 0; i < 30; i++) await newThread();
    const chatThread = await newThread();
    await seedItems(chatThread, 40);
    // Warm every function once (cold start excluded from the numbers).
    await call('GET', '/threads');
    await call('GET', `/threads/${chatThread}/items`);
    await call('POST', `/threads/${chatThread}/messages`, { content: 'hello' });
    counting.take();

    const rows: Array<[string, string, number, number]> = [];
    const measure = async (name: string, rounds: number, before: (() => Promise<string>) | null, run: (arg: string) => Promise<{ ms: number }>) => {
      const times: number[] = [];
      let counts: Record<string, number> = {};
      for (let i = 0; i < rounds; i++) {
        const arg = before ? await before() : '';
        counting.take();
        times.push((await run(arg)).ms);
        counts = counting.take();
      }
      rows.push([name, fmt(counts), pct(times, 50), pct(times, 95)]);
    };

    await measure('GET /threads (limit 20)', ROUNDS, null, () => call('GET', '/threads'));
    await measure('GET /threads/{id}/items (limit 20)', ROUNDS, null, () => call('GET', `/threads/${chatThread}/items`));
    await measure('POST /threads/{id}/messages (chat)', ROUNDS, null, () => call('POST', `/threads/${chatThread}/messages`, { content: 'hello there' }));
    await measure('POST /threads/{id}/messages (creates a task)', ROUNDS, null, () => call('POST', `/threads/${chatThread}/messages`, { content: 'add a task to benchmark tomorrow' }));
    await measure('DELETE /threads/{id} (200 items)', Math.max(5, Math.floor(ROUNDS / 5)), async () => {
      const id = await newThread();
      await seedItems(id, 200);
      return id;
    }, (id) => call('DELETE', `/threads/${id}`));

    console.log('\nThreads: DynamoDB requests per call (counted at the client; the audit event is one TransactWriteItems, each rate-limit bucket one UpdateItem) and latency');
    console.log(`${'call'.padEnd(46)} ${'DynamoDB requests'.padEnd(44)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)}`);
    for (const [name, counts, p50, p95] of rows) {
      console.log(`${name.padEnd(46)} ${counts.padEnd(44)} ${p50.toFixed(1).padStart(7)} ${p95.toFixed(1).padStart(7)}`);
    }
  } finally {
    seeder.destroy();
    await counter?.close();
    await stack.stop();
  }
}
