// Usage in DynamoDB (core/usage.ts). A user's days are the token budget's own day items
// (`USER#<tenant>` / `TOKENS#<day>`, adapters/token-counter.ts), which also carry the usage counts;
// the admin's override is `USER#<tenant>` / `BUDGET`. Both are reached only with the user's scoped
// client. The admin ranking's index (`USAGE_DAY#<day>#<shard>`, one row per user) is a cross-user
// family, reached with the function's own role (infra/tenant-access.ts, `usageIndex`).
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../core/keys';
import { USAGE_INDEX_SHARDS, USAGE_RETENTION_DAYS, type BudgetOverride, type ReplyTally, type RequestCounter, type StoredDayUsage, type UsageIndex, type UsageIndexRow, type UsageStore } from '../core/usage-counts';
import { queryAll } from './dynamo-reads';
import { userPartition, type TenantClients } from './tenant-clients';
import { tenantIdOf } from './tenant-id';

const DAY_SECONDS = 86_400;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** When a day's counts expire (epoch seconds): USAGE_RETENTION_DAYS after the day ends. */
export const usageExpiresAt = (day: string): number => Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + (1 + USAGE_RETENTION_DAYS) * DAY_SECONDS;

/** The index shard of a user: fixed by their id, so a user's day is one row. */
export const usageShardOf = (userId: string, shards = USAGE_INDEX_SHARDS): number => parseInt(tenantIdOf(userId).slice(0, 8), 16) % shards;

export class DynamoDbUsageStore implements UsageStore, RequestCounter {
  constructor(
    private readonly clients: TenantClients,
    private readonly tableName: string,
  ) {}

  async days(userId: string, from: string, to: string): Promise<StoredDayUsage[]> {
    const { client, pk } = userPartition(this.clients, userId);
    const rows = await queryAll(client, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': pk, ':from': keys.tokensSk(from), ':to': keys.tokensSk(to) },
    });
    return rows.map((r) => ({
      day: String(r.SK).slice('TOKENS#'.length),
      tokens: num(r.tokens),
      requests: num(r.requests),
      replies: num(r.replies),
      modelCalls: num(r.modelCalls),
      inputTokens: num(r.inputTokens),
      outputTokens: num(r.outputTokens),
      toolCalls: num(r.toolCalls),
    }));
  }

  async override(userId: string): Promise<BudgetOverride | null> {
    const { client, pk } = userPartition(this.clients, userId);
    const res = await client.send(new GetCommand({ TableName: this.tableName, Key: { PK: pk, SK: keys.budgetSk() }, ConsistentRead: true }));
    if (!res.Item) return null;
    const field = (v: unknown) => (typeof v === 'number' ? v : null);
    return { dailyTokens: field(res.Item.dailyTokens), monthlyTokens: field(res.Item.monthlyTokens) };
  }

  async setOverride(userId: string, override: BudgetOverride | null, meta: { setBy: string; setAt: string }): Promise<void> {
    const { client, pk } = userPartition(this.clients, userId);
    const Key = { PK: pk, SK: keys.budgetSk() };
    if (override === null) {
      await client.send(new DeleteCommand({ TableName: this.tableName, Key }));
      return;
    }
    await client.send(new PutCommand({ TableName: this.tableName, Item: { ...Key, type: 'budget', ...override, ...meta } }));
  }

  async countRequest(userId: string, day: string): Promise<void> {
    const { client, pk } = userPartition(this.clients, userId);
    // Unconditional ADD: a retried write may count a request twice, which a count tolerates (no limit reads it).
    await client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: pk, SK: keys.tokensSk(day) },
        UpdateExpression: 'ADD #requests :one SET expiresAt = if_not_exists(expiresAt, :exp), #type = :type',
        ExpressionAttributeNames: { '#requests': 'requests', '#type': 'type' },
        ExpressionAttributeValues: { ':one': 1, ':exp': usageExpiresAt(day), ':type': 'tokens' },
      }),
    );
  }
}

/** Adds one reply to its user's row of the day's index (the function's own role). */
export async function addToUsageIndex(client: DynamoDBDocumentClient, tableName: string, userId: string, day: string, tally: ReplyTally): Promise<void> {
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { PK: keys.usageDayPk(day, usageShardOf(userId)), SK: keys.usageDaySk(userId) },
      UpdateExpression: 'ADD #tokens :tokens, #replies :one, #in :in, #out :out SET #userId = :userId, expiresAt = if_not_exists(expiresAt, :exp), #type = :type',
      ExpressionAttributeNames: { '#tokens': 'tokens', '#replies': 'replies', '#in': 'inputTokens', '#out': 'outputTokens', '#userId': 'userId', '#type': 'type' },
      ExpressionAttributeValues: {
        ':tokens': tally.inputTokens + tally.outputTokens,
        ':one': 1,
        ':in': tally.inputTokens,
        ':out': tally.outputTokens,
        ':userId': userId,
        ':exp': usageExpiresAt(day),
        ':type': 'usage_day',
      },
    }),
  );
}

export class DynamoDbUsageIndex implements UsageIndex {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly shards = USAGE_INDEX_SHARDS,
  ) {}

  async day(day: string): Promise<UsageIndexRow[]> {
    const pages = await Promise.all(
      Array.from({ length: this.shards }, (_, shard) =>
        queryAll(this.client, { TableName: this.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.usageDayPk(day, shard) } }),
      ),
    );
    return pages.flat().map((r) => ({ userId: String(r.userId), tokens: num(r.tokens), replies: num(r.replies), inputTokens: num(r.inputTokens), outputTokens: num(r.outputTokens) }));
  }
}
