// The DynamoDB adapters against the port contracts the in-memory fakes also pass (test/contracts),
// on DynamoDB Local: each world is two fresh users' partitions.
import { afterAll, beforeAll } from 'vitest';
import { singleClient } from '../../functions/shared/adapters/tenant-clients';
import { dynamoReplyLogs } from '../../functions/shared/adapters/reply-log-store';
import { dynamoTaskStores } from '../../functions/shared/adapters/task-store';
import { dynamoThreadStores } from '../../functions/shared/adapters/thread-store';
import { systemClock } from '../../functions/shared/core/ports';
import type { Principal } from '../../functions/shared/core/principal';
import { replyLogContract } from '../contracts/reply-log.contract';
import { taskStoreContract } from '../contracts/task-store.contract';
import { threadStoreContract } from '../contracts/thread-store.contract';
import { uniqueUser } from '../helpers/dev-tokens';
import { localCipher } from '../helpers/content-cipher';
import { localDb } from '../helpers/local-db';

const principal = (name: string): Principal => ({ userId: `contract:${uniqueUser(name)}`, roles: ['user'], authMethod: 'jwt', keyId: null, readOnly: false, email: null });
const props = () => {
  const { client, tableName } = localDb();
  return { clients: singleClient(client), tableName };
};

// Content is sealed as deployed: a real envelope cipher over a KMS stand-in.
let sealing: Awaited<ReturnType<typeof localCipher>>;
beforeAll(async () => {
  sealing = await localCipher(localDb().client, localDb().tableName);
});
afterAll(() => sealing.stop());

threadStoreContract('DynamoDB adapter', async () => {
  const { threadStore } = dynamoThreadStores(props(), sealing.cipher);
  return { mine: threadStore(principal('mine')), theirs: threadStore(principal('theirs')) };
});
taskStoreContract('DynamoDB adapter', async () => {
  const tasks = dynamoTaskStores(props(), sealing.cipher);
  return { mine: tasks(principal('mine')), theirs: tasks(principal('theirs')) };
});
replyLogContract('DynamoDB adapter', async () => {
  const logs = dynamoReplyLogs(props(), sealing.cipher, systemClock);
  return { mine: logs(principal('mine')), theirs: logs(principal('theirs')) };
});
