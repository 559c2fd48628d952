// Client idempotency for POST routes (API.md): the same `Idempotency-Key`, body and caller within
// 24 h replays the first response; the same key with another body, or while the first request is
// still running, is `409 conflict`. Powertools Idempotency does the bookkeeping; its records live in
// the main table, one partition per record (no single key every POST writes), expired by TTL. The
// remembered response is stored sealed under the caller's key (core/content-cipher.ts), bound to
// the request it answers: a stray record reads nothing, and account deletion shreds it.
import { createHash } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { replayedReply, replyOf, type ExchangeResult, type OpenReply } from '../core/agent/reply';
import type { NumberedEvent } from '../core/agent/reply-log';
import { asUnavailable } from '../adapters/dynamo-faults';
import type { ContentCipher } from '../core/content-cipher';
import { ConflictError, ContentUnreadableError, ValidationError } from '../core/errors';
import { keys, unescapeKeyPart } from '../core/keys';
import type { Thread } from '../core/threads/thread';
import type { IdempotentRunner } from './edge-options';
import type { HttpResult } from './http-result';
import type { HttpRequest } from './http-request';
import { IDEMPOTENCY_KEY_TEXT, WITHOUT_IDEMPOTENCY_KEY } from './idempotency-routes';
import { logger } from './logger';

/** How long a key is remembered (API.md: 24 h). */
export const IDEMPOTENCY_WINDOW_SECONDS = 86_400;
const REPLAYED_HEADER = 'Idempotent-Replayed';

const PK_PREFIX = keys.idempotencyPk('');

/**
 * Powertools keys a record as `id` or as one static partition plus `id` as sort key; the first
 * does not fit this table's PK/SK, the second would put every record under one partition key. So
 * each record gets its own partition: PK `IDEMPOTENCY#<record id>`, SK `RECORD`.
 */
class OwnPartitionPersistence extends DynamoDBPersistenceLayer {
  protected override getKey(idempotencyKey: string) {
    // Records read back carry the stored PK as their key; map it back to the record id.
    const id = idempotencyKey.startsWith(PK_PREFIX) ? unescapeKeyPart(idempotencyKey.slice(PK_PREFIX.length)) : idempotencyKey;
    return { PK: { S: keys.idempotencyPk(id) }, SK: { S: keys.idempotencySk() } };
  }

  /** The record id an attempt is stored under (once configured, i.e. inside a run). */
  recordIdOf(attempt: Attempt): string {
    return this.getHashedIdempotencyKey(attempt as never);
  }
}

/** Before a replay that shows a thread: throws unless the thread is still there and the caller's (core/agent/reply.ts confirmReplay). */
type ConfirmThread = (req: HttpRequest, threadId: string) => Promise<void>;

export type { IdempotentRunner } from './edge-options';

/** What a record is keyed on: one request of one caller, not a key string alone. */
interface Attempt {
  readonly caller: string;
  /** The caller's rights now: a caller since made read-only (or no longer admin) gets no replay of a write; the retry runs and is refused. */
  readonly rights: string;
  readonly route: string;
  /** The route's path parameters, decoded: the same key on another thread or key is another request. */
  readonly target: Readonly<Record<string, string>>;
  readonly key: string;
  readonly body: string;
}

/** What a reply's record holds: the thread and the two stored items, not the stream. */
interface StoredReply {
  readonly thread: Thread;
  readonly exchange: ExchangeResult;
}

const REPLAYED = { [REPLAYED_HEADER]: 'true' };

function attemptOf(req: HttpRequest): Attempt | null {
  const route = `${req.method} ${req.resource}`;
  const header = req.headers['idempotency-key'];
  if (req.method !== 'POST' || header === undefined || WITHOUT_IDEMPOTENCY_KEY.has(route) || !req.principal) return null;
  if (!IDEMPOTENCY_KEY_TEXT.test(header)) throw new ValidationError('Idempotency-Key must be 1-200 printable ASCII characters');
  const { userId, roles, readOnly, scopes } = req.principal;
  // A key with other scopes is other rights: it never gets the replay of what it may not do.
  const rights = `${[...roles].sort().join('+')}${readOnly ? ':read-only' : ''}${scopes ? `:${scopes.join(' ')}` : ''}`;
  return { caller: userId, rights, route, target: decodedTarget(req.pathParameters), key: header, body: req.rawBody ?? '' };
}

/**
 * The path parameters as the controllers read them (decoded, validation.ts `pathParam`): `%30…` and
 * `0…` name the same thread, so they are the same request. One that does not decode is kept as
 * sent; its controller refuses it, and a refusal is not remembered.
 */
function decodedTarget(params: Readonly<Record<string, string>>): Record<string, string> {
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  };
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decode(v)]));
}

/** The thread as a replay shows it (ChatKit's `thread.created`); the agent's memory stays out of the record. */
const threadOf = ({ id, title, createdAt, updatedAt, metadata }: Thread): Thread => ({ id, title, createdAt, updatedAt, metadata });

/** What a record's stored response is bound to: this request (a digest, so no client text reaches the context). */
const sealedFor = ({ route, target, key }: Attempt): string =>
  `IDEMPOTENCY#${createHash('sha256').update(JSON.stringify([route, target, key])).digest('base64url')}`;

/** What Powertools stores as the record's response: the response's JSON, sealed. */
interface SealedResponse {
  readonly sealed: string;
}

/** `cipher` is built on first use: a function that never remembers a response needs no content key. */
export function idempotentPosts(client: DynamoDBDocumentClient, tableName: string, confirmThread: ConfirmThread, cipher: () => ContentCipher): IdempotentRunner {
  const persistenceStore = new OwnPartitionPersistence({ tableName, awsSdkV3Client: client as never, keyAttr: 'PK', expiryAttr: 'expiresAt' });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[caller, rights, route, target, key]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
  });
  // One record space for buffered results and replies alike: a key is one request, whatever it was.
  const once = makeIdempotent(async (_attempt: Attempt, run: () => Promise<unknown>) => run(), { persistenceStore, config, dataIndexArgument: 0 });

  /**
   * A record that holds a thread's content is listed under that thread (keys.replayRefPk), so
   * deleting the thread deletes the record (`forgetThread`) instead of leaving it for 24 h. Only
   * single-item reads, writes and deletes of the records' own key family.
   */
  const refKey = (userId: string, threadId: string) => ({ PK: keys.replayRefPk(userId, threadId), SK: keys.idempotencySk() });
  const referenceThread = async (attempt: Attempt, threadId: string) => {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: refKey(attempt.caller, threadId),
        UpdateExpression: 'ADD recordIds :id SET expiresAt = :exp',
        ExpressionAttributeValues: { ':id': new Set([persistenceStore.recordIdOf(attempt)]), ':exp': Math.floor(Date.now() / 1000) + IDEMPOTENCY_WINDOW_SECONDS },
      }),
    );
  };
  /** Lists a fresh record under its caller (keys.userRecordsPk), so deleting the account finds it. */
  const indexRecord = (attempt: Attempt) =>
    client.send(
      new PutCommand({
        TableName: tableName,
        Item: { PK: keys.userRecordsPk(attempt.caller), SK: persistenceStore.recordIdOf(attempt), expiresAt: Math.floor(Date.now() / 1000) + IDEMPOTENCY_WINDOW_SECONDS },
      }),
    );
  const forgetThread = async (userId: string, threadId: string) => {
    const res = await client.send(new GetCommand({ TableName: tableName, Key: refKey(userId, threadId), ConsistentRead: true }));
    const ids = res.Item?.recordIds instanceof Set ? [...(res.Item.recordIds as Set<string>)] : [];
    await Promise.all(ids.map((id) => client.send(new DeleteCommand({ TableName: tableName, Key: { PK: keys.idempotencyPk(id), SK: keys.idempotencySk() } }))));
    await client.send(new DeleteCommand({ TableName: tableName, Key: refKey(userId, threadId) }));
  };

  /** Runs `run` at most once per caller, route, key and body; `replayed` when the value is the remembered one. */
  async function remember<T>(attempt: Attempt, run: () => Promise<T>, threadOf: (value: T) => string | undefined): Promise<{ value: T; replayed: boolean }> {
    let ran = false;
    let fresh: T | undefined;
    const sealing = cipher().forUser(attempt.caller);
    const record = sealedFor(attempt);
    try {
      const stored = (await once(attempt, async (): Promise<SealedResponse> => {
        ran = true;
        await indexRecord(attempt);
        const result = await run();
        const threadId = threadOf(result);
        if (threadId) await referenceThread(attempt, threadId);
        // Stored as the client sees it, as JSON: an `undefined` field is dropped, not a failed save.
        const json = JSON.stringify(result);
        fresh = JSON.parse(json) as T;
        return { sealed: Buffer.from(await sealing.seal(record, 'response', json)).toString('base64') };
      })) as SealedResponse;
      if (ran) return { value: fresh as T, replayed: false };
      return { value: JSON.parse(await sealing.open(record, 'response', Buffer.from(stored.sealed, 'base64'))) as T, replayed: true };
    } catch (err) {
      // A record that will not open (sealed under a key since destroyed, or not this request's) is not replayed.
      if (err instanceof ContentUnreadableError) throw new ConflictError('This Idempotency-Key was used for a request whose response can no longer be replayed');
      if (err instanceof IdempotencyValidationError) throw new ConflictError('This Idempotency-Key was used with a different request body');
      if (err instanceof IdempotencyAlreadyInProgressError) throw new ConflictError('A request with this Idempotency-Key is still being processed; retry later');
      if (err instanceof IdempotencyPersistenceLayerError) throw asUnavailable(err.cause) ?? err;
      throw err;
    }
  }

  const runner = async (req: HttpRequest, run: () => Promise<HttpResult>): Promise<HttpResult> => {
    const attempt = attemptOf(req);
    if (!attempt) return run();
    const { value, replayed } = await remember(attempt, run, (r) => r.thread);
    if (!replayed) return value;
    // A replay that shows a thread shows it only while it is still the caller's.
    if (value.thread) await confirmThread(req, value.thread);
    return { ...value, headers: { ...(value.headers ?? {}), ...REPLAYED } };
  };

  const reply = async (req: HttpRequest, open: () => Promise<OpenReply>, confirm: (thread: Thread) => Promise<void>): Promise<OpenReply> => {
    const attempt = attemptOf(req);
    if (!attempt) return open();
    // The record completes only when the exchange is stored, which is after this function has
    // handed the open reply to its transport: `opened` carries it out, `exchange` brings the end back.
    let opened!: (reply: OpenReply) => void;
    const fresh = new Promise<OpenReply>((resolve) => (opened = resolve));
    const exchange = deferred<StoredReply>();
    const recorded = remember(
      attempt,
      async () => {
        const reply = await open();
        opened(reply);
        return exchange.promise;
      },
      (stored) => stored.thread.id,
    );
    const first = await Promise.race([fresh.then((reply) => ({ reply })), recorded.then((r) => ({ stored: r.value }))]);
    if ('stored' in first) {
      await confirm(first.stored.thread);
      return replayedReply(first.stored.thread, first.stored.exchange, REPLAYED);
    }

    const { reply: live } = first;
    // The record follows the reply, not the client: a reply whose client went away still ends, and
    // is stored, so it is remembered all the same (an own reader of the running reply, reply-run.ts).
    const remembered = (async () => {
      for await (const { event: e } of live.listen()) {
        if (e.type !== 'item.done') continue;
        exchange.resolve({ thread: threadOf(live.thread), exchange: { userMessage: live.userMessage, assistantMessage: e.item } });
        // The exchange is stored either way; a record that failed to save (the SDK's retries spent)
        // stays in progress until the invocation's time runs out: a retry meanwhile is 409, a
        // later one runs again (API.md documents this).
        await recorded.catch((err) => logger.warn('idempotency record not saved', { error: err }));
        return;
      }
    })().catch(async () => {
      // Failed: nothing was stored, so the record goes and a retry runs afresh.
      exchange.reject(new Error('reply ended before its exchange was stored'));
      await recorded.catch(() => undefined);
    });
    async function* events(): AsyncGenerator<NumberedEvent> {
      for await (const numbered of live.numbered) {
        // Remembered before the client sees `item.done`, so a retry after it is a replay.
        if (numbered.event.type === 'item.done') await remembered;
        yield numbered;
      }
    }
    return replyOf(live.thread, live.userMessage, live.headers, { numbered: events(), settled: live.settled.then(() => remembered), listen: live.listen });
  };

  return Object.assign(runner, { reply, forgetThread, useContext: (context: Context) => config.registerLambdaContext(context) });
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
