// The third wall's cost (issue: per-user envelope encryption). Measured against DynamoDB Local and
// the KMS stand-in (real SDK clients): KMS calls per 1,000 requests of 50 users in one environment,
// and the time sealing and opening add per field. Simulated: 10,000 requests/s from 100,000 active
// users spread over 2,000 environments, for the design used (user keys wrapped under a cached
// key-encryption key) and for the alternative (each user key wrapped by KMS itself, cached per user
// per environment), with KMS's list price of $0.03 per 10,000 requests.
// https://aws.amazon.com/kms/pricing/
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { envelopeCipher } from '../functions/shared/adapters/envelope-cipher';
import { kmsKeySource } from '../functions/shared/adapters/kek-source';
import { createKmsClient } from '../functions/shared/adapters/kms-client';
import { systemClock } from '../functions/shared/core/ports';
import { createAdminClient, openDynamoDb } from '../infra/local/dynamodb-supervisor';
import { startKmsStandIn } from '../infra/local/kms-stand-in';
import { freePort } from '../infra/local/stack';
import { ensureTables } from '../infra/local/tables';
import { percentile, type Report } from './report';

const KMS_USD_PER_REQUEST = 0.03 / 10_000;
const GOAL_USD_PER_MILLION = 0.1;
const CACHE_MS = 300_000;
const SECTION = 'Content encryption (third wall)';

export async function benchContentCipher(report: Report): Promise<void> {
  // DynamoDB Local under its supervisor, or the one DYNAMODB_ENDPOINT names.
  const ddb = await openDynamoDb({ dataDir: mkdtempSync(join(tmpdir(), 'threadguard-bench-')), port: freePort, env: process.env, log: () => undefined });
  const kms = await startKmsStandIn({ keyMaterial: Buffer.alloc(32, 3), keyId: randomUUID() });
  try {
    const admin = createAdminClient(ddb.endpoint);
    const { main: tableName } = await ensureTables(admin);
    const client = DynamoDBDocumentClient.from(admin);
    const environment = () =>
      envelopeCipher({ clientFor: () => client, tableName, clock: systemClock, keks: kmsKeySource({ kms: createKmsClient(kms.endpoint), keyId: kms.keyArn, client, tableName, clock: systemClock }) });
    const users = Array.from({ length: 50 }, (_, i) => `bench-${i}-${randomUUID()}`);
    const content = 'x'.repeat(400);

    // 1,000 requests of 50 users in one cold environment: half write (seal), half read (open).
    const env = environment();
    const before = Object.values(kms.calls).reduce((a, b) => a + b, 0);
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 500; i++) sealed.push(await env.forUser(users[i % 50]!).seal(`ITEM#${i}`, 'content', content));
    for (let i = 0; i < 500; i++) await env.forUser(users[i % 50]!).open(`ITEM#${i}`, 'content', sealed[i]!);
    const calls = Object.values(kms.calls).reduce((a, b) => a + b, 0) - before;
    report.add(SECTION, 'KMS calls per 1,000 requests of 50 users (cold environment)', calls, 'calls');
    report.add(SECTION, '  same, if each user key were KMS-wrapped (per-user Decrypt)', 50, 'calls');
    const perMillion = (calls / 1000) * 1e6 * KMS_USD_PER_REQUEST;
    report.add(SECTION, 'KMS cost per million audited reads (this mix)', perMillion, 'USD', perMillion <= GOAL_USD_PER_MILLION);

    // Warm per-field cost: what a read or write adds, keys cached.
    const seals: number[] = [];
    const opens: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const user = env.forUser(users[i % 50]!);
      let t = performance.now();
      const s = await user.seal(`ITEM#w${i}`, 'content', content);
      seals.push(performance.now() - t);
      t = performance.now();
      await user.open(`ITEM#w${i}`, 'content', s);
      opens.push(performance.now() - t);
    }
    report.add(SECTION, 'added p50 per field written (seal, 400 B, warm key)', percentile(seals, 50), 'ms');
    report.add(SECTION, 'added p50 per field read (open, 400 B, warm key)', percentile(opens, 50), 'ms');
    report.add(SECTION, 'added p99 per field read (open, 400 B, warm key)', percentile(opens, 99), 'ms');
    report.add(SECTION, 'stored size of a 400 B field (ESDK message)', sealed[0]!.length, 'bytes');
    // A cold user in a warm environment: one GetItem of the wrapped user key plus a local unwrap.
    const cold: number[] = [];
    for (let i = 0; i < 50; i++) {
      const fresh = environment();
      await fresh.forUser(users[0]!).open('ITEM#0', 'content', sealed[0]!); // warms the KEK
      const t = performance.now();
      await fresh.forUser(users[(i % 49) + 1]!).open(`ITEM#${(i % 49) + 1}`, 'content', sealed[(i % 49) + 1]!);
      cold.push(performance.now() - t);
    }
    report.add(SECTION, 'added p50 for a user not cached here (GetItem + unwrap)', percentile(cold, 50), 'ms');
    admin.destroy();
  } finally {
    await kms.stop();
    await ddb.stop();
  }
  simulateInternetScale(report);
}

/** A small deterministic PRNG (mulberry32), so the simulation prints the same figures every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 10,000 requests/s, 100,000 users chosen uniformly (the worst case for caches), each request on one
 * of 2,000 environments at random, over 10 simulated minutes; counted over the last 5 (steady state).
 * Per-user design: a miss on (environment, user) within 5 minutes is a KMS Decrypt. KEK design: a
 * miss on the environment's KEK is a KMS Decrypt; a miss on (environment, user) is a GetItem.
 */
function simulateInternetScale(report: Report): void {
  const RPS = 10_000;
  const USERS = 100_000;
  const ENVS = 2_000;
  const SECONDS = 600;
  const MAX_USERS_PER_ENV = 1000;
  const random = prng(42);
  const userKeys = Array.from({ length: ENVS }, () => new Map<number, number>());
  const kekLoaded = new Float64Array(ENVS).fill(-Infinity);
  let userMisses = 0;
  let kekMisses = 0;
  let counted = 0;
  for (let s = 0; s < SECONDS; s++) {
    for (let r = 0; r < RPS; r++) {
      const now = s * 1000 + (r * 1000) / RPS;
      const steady = s >= SECONDS / 2;
      const env = Math.floor(random() * ENVS);
      const user = Math.floor(random() * USERS);
      const cache = userKeys[env]!;
      const at = cache.get(user);
      if (at === undefined || now - at >= CACHE_MS) {
        cache.delete(user);
        cache.set(user, now);
        if (cache.size > MAX_USERS_PER_ENV) cache.delete(cache.keys().next().value as number);
        if (steady) userMisses++;
      } else {
        cache.delete(user);
        cache.set(user, at);
      }
      if (now - kekLoaded[env]! >= CACHE_MS) {
        kekLoaded[env] = now;
        if (steady) kekMisses++;
      }
      if (steady) counted++;
    }
  }
  const window = SECONDS / 2;
  const section = 'Content encryption at 10k req/s, 100k users, 2,000 environments (simulated)';
  const perUserRate = userMisses / window;
  const kekRate = kekMisses / window;
  const usd = (kmsCalls: number) => (kmsCalls / counted) * 1e6 * KMS_USD_PER_REQUEST;
  const perMillion = (n: number) => (n / counted) * 1e6;
  report.add(section, 'per-user KMS keys: KMS calls per second', perUserRate, 'calls/s');
  report.add(section, 'per-user KMS keys: KMS calls per million requests', perMillion(userMisses), 'calls');
  report.add(section, 'per-user KMS keys: cache hit rate', 100 * (1 - userMisses / counted), '%');
  report.add(section, 'per-user KMS keys: KMS cost per million requests', usd(userMisses), 'USD', usd(userMisses) <= GOAL_USD_PER_MILLION);
  report.add(section, 'KEK design (used): KMS calls per second, per function', kekRate, 'calls/s');
  report.add(section, 'KEK design (used): KMS calls per million requests', perMillion(kekMisses), 'calls');
  report.add(section, 'KEK design (used): KMS cost per million requests', usd(kekMisses), 'USD', usd(kekMisses) <= GOAL_USD_PER_MILLION);
  // The per-user miss becomes a strongly consistent GetItem of a ~300-byte row: one read request unit.
  report.add(section, 'KEK design (used): user-key GetItems per second (1 RRU each)', perUserRate, 'reads/s');
}
