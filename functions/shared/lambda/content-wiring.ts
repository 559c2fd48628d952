// The composition of what reads or writes user content: the per-user cipher (the third wall, and
// with it the AWS Encryption SDK), the thread and task stores, and the idempotency records that keep
// sealed copies of answers. Kept apart from wiring.ts so the functions that never touch content
// (health, tools, openapi, audit, api-keys) do not bundle any of it.
import { loadContentKeyConfig, loadThreadRetentionDays } from '../config';
import { envelopeCipher } from '../adapters/envelope-cipher';
import { kmsKeySource } from '../adapters/kek-source';
import { createKmsClient } from '../adapters/kms-client';
import { dynamoTaskStores } from '../adapters/task-store';
import { dynamoThreadStores } from '../adapters/thread-store';
import { confirmReplay } from '../core/agent/reply';
import { systemClock } from '../core/ports';
import type { ThreadDeps } from '../core/threads/thread-use-cases';
import type { HttpHandlerOptions } from './edge-options';
import { idempotentPosts } from './idempotency';
import { logger } from './logger';
import { threadAccessOf } from './validation';
import { traced } from './tracing';
import { instrumentAwsClients, once, wiring } from './wiring';

// Before any client is built: the content functions trace their DynamoDB, STS and KMS calls.
instrumentAwsClients(traced);

const { env } = wiring;
const store = once(() => ({ clients: wiring.clients(), tableName: wiring.table().tableName }));
/** User content sealed per user (the third wall); KMS is reached only when a key-encryption key is needed. */
const cipher = once(() => {
  const { keyId, endpoint } = loadContentKeyConfig(env);
  // The key-encryption keys are a cross-user family (KEYRING), read with the function's own role.
  const keks = kmsKeySource({ kms: traced(createKmsClient(endpoint)), keyId, client: wiring.client(), tableName: wiring.table().tableName, clock: systemClock });
  return envelopeCipher({
    tableName: wiring.table().tableName,
    // A user's own key lives in their partition: reached only with their scoped client.
    clientFor: (userId) => wiring.clients().forUser(userId),
    keks,
    clock: systemClock,
    // The stores answer as if the row were absent; this is the one place the fault is told.
    onUnreadable: ({ userId, record, field }) => logger.error('stored content did not open for its record', { code: 'content_unreadable', userId, record, field }),
  });
});
// Every function that writes threads reads THREAD_RETENTION_DAYS (infra/routes.ts): a write moves the thread's expiry.
const threadStores = once(() => dynamoThreadStores(store(), cipher(), { days: loadThreadRetentionDays(env), clock: systemClock }));
const taskStores = once(() => dynamoTaskStores(store(), cipher()));
const idempotency = once(() =>
  idempotentPosts(
    wiring.client(),
    wiring.table().tableName,
    (req, threadId) => confirmReplay({ threads: threadStores().threadStore, audit: wiring.audit() }, threadAccessOf(req), threadId),
    cipher,
  ),
);

export const contentWiring = {
  /** The table's clients and name, for the stores built elsewhere (reply-wiring.ts). */
  store,
  threadStores,
  taskStores,
  /** Seals and opens user content; destroys a user's key (account deletion). */
  cipher,
  /** Client `Idempotency-Key`: buffered POSTs through `edge`, replies (messages, ChatKit) in their controllers. */
  idempotency,
  /** wiring.edge() plus `Idempotency-Key` on the buffered POST routes that remember it. */
  edge: once((): HttpHandlerOptions => ({ ...wiring.edge(), idempotency: idempotency() })),
  threadDeps: async (): Promise<ThreadDeps> => ({
    threads: threadStores().threadStore,
    adminReader: threadStores().adminThreadReader,
    cursors: await wiring.cursors(),
    audit: wiring.audit(),
    clock: systemClock,
    ids: wiring.ids(),
    forgetCopies: (userId, threadId) => idempotency().forgetThread(userId, threadId),
  }),
};
