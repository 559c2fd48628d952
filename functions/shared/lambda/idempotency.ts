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
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { replayedReply, replyOf, type ExchangeResult, type OpenReply, type ReplyEvent } from '../core/agent/reply';
import { asUnavailable } from '../adapters/dynamo-faults';
import type { ContentCipher } from '../core/content-cipher';
import { ConflictError, ContentUnreadableError, ValidationError } from '../core/errors';
import { keys, unescapeKeyPart } from '../core/keys';
import type { Thread } from '../core/threads/thread';
import type { HttpResult } from './http-handler';
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
}

export interface IdempotentRunner {
  /** A buffered POST: the first response is remembered and replayed. */
  (req: HttpRequest, run: () => Promise<HttpResult>): Promise<HttpResult>;
  /**
   * A reply (message post, ChatKit): remembered once its exchange is stored, before the stream
   * ends; a replay is the stored exchange told again in the retry's own framing (JSON or a stream).
   * A reply that fails, before or during its stream, stores nothing and is not remembered. A replay
   * is shown only once `confirm` accepts its thread (still there, still the caller's).
   */
  reply(req: HttpRequest, open: () => Promise<OpenReply>, confirm: (thread: Thread) => Promise<void>): Promise<OpenReply>;
  /**
   * The invocation's Lambda context: an in-progress record then expires with the invocation's
   * remaining time, so a request that died mid-way does not block its key's retries for 24 h.
   */
  useContext(context: Context): void;
}

/** What a record is keyed on: one request of one caller, not a key string alone. */
interface Attempt {
  readonly caller: string;
  /** The caller's rights now: a caller since made read-only (or no longer admin) gets no replay of a write; the retry runs and is refused. */
  readonly rights: string;
  readonly route: string;
  /** The route's path parameters as sent: the same key on another thread or key is another request. */
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
  const { userId, roles, readOnly } = req.principal;
  const rights = `${[...roles].sort().join('+')}${readOnly ? ':read-only' : ''}`;
  return { caller: userId, rights, route, target: req.pathParameters, key: header, body: req.rawBody ?? '' };
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
export function idempotentPosts(client: DynamoDBDocumentClient, tableName: string, cipher: () => ContentCipher): IdempotentRunner {
  const persistenceStore = new OwnPartitionPersistence({ tableName, awsSdkV3Client: client as never, keyAttr: 'PK', expiryAttr: 'expiresAt' });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[caller, rights, route, target, key]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
  });
  // One record space for buffered results and replies alike: a key is one request, whatever it was.
  const once = makeIdempotent(async (_attempt: Attempt, run: () => Promise<unknown>) => run(), { persistenceStore, config, dataIndexArgument: 0 });

  /** Runs `run` at most once per caller, route, key and body; `replayed` when the value is the remembered one. */
  async function remember<T>(attempt: Attempt, run: () => Promise<T>): Promise<{ value: T; replayed: boolean }> {
    let ran = false;
    let fresh: T | undefined;
    const sealing = cipher().forUser(attempt.caller);
    const record = sealedFor(attempt);
    try {
      const stored = (await once(attempt, async (): Promise<SealedResponse> => {
        ran = true;
        // Stored as the client sees it, as JSON: an `undefined` field is dropped, not a failed save.
        const json = JSON.stringify(await run());
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
    const { value, replayed } = await remember(attempt, run);
    return replayed ? { ...value, headers: { ...(value.headers ?? {}), ...REPLAYED } } : value;
  };

  const reply = async (req: HttpRequest, open: () => Promise<OpenReply>, confirm: (thread: Thread) => Promise<void>): Promise<OpenReply> => {
    const attempt = attemptOf(req);
    if (!attempt) return open();
    // The record completes only when the exchange is stored, which is after this function has
    // handed the open reply to its transport: `opened` carries it out, `exchange` brings the end back.
    let opened!: (reply: OpenReply) => void;
    const fresh = new Promise<OpenReply>((resolve) => (opened = resolve));
    const exchange = deferred<StoredReply>();
    const recorded = remember(attempt, async () => {
      const reply = await open();
      opened(reply);
      return exchange.promise;
    });
    const first = await Promise.race([fresh.then((reply) => ({ reply })), recorded.then((r) => ({ stored: r.value }))]);
    if ('stored' in first) {
      await confirm(first.stored.thread);
      return replayedReply(first.stored.thread, first.stored.exchange, REPLAYED);
    }

    const { reply: live } = first;
    async function* events(): AsyncGenerator<ReplyEvent> {
      let settled = false;
      try {
        for await (const e of live.events) {
          if (e.type === 'item.done') {
            settled = true;
            exchange.resolve({ thread: threadOf(live.thread), exchange: { userMessage: live.userMessage, assistantMessage: e.item } });
            // Remembered before the client sees `item.done`, so a retry after it is a replay. The
            // exchange is stored either way; a record that failed to save (the SDK's retries spent)
            // stays in progress until the invocation's time runs out: a retry meanwhile is 409, a
            // later one runs again (API.md documents this).
            await recorded.catch((err) => logger.warn('idempotency record not saved', { error: err }));
          }
          yield e;
        }
      } finally {
        if (!settled) {
          // Failed (or never read to the end): nothing was stored, so the record goes and a retry runs afresh.
          exchange.reject(new Error('reply ended before its exchange was stored'));
          await recorded.catch(() => undefined);
        }
      }
    }
    return replyOf(live.thread, live.userMessage, live.headers, events());
  };

  return Object.assign(runner, { reply, useContext: (context: Context) => config.registerLambdaContext(context) });
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
