// `npm run bench:load`: the load and fault suite, bounded in time, on 127.0.0.1 only. A local stack
// whose functions reach DynamoDB Local through the fault proxy; 50 users of a mixed workload at
// concurrency 20, 50 and 100 with throttling, 500s, replies lost after the write and added latency
// injected; then DynamoDB Local stopped for 10 s mid-run and started again on the same data. An
// integrity pass after each run. Prints throughput, latency percentiles, every status counted and
// process memory. BENCH_LOAD_SECONDS sets each run's length (default 15).
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminClient } from '../infra/local/dynamodb-supervisor';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { userIdFor } from '../functions/shared/adapters/node-crypto';
import { mintDevToken, readDevIssuer } from '../infra/local/dev-issuer';
import { startDynamoDbLocal, type DynamoDbLocal } from '../infra/local/dynamodb-local';
import { freePort } from '../infra/local/stack';
import { benchStack } from './bench-stack';
import { startFaultProxy, type FaultPolicy } from './fault-proxy';
import { checkIntegrity, localStackCipher } from './integrity';
import { loadUser, runLoad, type LoadResult, type LoadUser } from './load-driver';
import { percentile } from './report';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 15);
const USERS = 50;
const OUTAGE_MS = 10_000;

/** Faults on a share of DynamoDB requests: 1 % throttled, 0.5 % a 500, 0.5 % reply lost after the write, 5 % +20-80 ms. */
const FAULTS: FaultPolicy = () => {
  const r = Math.random();
  if (r < 0.01) return { kind: 'throttle' };
  if (r < 0.015) return { kind: 'error500' };
  if (r < 0.02) return { kind: 'dropAfterForward' };
  if (r < 0.07) return { kind: 'delay', ms: 20 + Math.random() * 60 };
  return { kind: 'pass' };
};

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

function report(name: string, r: LoadResult, memBefore: NodeJS.MemoryUsage, memAfter: NodeJS.MemoryUsage, faults: Record<string, number>) {
  const statuses = Object.entries(r.statuses)
    .sort()
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  console.log(`\n## ${name}`);
  console.log(`  requests ${r.requests} in ${r.seconds.toFixed(1)} s: ${(r.requests / r.seconds).toFixed(1)} req/s`);
  console.log(`  latency ms p50 ${percentile(r.latenciesMs, 50).toFixed(1)}  p95 ${percentile(r.latenciesMs, 95).toFixed(1)}  p99 ${percentile(r.latenciesMs, 99).toFixed(1)}`);
  console.log(`  statuses ${statuses}`);
  console.log(`  faults injected ${JSON.stringify(faults)}`);
  console.log(`  memory rss ${mb(memBefore.rss)} -> ${mb(memAfter.rss)}, heap ${mb(memBefore.heapUsed)} -> ${mb(memAfter.heapUsed)}`);
  const fivexx = r.unexpected.length;
  console.log(`  goal: no 5xx but the documented 503, no connection errors: ${fivexx} ${fivexx === 0 ? '[goal met]' : '[GOAL MISSED]'}`);
  for (const line of r.unexpected.slice(0, 5)) console.log(`    ${line}`);
}

async function integrity(client: DynamoDBDocumentClient, tableName: string, users: readonly LoadUser[]) {
  const problems = await checkIntegrity(client, tableName, users.map((u) => u.ack), localStackCipher(dataDir, client, tableName));
  console.log(`  integrity: ${problems.length === 0 ? 'no half exchange, duplicate, twice-created task, orphan item, counter mismatch or lost acknowledged write [goal met]' : `${problems.length} problems [GOAL MISSED]`}`);
  for (const p of problems.slice(0, 10)) console.log(`    ${p}`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'threadguard-load-'));
const ddbPort = await freePort();
let ddb: DynamoDbLocal = await startDynamoDbLocal({ dataDir, port: ddbPort });
const proxy = await startFaultProxy(ddb.endpoint);
const stack = await benchStack(dataDir, {
  env: {
    DYNAMODB_ENDPOINT: proxy.endpoint,
    // The limits would refuse a load test's traffic; they are tested on their own.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RESPOND_LIMIT_PER_MINUTE: '1000000',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
  },
});
const direct = DynamoDBDocumentClient.from(
  createAdminClient(ddb.endpoint),
);
try {
  const issuer = readDevIssuer(dataDir).issuer;
  const run = `load-${Date.now()}`;
  const users = Array.from({ length: USERS }, (_, i) => loadUser(mintDevToken(dataDir, `${run}-${i}`), userIdFor(issuer, `${run}-${i}`)));
  console.log(`ThreadGuard load and fault suite: ${USERS} users, ${SECONDS} s per run, stack ${stack.url}, DynamoDB Local behind a fault proxy`);
  console.log(`${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
  // Warm every function once (cold starts out of the figures).
  await runLoad({ url: stack.url, users, concurrency: 5, maxRequests: 60 });

  for (const concurrency of [20, 50, 100]) {
    for (const k of Object.keys(proxy.injected)) delete proxy.injected[k];
    proxy.setPolicy(FAULTS);
    const before = process.memoryUsage();
    const r = await runLoad({ url: stack.url, users, concurrency, durationMs: SECONDS * 1000 });
    const after = process.memoryUsage();
    proxy.setPolicy(() => ({ kind: 'pass' }));
    report(`mixed load, concurrency ${concurrency}, faults injected`, r, before, after, { ...proxy.injected });
    await integrity(direct, stack.tableName, users);
  }

  // DynamoDB Local stopped for 10 s in the middle of a run, then started again on the same data.
  for (const k of Object.keys(proxy.injected)) delete proxy.injected[k];
  const outageRun = Math.max(SECONDS * 1000, OUTAGE_MS + 10_000);
  const before = process.memoryUsage();
  const outage = (async () => {
    await new Promise((r) => setTimeout(r, (outageRun - OUTAGE_MS) / 2));
    await ddb.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const restartAt = Date.now();
    ddb = await startDynamoDbLocal({ dataDir, port: ddbPort });
    return { stoppedMs: restartAt - stoppedAt, downMs: Date.now() - stoppedAt };
  })();
  const r = await runLoad({ url: stack.url, users, concurrency: 50, durationMs: outageRun });
  const { stoppedMs, downMs } = await outage;
  const after = process.memoryUsage();
  report(
    `DynamoDB Local stopped for ${(stoppedMs / 1000).toFixed(1)} s mid-run, answering again after ${(downMs / 1000).toFixed(1)} s (concurrency 50), no stack restart`,
    r,
    before,
    after,
    {},
  );
  const recovered = await runLoad({ url: stack.url, users, concurrency: 5, maxRequests: 50 });
  const ok = Object.entries(recovered.statuses).every(([s]) => Number(s) >= 200 && Number(s) < 300);
  console.log(`  after the restart: ${JSON.stringify(recovered.statuses)} ${ok ? '[goal met: recovered without restarting the stack]' : '[GOAL MISSED]'}`);
  await integrity(direct, stack.tableName, users);
} finally {
  direct.destroy();
  await stack.stop();
  await proxy.close();
  await ddb.stop();
}
process.exit(0);
