// What the second wall costs a request (functions/shared/adapters/tenant-clients.ts): GetItems through
// the local enforcing endpoint with per-user scoped clients, against DynamoDB Local and the local STS.
// Measured: STS calls per 1,000 requests of 50 users, and the p50/p99 a request adds with a warm
// cache (credentials held by this environment), a cold one that another environment filled (the
// shared credential cache), and a cold one that must ask STS.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { sharedTenantCredentials, stsTenantCredentials, tenantClients, type TenantCredentialSource } from '../functions/shared/adapters/tenant-clients';
import { dynamoCredentialCache } from '../functions/shared/adapters/tenant-credential-cache';
import { tenantIdOf } from '../functions/shared/adapters/tenant-id';
import { keys } from '../functions/shared/core/keys';
import { systemClock } from '../functions/shared/core/ports';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { createAdminClient } from '../infra/local/dynamodb-supervisor';
import { freePort } from '../infra/local/stack';
import { ensureTables } from '../infra/local/tables';
import { startLocalTenantWall } from '../infra/local/tenant-wall';
import { tenantCredentials } from '../infra/local/tenant-isolation/tenant-credentials';
import { FUNCTIONS } from '../infra/routes';
import { percentile as pct, type Report } from './report';

const USERS = 50;
const REQUESTS = 1_000;
const REGION = 'local';

export async function benchTenantCredentials(report: Report): Promise<void> {
  const ddb = await startDynamoDbLocal({ dataDir: mkdtempSync(join(tmpdir(), 'threadguard-bench-')), port: await freePort() });
  const admin = createAdminClient(ddb.endpoint);
  const { main: tableName } = await ensureTables(admin);
  const wall = await startLocalTenantWall({ dynamoDbLocalEndpoint: ddb.endpoint, tableName, region: REGION, defs: [FUNCTIONS.threads], credentialsSecret: 'bench-credentials-secret-0123456789' });
  try {
    const runtime = wall.runtimeFor(FUNCTIONS.threads);
    const own = { accessKeyId: runtime.AWS_ACCESS_KEY_ID!, secretAccessKey: runtime.AWS_SECRET_ACCESS_KEY! };
    const table = { tableName, endpoint: wall.info.dynamodbEndpoint };
    const shared = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: table.endpoint, region: REGION, credentials: own }));
    const sts = new STSClient({ endpoint: wall.info.stsEndpoint, region: REGION, credentials: own });
    const cache = dynamoCredentialCache({ client: shared, tableName, secret: { get: async () => 'bench-credentials-secret-0123456789', refresh: async () => '' } });
    /** One execution environment: its own per-tenant cache, the shared cache behind it. */
    let stsCalls = 0;
    const assumeRole = stsTenantCredentials(wall.info.tenantRoleArn, sts);
    const counted: TenantCredentialSource = (tenant) => (stsCalls++, assumeRole(tenant));
    const environment = () => tenantClients({ table, shared, credentials: sharedTenantCredentials(counted, cache, systemClock), clock: systemClock });
    const users = Array.from({ length: USERS }, (_, i) => `bench-issuer:user-${i}`);
    const get = (client: DynamoDBDocumentClient, user: string) => client.send(new GetCommand({ TableName: tableName, Key: { PK: keys.userPk(tenantIdOf(user)), SK: 'PROFILE' } }));
    const timed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };

    // Baseline: a client already holding a user's scoped credentials, on the same connection pool.
    const creds = await tenantCredentials(wall.info, users[0]!);
    const direct = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: table.endpoint, region: REGION, credentials: { ...creds, expiration: new Date(creds.expiration) }, requestHandler: shared.config.requestHandler }),
    );
    for (let i = 0; i < 100; i++) await get(direct, users[0]!);

    // Cold, STS: a fresh environment and an empty shared cache (first request of each user anywhere).
    const first = environment();
    const coldSts: number[] = [];
    for (const u of users) coldSts.push(await timed(() => get(first.forUser(u), u)));
    // Warm: the same environment, 1,000 requests round the 50 users, interleaved with the baseline so
    // both see the same machine.
    const base: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const u = users[i % USERS]!;
      base.push(await timed(() => get(direct, users[0]!)));
      warm.push(await timed(() => get(first.forUser(u), u)));
    }
    const stsPer1000 = stsCalls;
    // Cold, shared: another environment, whose users' credentials the first one stored.
    const second = environment();
    const coldShared: number[] = [];
    for (const u of users) coldShared.push(await timed(() => get(second.forUser(u), u)));

    const section = 'second wall: scoped credentials per request (local STS and enforcing endpoint)';
    report.add(section, `STS calls per ${REQUESTS} requests of ${USERS} users (one environment)`, stsPer1000, 'calls', stsPer1000 <= USERS);
    report.add(section, 'STS calls of a second environment (shared cache filled)', stsCalls - stsPer1000, 'calls', stsCalls === stsPer1000);
    report.add(section, 'credential fetches of the second environment (shared cache reads)', second.stats().credentialFetches, 'reads');
    report.add(section, 'GetItem p50, credentials already in hand (baseline)', pct(base, 50), 'ms');
    report.add(section, 'added p50, warm cache', pct(warm, 50) - pct(base, 50), 'ms', pct(warm, 50) - pct(base, 50) <= 1);
    report.add(section, 'added p99, warm cache', pct(warm, 99) - pct(base, 99), 'ms');
    report.add(section, 'added p50, cold: shared cache hit', pct(coldShared, 50) - pct(base, 50), 'ms');
    report.add(section, 'added p99, cold: shared cache hit', pct(coldShared, 99) - pct(base, 99), 'ms');
    report.add(section, 'added p50, cold: AssumeRole (local STS)', pct(coldSts, 50) - pct(base, 50), 'ms');
    report.add(section, 'added p99, cold: AssumeRole (local STS)', pct(coldSts, 99) - pct(base, 99), 'ms');
    sts.destroy();
  } finally {
    await wall.isolation.close();
    admin.destroy();
    await ddb.stop();
  }
}
