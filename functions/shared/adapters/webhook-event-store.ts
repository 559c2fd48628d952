// Webhook events in DynamoDB (WEBHOOK#<source>#<key> / EVENT), kept with a TTL for inspection.
// The conditional put on first sight is what makes delivery exactly-once under concurrent retries.
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import {
  WEBHOOK_CLAIM_LEASE_SECONDS,
  WEBHOOK_EVENT_RETENTION_DAYS,
  type ClaimResult,
  type NewWebhookEvent,
  type WebhookEventStore,
} from '../core/webhooks';
import { isConditionFailed } from './dynamo-writes';


export class DynamoDbWebhookEventStore implements WebhookEventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(source: string, key: string) {
    return { PK: keys.webhookPk(source, key), SK: keys.webhookSk() };
  }

  async claim(event: NewWebhookEvent): Promise<ClaimResult> {
    const Key = this.key(event.source, event.key);
    const now = event.receivedAt.getTime();
    const leaseUntil = now + WEBHOOK_CLAIM_LEASE_SECONDS * 1000;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...Key,
            type: 'webhookEvent',
            eventId: event.eventId,
            source: event.source,
            idempotencyKey: event.key,
            // Raw text: any JSON nesting depth stores fine, and it is what the sender sent.
            body: event.body,
            status: 'in_progress',
            claimId: event.claimId,
            leaseUntil,
            receivedAt: event.receivedAt.toISOString(),
            expiresAt: Math.floor(now / 1000) + WEBHOOK_EVENT_RETENTION_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return { status: 'claimed', eventId: event.eventId };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const seen = (await this.client.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }))).Item;
    // Gone again (a failed first delivery released it just now): the sender's retry will run it.
    if (!seen) return { status: 'in_progress' };
    const eventId = String(seen.eventId);
    // This claim's own first attempt, stored before its reply was lost (the SDK retried the put).
    if (seen.status === 'in_progress' && seen.claimId === event.claimId) return { status: 'claimed', eventId };
    if (seen.status === 'completed') return { status: 'completed', eventId };
    if (typeof seen.leaseUntil === 'number' && seen.leaseUntil >= now) return { status: 'in_progress' };
    // Abandoned claim: take it over, keeping its eventId so the effect stays idempotent.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET claimId = :claim, leaseUntil = :lease',
          // Or already ours: a retry of this same takeover whose first reply was lost.
          ConditionExpression: '#status = :inProgress AND (claimId = :previous OR claimId = :claim)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':claim': event.claimId,
            ':lease': leaseUntil,
            ':inProgress': 'in_progress',
            ':previous': seen.claimId,
          },
        }),
      );
      return { status: 'claimed', eventId };
    } catch (err) {
      if (isConditionFailed(err)) return { status: 'in_progress' };
      throw err;
    }
  }

  async complete(source: string, key: string, outcome: string, at: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(source, key),
        UpdateExpression: 'SET #status = :completed, outcome = :outcome, completedAt = :at REMOVE leaseUntil, claimId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':completed': 'completed', ':outcome': outcome, ':at': at.toISOString() },
      }),
    );
  }

  async release(source: string, key: string, claimId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.key(source, key),
          ConditionExpression: '#status = :inProgress AND claimId = :claim',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in_progress', ':claim': claimId },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err; // taken over by a retry: theirs to finish
    }
  }
}
