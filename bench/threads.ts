// Threads benchmark: DynamoDB requests per API call (counted at the client) and local-stack latency
// p50/p95 for list threads, list items, post message, and deleting a 200-item thread.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminClient } from '../infra/local/dynamodb-supervisor';
import { BatchWriteCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { userIdFor } from '../functions/shared/adapters/node-crypto';
import { keys } from '../functions/shared/core/keys';
import { tenantIdOf } from '../functions/shared/adapters/tenant-id';
import { mintDevToken, readDevIssuer } from '../infra/local/dev-issuer';
import { benchStack } from './bench-stack';
import { percentile as pct } from './report';
import { startDynamoCounter, type DynamoCounter } from './dynamo-counter';
import { printCostPerMillionReads } from './cost';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);

const fmt = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort()
    .map(([k, v]) => `${k}×${v}`)
    .join(' + ') || '0';

export async function benchThreads(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-bench-'));
  let counter: Awaited<ReturnType<typeof startDynamoCounter>> | undefined;
  // The functions reach DynamoDB Local through the counting proxy.
  const stack = await benchStack(dataDir, {
    functionsDynamodbEndpoint: async (endpoint) => (counter = await startDynamoCounter(endpoint)).endpoint,
  });
  const realEndpoint = stack.dynamodbEndpoint;
  const counting = counter!;
  const seeder = DynamoDBDocumentClient.from(
    createAdminClient(realEndpoint),
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
          return { PutRequest: { Item: { PK: keys.userPk(tenantIdOf(userId)), SK: keys.itemSk(threadId, id), type: 'item', id, threadId, itemType: 'notice', content: `item ${i + j}`, createdAt: new Date().toISOString() } } };
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

    const rows: Array<[string, string, string, number, number]> = [];
    const measure = async (name: string, rounds: number, before: (() => Promise<string>) | null, run: (arg: string) => Promise<{ ms: number }>) => {
      const times: number[] = [];
      let counts: Record<string, number> = {};
      let units = { read: 0, write: 0 };
      for (let i = 0; i < rounds; i++) {
        const arg = before ? await before() : '';
        counting.take();
        counting.takeCapacity();
        times.push((await run(arg)).ms);
        counts = counting.take();
        units = counting.takeCapacity();
      }
      rows.push([name, fmt(counts), `${units.read} RCU + ${units.write} WCU`, pct(times, 50), pct(times, 95)]);
    };

    await measure('GET /threads/{id}', ROUNDS, null, () => call('GET', `/threads/${chatThread}`));
    await measure('GET /threads (limit 20)', ROUNDS, null, () => call('GET', '/threads'));
    await measure('GET /threads/{id}/items (limit 20)', ROUNDS, null, () => call('GET', `/threads/${chatThread}/items`));
    await measure('POST /threads/{id}/messages (chat)', ROUNDS, null, () => call('POST', `/threads/${chatThread}/messages`, { content: 'hello there' }));
    await measure('POST /threads/{id}/messages (creates a task)', ROUNDS, null, () => call('POST', `/threads/${chatThread}/messages`, { content: 'add a task to benchmark tomorrow' }));
    await measure('DELETE /threads/{id} (200 items)', Math.max(5, Math.floor(ROUNDS / 5)), async () => {
      const id = await newThread();
      await seedItems(id, 200);
      return id;
    }, (id) => call('DELETE', `/threads/${id}`));

    console.log(
      '\nThreads: DynamoDB requests per call (counted at the client; the audit event is one BatchWriteItem of two puts, each rate-limit bucket one UpdateItem), capacity consumed (ReturnConsumedCapacity) and latency',
    );
    console.log(`${'call'.padEnd(46)} ${'DynamoDB requests'.padEnd(52)} ${'capacity'.padEnd(18)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)}`);
    for (const [name, counts, units, p50, p95] of rows) {
      console.log(`${name.padEnd(46)} ${counts.padEnd(52)} ${units.padEnd(18)} ${p50.toFixed(1).padStart(7)} ${p95.toFixed(1).padStart(7)}`);
    }
    const read = rows[0]!;
    const [rcu, wcu] = read[2].match(/[\d.]+/g)!.map(Number);
    // Query pages cost 1 RCU per 4 KB read (strongly consistent), so a list's read units grow with its page.
    console.log(`goal: an audited read (GET /threads/{id}) costs <= 1 RCU + 3 WCU: ${rcu} RCU + ${wcu} WCU ${rcu! <= 1 && wcu! <= 3 ? '[goal met]' : '[GOAL MISSED]'}`);
    printCostPerMillionReads({ readUnits: rcu!, writeUnits: wcu!, latencyMs: read[3] });

    await benchAuditWrite(seeder, tableName);
    await benchHotKeys(stack.url, dataDir, counting);
  } finally {
    seeder.destroy();
    await counter?.close();
    await stack.stop();
  }
}

/**
 * The audit write before and after, in one run: the same two copies of one event as the
 * TransactWriteItems the audit log used to send and as the BatchWriteItem it sends now.
 */
async function benchAuditWrite(client: DynamoDBDocumentClient, tableName: string): Promise<void> {
  const item = (pk: string, n: number) => ({ PK: pk, SK: `2026-01-01T00:00:00.000Z#${n}`, type: 'audit', action: 'thread.read', userAgent: 'bench/1.0', expiresAt: 0 });
  const timed = async (send: (n: number) => Promise<unknown>) => {
    const times: number[] = [];
    for (let n = 0; n < ROUNDS * 2; n++) {
      const t0 = performance.now();
      await send(n);
      times.push(performance.now() - t0);
    }
    return times;
  };
  const before = await timed((n) =>
    client.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: tableName, Item: item('AUDIT#bench-tx', n) } }, { Put: { TableName: tableName, Item: item('AUDIT_ALL#bench-tx', n) } }] })),
  );
  const after = await timed((n) =>
    client.send(new BatchWriteCommand({ RequestItems: { [tableName]: [{ PutRequest: { Item: item('AUDIT#bench-batch', n) } }, { PutRequest: { Item: item('AUDIT_ALL#bench-batch', n) } }] } })),
  );
  console.log('\nAudit event write (two copies), DynamoDB Local, same run: p50 / p95 ms');
  console.log(`  before: TransactWriteItems (4 WCU)   ${pct(before, 50).toFixed(2)} / ${pct(before, 95).toFixed(2)}`);
  console.log(`  after:  BatchWriteItem (2 WCU)       ${pct(after, 50).toFixed(2)} / ${pct(after, 95).toFixed(2)}`);
}

const HOT_USERS = 30;
const HOT_REQUESTS = 6;

/**
 * 30 users x 6 requests (create, list, read items, post a message, list tasks, read the thread),
 * run concurrently; prints how writes spread over partition keys: the busiest key that belongs to
 * no single user against the busiest user-owned key.
 */
async function benchHotKeys(url: string, dataDir: string, counter: DynamoCounter): Promise<void> {
  const run = `hot-${Date.now()}`;
  const users = Array.from({ length: HOT_USERS }, (_, i) => {
    const sub = `${run}-${i}`;
    return { token: mintDevToken(dataDir, sub), userId: userIdFor(readDevIssuer(dataDir).issuer, sub) };
  });
  counter.takeWrites();
  const statuses: Record<number, number> = {};
  await Promise.all(
    users.map(async ({ token }) => {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const text = await res.text();
        return text ? JSON.parse(text) : null;
      };
      const thread = (await call('POST', '/threads', { title: 'hot keys' })) as { id: string };
      await call('GET', '/threads');
      await call('GET', `/threads/${thread.id}/items`);
      await call('POST', `/threads/${thread.id}/messages`, { content: 'hello' });
      await call('GET', '/tasks');
      await call('GET', `/threads/${thread.id}`);
    }),
  );
  const writes = counter.takeWrites();
  const total = [...writes.values()].reduce((a, b) => a + b, 0);
  const ownerOf = (pk: string) => users.find((u) => pk.includes(u.userId.replace(/#/g, '%23')));
  let busiestUser: [string, number] = ['', 0];
  let busiestShared: [string, number] = ['', 0];
  let busiestAny: [string, number] = ['', 0];
  for (const [pk, n] of writes) {
    if (n > busiestAny[1]) busiestAny = [pk, n];
    if (ownerOf(pk)) {
      if (n > busiestUser[1]) busiestUser = [pk, n];
    } else if (n > busiestShared[1]) busiestShared = [pk, n];
  }
  const label = (pk: string) => {
    const owner = ownerOf(pk);
    return owner ? pk.replace(owner.userId.replace(/#/g, '%23'), '<user>') : pk;
  };
  console.log(`\nHot keys: ${HOT_USERS} users x ${HOT_REQUESTS} requests, concurrent (statuses ${JSON.stringify(statuses)}); ${total} item writes over ${writes.size} partition keys`);
  console.log(`  largest share of writes on one key:       ${((100 * busiestAny[1]) / total).toFixed(1)}% (${busiestAny[1]} writes, ${label(busiestAny[0])})`);
  console.log(`  busiest key of one user:                  ${busiestUser[1]} writes (${label(busiestUser[0])})`);
  console.log(`  busiest key of no single user:            ${busiestShared[1]} writes (${label(busiestShared[0])})`);
  const met = busiestShared[1] <= 2 * busiestUser[1];
  console.log(`goal: no shared key holds more than 2x the busiest user key: ${busiestShared[1]} <= ${2 * busiestUser[1]} ${met ? '[goal met]' : '[GOAL MISSED]'}`);
}
