// Durable audit trail: each event is written, in one transaction, under AUDIT#<actor> (the per-user
// list) and under AUDIT_ALL#<utc-day> (the unfiltered admin list, read by Query, never Scan), kept for
// a retention period (TTL), and logged as a structured line.
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUDIT_ACTIONS, type AuditEvent, type AuditLog, type AuditPage, type AuditPosition, type AuditReader, type AuditRecord } from '../core/audit';
import type { IdGenerator } from '../core/ids';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';

export interface DynamoDbAuditLogProps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** @default 90 */
  readonly retentionDays?: number;
  /** Receives each stored event (the function's structured logger). */
  readonly log?: (event: AuditEvent) => void;
}

const EVENT_FIELDS = ['id', 'at', 'action', 'userId', 'ownerId', 'threadId', 'outcome', 'ip', 'userAgent', 'requestId', 'reason'] as const;
const DAY_MS = 86_400_000;
const utcDay = (at: string) => at.slice(0, 10);

function toEvent(item: Record<string, unknown>): AuditEvent {
  const out: Record<string, unknown> = {};
  for (const f of EVENT_FIELDS) out[f] = item[f] ?? null;
  if (!(AUDIT_ACTIONS as readonly unknown[]).includes(out.action)) throw new Error('corrupt audit item');
  return out as unknown as AuditEvent;
}

export class DynamoDbAuditLog implements AuditLog, AuditReader {
  constructor(private readonly props: DynamoDbAuditLogProps) {}

  private get retentionDays(): number {
    return this.props.retentionDays ?? 90;
  }

  async record(record: AuditRecord): Promise<void> {
    const now = this.props.clock.now();
    const event: AuditEvent = { id: this.props.ids.next(), at: now.toISOString(), ...record };
    const expiresAt = Math.floor(now.getTime() / 1000) + this.retentionDays * 86_400;
    const SK = keys.auditSk(event.at, event.id);
    const item = { SK, type: 'audit', ...event, expiresAt };
    await this.props.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.props.tableName, Item: { PK: keys.auditPk(event.userId), ...item } } },
          { Put: { TableName: this.props.tableName, Item: { PK: keys.auditDayPk(utcDay(event.at)), ...item } } },
        ],
      }),
    );
    this.props.log?.(event);
  }

  async list(query: { actorId: string | null; limit: number; after: AuditPosition | null }): Promise<AuditPage> {
    return query.actorId === null ? this.listAll(query.limit, query.after) : this.listActor(query.actorId, query.limit, query.after);
  }

  /** Reads limit + 1 so the last page has no cursor. */
  private async page(PK: string, limit: number, afterSk: string | undefined) {
    const res = await this.props.client.send(
      new QueryCommand({
        TableName: this.props.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': PK },
        ScanIndexForward: false,
        Limit: limit + 1,
        ...(afterSk ? { ExclusiveStartKey: { PK, SK: afterSk } } : {}),
      }),
    );
    return (res.Items ?? []) as Record<string, unknown>[];
  }

  private async listActor(actorId: string, limit: number, after: AuditPosition | null): Promise<AuditPage> {
    const items = await this.page(keys.auditPk(actorId), limit, after?.sk);
    const kept = items.slice(0, limit);
    const last = kept[kept.length - 1];
    return { events: kept.map(toEvent), next: items.length > limit && last ? { sk: String(last.SK) } : null };
  }

  /** Walks day partitions back from the cursor's day (or today) to the retention horizon. */
  private async listAll(limit: number, after: AuditPosition | null): Promise<AuditPage> {
    const now = this.props.clock.now().getTime();
    const oldest = utcDay(new Date(now - this.retentionDays * DAY_MS).toISOString());
    let day = after?.day && /^\d{4}-\d{2}-\d{2}$/.test(after.day) ? after.day : utcDay(new Date(now).toISOString());
    let afterSk = after?.sk;
    const found: Record<string, unknown>[] = [];
    while (day >= oldest && found.length <= limit) {
      const items = await this.page(keys.auditDayPk(day), limit - found.length, afterSk);
      found.push(...items);
      afterSk = undefined;
      day = utcDay(new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString());
    }
    const kept = found.slice(0, limit);
    const last = kept[kept.length - 1];
    const next = found.length > limit && last ? { day: utcDay(String(last.at)), sk: String(last.SK) } : null;
    return { events: kept.map(toEvent), next };
  }
}
