// Durable audit trail: one item per event under AUDIT#<actor>, kept for a retention period (TTL),
// and the same event as a structured log line.
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, AuditLog, AuditRecord } from '../core/audit';
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

export class DynamoDbAuditLog implements AuditLog {
  constructor(private readonly props: DynamoDbAuditLogProps) {}

  async record(record: AuditRecord): Promise<void> {
    const now = this.props.clock.now();
    const event: AuditEvent = { id: this.props.ids.next(), at: now.toISOString(), ...record };
    const retentionSeconds = (this.props.retentionDays ?? 90) * 86_400;
    await this.props.client.send(
      new PutCommand({
        TableName: this.props.tableName,
        Item: {
          PK: keys.auditPk(event.userId),
          SK: keys.auditSk(event.at, event.id),
          type: 'audit',
          ...event,
          expiresAt: Math.floor(now.getTime() / 1000) + retentionSeconds,
        },
      }),
    );
    this.props.log?.(event);
  }
}
