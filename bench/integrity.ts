// The integrity pass after a load or fault run, read straight from DynamoDB (not through the API):
// no half exchange, no duplicate message or task from a retried write, no orphan item of a deleted
// thread, API-key counters equal to the keys stored, and every acknowledged write still there.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../functions/shared/adapters/dynamo-reads';
import { keys } from '../functions/shared/core/keys';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeCipher } from '../functions/shared/adapters/envelope-cipher';
import { kmsKeySource } from '../functions/shared/adapters/kek-source';
import { createKmsClient } from '../functions/shared/adapters/kms-client';
import { openField, type ContentCipher } from '../functions/shared/core/content-cipher';
import { systemClock } from '../functions/shared/core/ports';
import { tenantIdOf } from '../functions/shared/adapters/tenant-id';

/** What the API acknowledged to one user during the run (2xx answers), by the client's own labels. */
export interface Acknowledged {
  readonly userId: string;
  /** Thread ids answered 201. */
  readonly threads: Set<string>;
  /** Thread ids some DELETE was sent for (whatever its answer): they may be gone. */
  readonly threadDeletes: Set<string>;
  /** Message contents answered 2xx, by thread id. */
  readonly messages: Map<string, Set<string>>;
  /** Task ids answered 201. */
  readonly tasks: Set<string>;
  /** Task ids some DELETE was sent for. */
  readonly taskDeletes: Set<string>;
}

export const newAcknowledged = (userId: string): Acknowledged => ({
  userId,
  threads: new Set(),
  threadDeletes: new Set(),
  messages: new Map(),
  tasks: new Set(),
  taskDeletes: new Set(),
});

type Row = Record<string, unknown>;

const partition = (client: DynamoDBDocumentClient, tableName: string, pk: string): Promise<Row[]> =>
  queryAll(client, { TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true });

/** Every violation found, as readable lines; empty when the data is whole. */
/**
 * The content cipher of a running local stack (its KMS stand-in, from `local-stack.json`), reading
 * DynamoDB directly: what stored content says, for checks that read the table itself.
 */
export function localStackCipher(dataDir: string, client: DynamoDBDocumentClient, tableName: string): ContentCipher {
  const { kms } = JSON.parse(readFileSync(join(dataDir, 'local-stack.json'), 'utf8')) as { kms: { endpoint: string; keyId: string } };
  const keks = kmsKeySource({ kms: createKmsClient(kms.endpoint), keyId: kms.keyId, client, tableName, clock: systemClock });
  return envelopeCipher({ clientFor: () => client, tableName, keks, clock: systemClock });
}

/** @param cipher opens sealed message content (content is stored sealed per user). */
export async function checkIntegrity(client: DynamoDBDocumentClient, tableName: string, users: readonly Acknowledged[], cipher: ContentCipher): Promise<string[]> {
  const problems: string[] = [];
  for (const ack of users) {
    const sealedRows = await partition(client, tableName, keys.userPk(tenantIdOf(ack.userId)));
    const user = cipher.forUser(ack.userId);
    // Message content as the API shows it: opened from its sealed form.
    const rows = await Promise.all(
      sealedRows.map(async (r) => (String(r.SK).startsWith('ITEM#') ? { ...r, content: await openField(user, String(r.SK), 'content', r.content) } : r)),
    );
    const sk = (r: Row) => String(r.SK);
    const threads = new Map(rows.filter((r) => sk(r).startsWith(keys.threadSkPrefix())).map((r) => [String(r.id), r]));
    const items = rows.filter((r) => sk(r).startsWith('ITEM#')).sort((a, b) => (sk(a) < sk(b) ? -1 : 1));
    const tasks = rows.filter((r) => sk(r).startsWith(keys.taskSkPrefix()));
    const who = ack.userId.slice(-12);

    // Orphans: an item whose thread row is gone (a marked, half-deleted thread still has its row).
    for (const item of items) if (!threads.has(String(item.threadId))) problems.push(`${who}: orphan item ${sk(item)}`);

    // Half exchanges and duplicates, per thread, in item order.
    const byThread = new Map<string, Row[]>();
    for (const item of items) byThread.set(String(item.threadId), [...(byThread.get(String(item.threadId)) ?? []), item]);
    for (const [threadId, list] of byThread) {
      const seen = new Set<string>();
      for (let i = 0; i < list.length; i++) {
        const item = list[i]!;
        if (item.itemType !== 'user_message') continue;
        const content = String(item.content);
        if (seen.has(content)) problems.push(`${who}: duplicate message in ${threadId}: ${content}`);
        seen.add(content);
        if (list[i + 1]?.itemType !== 'assistant_message') problems.push(`${who}: half exchange in ${threadId}: ${content} has no reply`);
      }
    }

    const titles = new Map<string, number>();
    for (const t of tasks) titles.set(String(t.title), (titles.get(String(t.title)) ?? 0) + 1);
    for (const [title, n] of titles) if (n > 1) problems.push(`${who}: task created ${n} times: ${title}`);

    const refs = rows.filter((r) => sk(r).startsWith(keys.apiKeyRefSkPrefix())).length;
    const counter = Number(rows.find((r) => sk(r) === keys.apiKeyCounterSk())?.keyCount ?? 0);
    if (counter !== refs) problems.push(`${who}: API-key counter ${counter} but ${refs} keys stored`);

    // Acknowledged writes that are not there (and were not deleted since).
    for (const id of ack.threads) if (!ack.threadDeletes.has(id) && !threads.has(id)) problems.push(`${who}: acknowledged thread ${id} missing`);
    for (const [threadId, contents] of ack.messages) {
      if (ack.threadDeletes.has(threadId)) continue;
      const stored = new Set((byThread.get(threadId) ?? []).map((r) => String(r.content)));
      for (const c of contents) if (!stored.has(c)) problems.push(`${who}: acknowledged message missing in ${threadId}: ${c}`);
    }
    const taskIds = new Set(tasks.map((t) => String(t.id)));
    for (const id of ack.tasks) if (!ack.taskDeletes.has(id) && !taskIds.has(id)) problems.push(`${who}: acknowledged task ${id} missing`);
  }
  return problems;
}
