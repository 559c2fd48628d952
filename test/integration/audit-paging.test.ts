// The audit listing pages on DynamoDB's own continuation (a Query stops at 1 MB, so large events
// end a page early) and merges the sharded day list newest first, with no event lost or repeated.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { userIdFor } from '../../functions/shared/adapters/node-crypto';
import type { AuditEvent, AuditRecord } from '../../functions/shared/core/audit';
import { ulidGenerator } from '../../functions/shared/core/ids';
import { keys } from '../../functions/shared/core/keys';
import { DynamoDbAuditLog } from '../../functions/shared/adapters/audit-log';
import { api } from '../helpers/http';
import { baseUrl, devIssuer, devToken, uniqueUser } from '../helpers/dev-tokens';
import { localDb } from '../helpers/local-db';

const record = (userId: string, n: number, userAgent = 'paging/1.0'): AuditRecord => ({
  action: 'thread.read',
  userId,
  ownerId: userId,
  threadId: `01PAGING${String(n).padStart(4, '0')}`,
  outcome: 'allowed',
  ip: '198.51.100.7',
  userAgent,
  requestId: `req-${n}`,
  reason: null,
});

/** A clock that ticks 1 ms per reading from a fixed instant, so each event has its own time. */
function tickingClock(startIso: string) {
  let t = Date.parse(startIso);
  return { now: () => new Date(t++) };
}

function store(shards: number, clock: { now(): Date }) {
  const { client, tableName } = localDb();
  return new DynamoDbAuditLog({ client, tableName, clock, ids: ulidGenerator(clock, (b) => crypto.getRandomValues(b)), shards, retentionDays: 2 });
}

async function pageAll(s: DynamoDbAuditLog, actorId: string | null, limit: number): Promise<{ events: AuditEvent[]; sizes: number[] }> {
  const events: AuditEvent[] = [];
  const sizes: number[] = [];
  let after = null;
  for (let i = 0; i < 100; i++) {
    const page = await s.list({ actorId, limit, after });
    events.push(...page.events);
    sizes.push(page.events.length);
    if (!page.next) return { events, sizes };
    after = page.next;
  }
  throw new Error('paging did not end');
}

describe('audit listing continuation', () => {
  const bigAgent = 'A'.repeat(15 * 1024);

  it('fills a page of 100 large (15 KB) events and hands out a cursor, filtered by user, over HTTP', async () => {
    const sub = uniqueUser('big-agent');
    const actor = userIdFor(devIssuer().issuer, sub);
    const s = store(16, { now: () => new Date() });
    for (let i = 0; i < 120; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => s.record(record(actor, i + j, bigAgent))));
    const admin = devToken(uniqueUser('root'), { roles: ['admin'] });
    const first = await api(baseUrl(), 'GET', `/admin/audit?limit=100&userId=${encodeURIComponent(actor)}`, { token: admin });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(100);
    expect(typeof first.body.nextCursor).toBe('string');
    const rest = await api(baseUrl(), 'GET', `/admin/audit?limit=100&userId=${encodeURIComponent(actor)}&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      token: admin,
    });
    expect(rest.body.data).toHaveLength(20);
    expect(rest.body.nextCursor).toBeNull();
  });

  describe('the unfiltered day list over several shards', () => {
    // A day of its own (the test's DATA_DIR is fresh), so the list holds exactly these events.
    const day = `20${10 + Math.floor(Math.random() * 80)}-03-0${1 + Math.floor(Math.random() * 8)}`;
    const written: string[] = [];
    let reader: DynamoDbAuditLog;

    beforeAll(async () => {
      const writer = store(5, tickingClock(`${day}T10:00:00.000Z`));
      const actors = Array.from({ length: 6 }, (_, i) => `iss:paging-${i}`);
      for (let n = 0; n < 60; n++) {
        await writer.record(record(actors[n % actors.length]!, n, n % 10 === 0 ? bigAgent : 'paging/1.0'));
      }
      // Events are written with increasing times; newest first is the reverse.
      reader = store(5, { now: () => new Date(`${day}T23:00:00.000Z`) });
      const all = await pageAll(reader, null, 100);
      written.push(...all.events.map((e) => e.id));
    });

    it('returns every event once, newest first, whatever the page size', async () => {
      expect(written).toHaveLength(60);
      for (const limit of [1, 7, 13, 60]) {
        const { events, sizes } = await pageAll(reader, null, limit);
        expect(events.map((e) => e.id)).toEqual(written);
        // Every page but the last is full.
        expect(sizes.slice(0, -1).every((n) => n === limit)).toBe(true);
      }
    });

    it('orders events across shards by time', async () => {
      const { events } = await pageAll(reader, null, 9);
      const keys = events.map((e) => `${e.at}#${e.id}`);
      expect(keys).toEqual([...keys].sort().reverse());
    });

    it('spreads one writer\'s events evenly over the shards', async () => {
      const { client, tableName } = localDb();
      const counts: number[] = [];
      for (let shard = 0; shard < 5; shard++) {
        const res = await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.auditDayPk(day, shard) }, Select: 'COUNT' }));
        counts.push(res.Count ?? 0);
      }
      expect(counts).toEqual([12, 12, 12, 12, 12]);
    });
  });
});
