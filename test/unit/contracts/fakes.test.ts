// The in-memory fakes the unit tests use, held to the same contracts as the DynamoDB adapters
// (test/integration/store-contracts.test.ts runs these suites against DynamoDB Local).
import { replyLogContract } from '../../contracts/reply-log.contract';
import { taskStoreContract } from '../../contracts/task-store.contract';
import { threadStoreContract } from '../../contracts/thread-store.contract';
import { InMemoryReplyLog } from '../../fakes/in-memory-reply-log';
import { InMemoryTaskStore } from '../../fakes/in-memory-task-store';
import { InMemoryThreadStore } from '../../fakes/in-memory-thread-store';

threadStoreContract('in-memory fake', async () => ({ mine: new InMemoryThreadStore(new InMemoryTaskStore()), theirs: new InMemoryThreadStore(new InMemoryTaskStore()) }));
taskStoreContract('in-memory fake', async () => ({ mine: new InMemoryTaskStore(), theirs: new InMemoryTaskStore() }));
replyLogContract('in-memory fake', async () => ({ mine: new InMemoryReplyLog(), theirs: new InMemoryReplyLog() }));
