// Reply logs in DynamoDB (core/agent/reply-log.ts), in the owner's partition, reached only with
// the owner's scoped client: a state row (`REPLY#<thread>#<reply>`: status, last event id, the
// cancel bit) and one row per batch of events (`…#<last id>`), the batch sealed under the owner's
// key like every other content. Every row carries `expiresAt`, moved by each write: DynamoDB's TTL
// removes a log REPLY_LOG_KEEP_SECONDS after its last write.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ContentCipher } from '../core/content-cipher';
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import type { Principal } from '../core/principal';
import { REPLY_LOG_KEEP_SECONDS, REPLY_STATUSES, type NumberedEvent, type ReplyLog, type ReplyState, type ReplyStatus } from '../core/agent/reply-log';
import { queryAll } from './dynamo-reads';
import { isConditionFailed } from './dynamo-writes';
import { userPartition, type TenantClients } from './tenant-clients';

type Row = Record<string, unknown>;

const toState = (row: Row | undefined): ReplyState | null =>
  row && REPLY_STATUSES.includes(row.status as ReplyStatus)
    ? { threadId: String(row.threadId), status: row.status as ReplyStatus, lastEventId: Number(row.lastEventId ?? 0), cancelRequested: row.cancelRequested === true }
    : null;

export function dynamoReplyLogs(props: { readonly clients: TenantClients; readonly tableName: string }, cipher: ContentCipher, clock: Clock) {
  const { clients, tableName } = props;
  return (principal: Principal): ReplyLog => {
    const { client, pk: PK } = userPartition(clients, principal.userId);
    const c = cipher.forUser(principal.userId);
    const expiresAt = () => Math.floor(clock.now().getTime() / 1000) + REPLY_LOG_KEEP_SECONDS;
    const stateKey = (threadId: string, replyId: string) => ({ PK, SK: keys.replySk(threadId, replyId) });

    const read = async (threadId: string, replyId: string, projection?: string): Promise<Row | undefined> =>
      (await client.send(new GetCommand({ TableName: tableName, Key: stateKey(threadId, replyId), ConsistentRead: true, ...(projection ? { ProjectionExpression: projection } : {}) }))).Item;

    return {
      async start(threadId, replyId) {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...stateKey(threadId, replyId), type: 'reply', threadId, replyId, status: 'running', lastEventId: 0, startedAt: clock.now().toISOString(), expiresAt: expiresAt() },
          }),
        );
      },
      async append(threadId, replyId, events) {
        const last = events[events.length - 1]!.id;
        const SK = keys.replyEventsSk(threadId, replyId, last);
        // The batch first, then the state that points past it: a reader that sees lastEventId n finds every event up to n.
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { PK, SK, type: 'replyEvents', first: events[0]!.id, last, events: await c.seal(SK, 'events', JSON.stringify(events)), expiresAt: expiresAt() },
          }),
        );
        const res = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stateKey(threadId, replyId),
            UpdateExpression: 'SET lastEventId = :last, expiresAt = :exp',
            ExpressionAttributeValues: { ':last': last, ':exp': expiresAt() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { cancelRequested: res.Attributes?.cancelRequested === true };
      },
      async cancelRequested(threadId, replyId) {
        return (await read(threadId, replyId, 'cancelRequested'))?.cancelRequested === true;
      },
      async finish(threadId, replyId, status, lastEventId) {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stateKey(threadId, replyId),
            UpdateExpression: 'SET #status = :status, lastEventId = :last, finishedAt = :at, expiresAt = :exp',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status, ':last': lastEventId, ':at': clock.now().toISOString(), ':exp': expiresAt() },
          }),
        );
      },
      async state(threadId, replyId) {
        return toState(await read(threadId, replyId));
      },
      async eventsAfter(threadId, replyId, after) {
        // Batches are keyed by their last id: every batch ending above `after` holds events to send.
        const rows = await queryAll(client, {
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': PK,
            ':from': keys.replyEventsSk(threadId, replyId, after + 1),
            ':to': keys.replyEventsSk(threadId, replyId, 9_999_999),
          },
          ConsistentRead: true,
        });
        const out: NumberedEvent[] = [];
        for (const row of rows) {
          const events = JSON.parse(await c.open(String(row.SK), 'events', row.events as Uint8Array)) as NumberedEvent[];
          out.push(...events.filter((e) => e.id > after));
        }
        return out;
      },
      async requestCancel(threadId, replyId) {
        try {
          const res = await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: stateKey(threadId, replyId),
              UpdateExpression: 'SET cancelRequested = :true',
              ConditionExpression: '#status = :running',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':true': true, ':running': 'running' },
              ReturnValues: 'ALL_NEW',
            }),
          );
          return toState(res.Attributes);
        } catch (err) {
          if (isConditionFailed(err)) return toState(await read(threadId, replyId));
          throw err;
        }
      },
    };
  };
}
