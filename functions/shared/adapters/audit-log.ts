// Durable audit trail: each event is written under AUDIT#<actor> (the per-user list) and under one
// shard of AUDIT_ALL#<utc-day> (the unfiltered admin list, read by Query, never Scan), kept for a
// retention period (TTL), and logged as a structured line.
//
// The two copies are one BatchWriteItem, not a transaction: both are idempotent puts of the same
// event id, so retrying unprocessed items until both land gives the same result at half the write
// units (a transactional write costs two units per item). The day list is spread over `shards`
// partition keys, a shard per write, so no key takes every user's writes; reads merge the shards
// newest first.
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUDIT_ACTIONS, type AuditEvent, type AuditLog, type AuditPage, type AuditPosition, type AuditReader, type AuditRecord } from '../core/audit';
import type { IdGenerator } from '../core/ids';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import { queryPage } from './dynamo-reads';

export interface DynamoDbAuditLogProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** @default 90 */
  readonly retentionDays?: number;
  /** Partition keys per day of the unfiltered list. @default 16 */
  readonly shards?: number;
  /** Receives each stored event (the function's structured logger). */
  readonly log?: (event: AuditEvent) => void;
}

type Row = Record<string, unknown>;

const EVENT_FIELDS = ['id', 'at', 'action', 'userId', 'ownerId', 'threadId', 'outcome', 'ip', 'userAgent', 'requestId', 'reason'] as const;
const DAY_MS = 86_400_000;
const utcDay = (at: string) => at.slice(0, 10);

function toEvent(item: Row): AuditEvent {
  const out: Record<string, unknown> = {};
  for (const f of EVENT_FIELDS) out[f] = item[f] ?? null;
  if (!(AUDIT_ACTIONS as readonly unknown[]).includes(out.action)) throw new Error('corrupt audit item');
  return out as unknown as AuditEvent;
}

/** One partition read newest first, page by page on DynamoDB's own continuation. */
interface Source {
  readonly pk: string;
  buffer: Row[];
  start: Row | undefined;
  done: boolean;
}

export class DynamoDbAuditLog implements AuditLog, AuditReader {
  /** Round robin from a random start: each instance spreads its writes evenly over the shards. */
  private nextShard: number;

  constructor(private readonly props: DynamoDbAuditLogProps) {
    this.nextShard = Math.floor(Math.random() * this.shards);
  }

  private get retentionDays(): number {
    return this.props.retentionDays ?? 90;
  }

  get shards(): number {
    return this.props.shards ?? 16;
  }

  async record(record: AuditRecord): Promise<void> {
    const now = this.props.clock.now();
    const event: AuditEvent = { id: this.props.ids.next(), at: now.toISOString(), ...record };
    const expiresAt = Math.floor(now.getTime() / 1000) + this.retentionDays * 86_400;
    const shard = this.nextShard;
    this.nextShard = (shard + 1) % this.shards;
    const item = { SK: keys.auditSk(event.at, event.id), type: 'audit', ...event, expiresAt };
    // Two PutItems, not a BatchWriteItem: IAM authorizes a batch as one action that may also
    // delete, so the audit families' grant is PutItem only (append only; infra/tenant-access.ts).
    const put = (PK: string) => this.props.client.send(new PutCommand({ TableName: this.props.tableName, Item: { PK, ...item } }));
    await Promise.all([put(keys.auditPk(event.userId)), put(keys.auditDayPk(utcDay(event.at), shard))]);
    this.props.log?.(event);
  }

  async list(query: { actorId: string | null; limit: number; after: AuditPosition | null }): Promise<AuditPage> {
    return query.actorId === null ? this.listAll(query.limit, query.after) : this.listActor(query.actorId, query.limit, query.after);
  }

  private source(pk: string): Source {
    return { pk, buffer: [], start: undefined, done: false };
  }

  /** Reads the source's next page(s) until it has a row or its partition ends. */
  private async fill(src: Source, beforeSk: string | undefined, limit: number): Promise<void> {
    while (src.buffer.length === 0 && !src.done) {
      const res = await this.props.client.send(
        new QueryCommand({
          TableName: this.props.tableName,
          KeyConditionExpression: beforeSk ? 'PK = :pk AND SK < :before' : 'PK = :pk',
          ExpressionAttributeValues: { ':pk': src.pk, ...(beforeSk ? { ':before': beforeSk } : {}) },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: src.start,
        }),
      );
      src.buffer = (res.Items ?? []) as Row[];
      src.start = res.LastEvaluatedKey;
      src.done = src.start === undefined;
    }
  }

  /**
   * Newest-first merge of the sources into `found` until it holds `want` rows or every source
   * ended. Sort keys are `<at>#<id>`, so they order events across partitions.
   */
  private async merge(sources: Source[], beforeSk: string | undefined, found: Row[], want: number): Promise<void> {
    // A first page per shard sized for an even spread (plus slack); a drained shard reads on.
    const first = Math.min(want - found.length, Math.ceil((2 * (want - found.length)) / sources.length) + 1);
    await Promise.all(sources.map((s) => this.fill(s, beforeSk, first)));
    while (found.length < want) {
      await Promise.all(sources.filter((s) => s.buffer.length === 0 && !s.done).map((s) => this.fill(s, beforeSk, want - found.length)));
      let best: Source | null = null;
      for (const s of sources) if (s.buffer.length > 0 && (!best || String(s.buffer[0]!.SK) > String(best.buffer[0]!.SK))) best = s;
      if (!best) return;
      found.push(best.buffer.shift()!);
    }
  }

  /** One partition, newest first: a plain page (the shard merge is for the day list); the last page has no cursor. */
  private async listActor(actorId: string, limit: number, after: AuditPosition | null): Promise<AuditPage> {
    const before = after?.sk;
    const { rows, more } = await queryPage(
      this.props.client,
      {
        TableName: this.props.tableName,
        KeyConditionExpression: before ? 'PK = :pk AND SK < :before' : 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.auditPk(actorId), ...(before ? { ':before': before } : {}) },
        ScanIndexForward: false,
      },
      limit,
    );
    const last = rows[rows.length - 1];
    return { events: rows.map(toEvent), next: more && last ? { sk: String(last.SK) } : null };
  }

  /** Walks day partitions (all shards of each) back from the cursor's day (or today) to the retention horizon. */
  private async listAll(limit: number, after: AuditPosition | null): Promise<AuditPage> {
    const now = this.props.clock.now().getTime();
    const oldest = utcDay(new Date(now - this.retentionDays * DAY_MS).toISOString());
    let day = after?.day && /^\d{4}-\d{2}-\d{2}$/.test(after.day) ? after.day : utcDay(new Date(now).toISOString());
    let beforeSk = after?.sk;
    const found: Row[] = [];
    while (day >= oldest && found.length <= limit) {
      const sources = Array.from({ length: this.shards }, (_, shard) => this.source(keys.auditDayPk(day, shard)));
      await this.merge(sources, beforeSk, found, limit + 1);
      beforeSk = undefined;
      day = utcDay(new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString());
    }
    const kept = found.slice(0, limit);
    const last = kept[kept.length - 1];
    const next = found.length > limit && last ? { day: utcDay(String(last.at)), sk: String(last.SK) } : null;
    return { events: kept.map(toEvent), next };
  }
}
