// A loopback proxy in front of DynamoDB Local that counts what the functions' DynamoDB client sends,
// on the wire at the client side: requests by operation (X-Amz-Target), the capacity units each one
// consumed (the proxy asks for `ReturnConsumedCapacity: TOTAL` on every request and reads the
// answer), and item writes per partition key (to find hot keys).
import { startDynamoProxy } from './dynamo-proxy';

export interface Capacity {
  read: number;
  write: number;
}

export interface DynamoCounter {
  readonly endpoint: string;
  /** Counts since the last reset, e.g. { Query: 1, PutItem: 1 }. */
  take(): Record<string, number>;
  /** Capacity units consumed since the last takeCapacity(). */
  takeCapacity(): Capacity;
  /** Item writes per partition key since the last takeWrites(). */
  takeWrites(): Map<string, number>;
  close(): Promise<void>;
}

/** Operations that accept ReturnConsumedCapacity. */
const CAPACITY_OPS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems']);

type Attr = { S?: string } | undefined;
type Body = Record<string, unknown>;

/** Partition keys each write request writes (one entry per item written). */
function writtenKeys(op: string, body: Body): string[] {
  const pk = (m: Record<string, Attr> | undefined) => m?.PK?.S ?? '?';
  switch (op) {
    case 'PutItem':
      return [pk(body.Item as Record<string, Attr>)];
    case 'UpdateItem':
    case 'DeleteItem':
      return [pk(body.Key as Record<string, Attr>)];
    case 'BatchWriteItem':
      return Object.values((body.RequestItems ?? {}) as Record<string, Array<{ PutRequest?: { Item: Record<string, Attr> }; DeleteRequest?: { Key: Record<string, Attr> } }>>)
        .flat()
        .map((r) => pk(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
    case 'TransactWriteItems':
      return ((body.TransactItems ?? []) as Array<Record<string, { Item?: Record<string, Attr>; Key?: Record<string, Attr> }>>)
        .filter((t) => !t.ConditionCheck)
        .map((t) => {
          const w = t.Put ?? t.Update ?? t.Delete;
          return pk(w?.Item ?? w?.Key);
        });
    default:
      return [];
  }
}

type ConsumedCapacity = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };

export async function startDynamoCounter(target: string): Promise<DynamoCounter> {
  let counts: Record<string, number> = {};
  let capacity: Capacity = { read: 0, write: 0 };
  let writes = new Map<string, number>();
  /** Adds the capacity a reply reports; some answers give only the total: reads for read operations, writes otherwise. */
  const addCapacity = (op: string, reply: Buffer) => {
    let list: ConsumedCapacity[];
    try {
      list = ([] as ConsumedCapacity[]).concat(((JSON.parse(reply.toString('utf8')) as { ConsumedCapacity?: unknown }).ConsumedCapacity ?? []) as never);
    } catch {
      return; // not JSON
    }
    for (const c of list) {
      const r = c.ReadCapacityUnits ?? 0;
      const w = c.WriteCapacityUnits ?? 0;
      if (r === 0 && w === 0 && c.CapacityUnits) {
        if (/Get|Query|Scan/.test(op)) capacity.read += c.CapacityUnits;
        else capacity.write += c.CapacityUnits;
      } else {
        capacity.read += r;
        capacity.write += w;
      }
    }
  };
  const proxy = await startDynamoProxy(target, ({ op, body }) => {
    counts[op || 'unknown'] = (counts[op || 'unknown'] ?? 0) + 1;
    for (const pk of writtenKeys(op, body)) writes.set(pk, (writes.get(pk) ?? 0) + 1);
    // DynamoDB Local does not check request signatures, so the proxy may add the parameter.
    const payload = CAPACITY_OPS.has(op) && Object.keys(body).length > 0 && !body.ReturnConsumedCapacity ? Buffer.from(JSON.stringify({ ...body, ReturnConsumedCapacity: 'TOTAL' })) : undefined;
    return { kind: 'forward', payload, onReply: (reply) => addCapacity(op, reply) };
  });
  return {
    endpoint: proxy.endpoint,
    take() {
      const out = counts;
      counts = {};
      return out;
    },
    takeCapacity() {
      const out = capacity;
      capacity = { read: 0, write: 0 };
      return out;
    },
    takeWrites() {
      const out = writes;
      writes = new Map();
      return out;
    },
    close: () => proxy.close(),
  };
}
