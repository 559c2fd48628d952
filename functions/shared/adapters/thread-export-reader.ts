// Every thread of one partition with its items, for the account export: two Queries read side by
// side (the THREAD# rows and the ITEM# rows, both in key order, a 1 MB page at a time) and merged
// by thread, instead of one Query per thread: an account of 10,000 threads is some hundred pages,
// not 10,000 round trips. Only the current page of each is held (and the next, fetched ahead).
import { keys } from '../core/keys';
import type { Clock } from '../core/ports';
import { openField, type ContentCipher, type UserCipher } from '../core/content-cipher';
import type { ExportedThread } from '../core/account-export';
import type { Item, Thread } from '../core/threads/thread';
import { queryPages } from './dynamo-reads';
import { userPartition, type TenantClients } from './tenant-clients';
import { metadataFrom, opened, toItem } from './thread-store';

type Row = Record<string, unknown>;

/** The thread's public fields (the agent's memory is not exported: it repeats task titles). */
function toExportedThread(c: UserCipher, row: Row): Promise<Thread | null> {
  const SK = String(row.SK);
  return opened(async () => ({
    id: String(row.id),
    title: String(await openField(c, SK, 'title', row.title)),
    createdAt: String(row.createdAt),
    updatedAt: String(row.updatedAt),
    metadata: metadataFrom((await openField(c, SK, 'metadata', row.metadata)) ?? row.metadata),
  }));
}

/** A generator's pages with the next one requested as soon as one is handed out (I/O overlaps the work on the page). */
async function* readAhead<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  for (;;) {
    const page = await next;
    if (page.done) return;
    next = pages.next();
    yield page.value;
  }
}

/** A cursor over rows, one page held at a time, with a look at the next row. */
class RowCursor<T> {
  private page: T[] = [];
  private at = 0;
  private done = false;
  constructor(private readonly pages: AsyncGenerator<T[]>) {}

  async peek(): Promise<T | undefined> {
    while (this.at >= this.page.length && !this.done) {
      const next = await this.pages.next();
      if (next.done) this.done = true;
      else [this.page, this.at] = [next.value, 0];
    }
    return this.page[this.at];
  }

  skip(): void {
    this.at++;
  }
}

interface OpenedItem {
  readonly SK: string;
  readonly item: Item | null;
}

export function dynamoThreadExportReader({ clients, tableName }: { clients: TenantClients; tableName: string }, cipher: ContentCipher, clock: Clock) {
  return (userId: string): (() => AsyncIterable<ExportedThread>) => {
    const { client, pk } = userPartition(clients, userId);
    const c = cipher.forUser(userId);
    const query = (prefix: string, filter?: { expression: string; values: Record<string, unknown> }) =>
      queryPages(client, {
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ...filter?.values },
        ...(filter ? { FilterExpression: filter.expression } : {}),
        ConsistentRead: true,
      });
    /** A page of item rows, opened together (an unreadable one stays as a null, still skipped by key). */
    async function* openedItems(prefix: string): AsyncGenerator<OpenedItem[]> {
      for await (const page of readAhead(query(prefix))) yield Promise.all(page.map(async (row) => ({ SK: String(row.SK), item: await toItem(c, row) })));
    }
    /** The items under `prefix` from the shared cursor; rows before it belong to no live thread and are passed over. */
    async function* merged(cursor: RowCursor<OpenedItem>, prefix: string): AsyncGenerator<Item> {
      for (let row = await cursor.peek(); row; row = await cursor.peek()) {
        if (row.SK < prefix) cursor.skip();
        else if (row.SK.startsWith(prefix)) {
          cursor.skip();
          if (row.item) yield row.item;
        } else return;
      }
    }
    /** One thread's own Query: for a thread id whose item keys sort apart from its thread key. */
    async function* alone(prefix: string): AsyncGenerator<Item> {
      for await (const page of openedItems(prefix)) for (const { item } of page) if (item) yield item;
    }
    return async function* threads() {
      const items = new RowCursor(openedItems(keys.allItemsSkPrefix()));
      let lastPrefix = '';
      // Thread and item keys share the escaped thread id, so both Queries meet the threads in the
      // same order; server-issued ids (ULIDs) always do. An id that sorts otherwise as an item
      // prefix (a character below '#') is read on its own rather than missed.
      // Threads being deleted, or past their retention (THREAD_RETENTION_DAYS) and not yet removed, are not the account's any more.
      const pages = query(keys.threadSkPrefix(), {
        expression: 'attribute_not_exists(deleting) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
        values: { ':now': Math.floor(clock.now().getTime() / 1000) },
      });
      for await (const page of readAhead(pages)) {
        const opened = await Promise.all(page.map((row) => toExportedThread(c, row)));
        for (const thread of opened) {
          if (!thread) continue; // its items are passed over with the next thread's
          const prefix = keys.itemSkPrefix(thread.id);
          if (prefix < lastPrefix) {
            yield { thread, items: alone(prefix) };
            continue;
          }
          lastPrefix = prefix;
          yield { thread, items: merged(items, prefix) };
        }
      }
    };
  };
}
