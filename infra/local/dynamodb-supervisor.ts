// Keeps the local stack's database up: DynamoDB Local run as a child process and started again, on
// the same port and the same data, whenever it exits without being asked to. Or, when
// DYNAMODB_ENDPOINT is set, an endpoint someone else runs (a DynamoDB Local started elsewhere, a
// fault proxy in front of one, or DynamoDB itself), which is used as it is.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoEndpoint } from '../../functions/shared/adapters/dynamo-endpoint';
import { PortTakenError, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';

export interface SupervisedDynamoDb {
  readonly endpoint: string;
  /** The running Java process (null for an external endpoint or while restarting). */
  pid(): number | null;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openDynamoDb(opts: {
  dataDir: string;
  port: () => Promise<number>;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
}): Promise<SupervisedDynamoDb> {
  const external = opts.env.DYNAMODB_ENDPOINT;
  if (external) {
    new URL(external); // a bad value fails the start, naming nothing secret
    opts.log(JSON.stringify({ level: 'INFO', message: 'using the DynamoDB endpoint from DYNAMODB_ENDPOINT', endpoint: external }));
    return { endpoint: external, pid: () => null, stop: async () => undefined };
  }
  // A free port can be taken between the check and Java binding it (other processes pick ports too):
  // a start refused for that reason tries another port rather than failing the whole stack.
  for (let attempt = 1; ; attempt++) {
    const port = await opts.port();
    try {
      const first = await startDynamoDbLocal({ dataDir: opts.dataDir, port });
      return superviseDynamoDbLocal({ dataDir: opts.dataDir, port, log: opts.log }, first);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= 3) throw err;
    }
  }
}

async function superviseDynamoDbLocal(
  opts: { dataDir: string; port: number; log: (line: string) => void },
  first: DynamoDbLocal,
): Promise<SupervisedDynamoDb> {
  let current: DynamoDbLocal | null = first;
  let stopping = false;
  let restarting: Promise<void> | null = null;
  const log = (level: string, message: string, extra: Record<string, unknown> = {}) => opts.log(JSON.stringify({ level, message, ...extra }));

  const watch = (db: DynamoDbLocal) => {
    void db.exited.then((how) => {
      if (stopping || current !== db) return;
      current = null;
      log('ERROR', 'DynamoDB Local exited; restarting it on the same data', { exit: how });
      restarting = restart();
    });
  };
  const restart = async () => {
    // Backs off while the port is still held or Java fails to start, until it runs or the stack stops.
    for (let attempt = 1; !stopping; attempt++) {
      try {
        const db = await startDynamoDbLocal(opts);
        if (stopping) return void (await db.stop());
        current = db;
        watch(db);
        log('INFO', 'DynamoDB Local restarted', { attempt });
        return;
      } catch (err) {
        log('ERROR', 'DynamoDB Local restart failed; trying again', { attempt, error: (err as Error).message.split('\n')[0] });
        await sleep(Math.min(5000, 250 * 2 ** attempt));
      }
    }
  };
  watch(current);

  return {
    endpoint: current.endpoint,
    pid: () => current?.pid ?? null,
    async stop() {
      stopping = true;
      await restarting;
      await current?.stop();
    },
  };
}

/** A client for table setup: fixed credentials for a loopback endpoint (DynamoDB Local accepts any), the default chain otherwise. */
export function createAdminClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient(dynamoEndpoint(endpoint));
}
